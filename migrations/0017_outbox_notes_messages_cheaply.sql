-- Noting a new message for sync cost as much as writing it: the outbox trigger turned each whole
-- row into JSON twice (for its key and its status), about half of an import's insert statement
-- once search indexing waits (0016). Same outbox rows, same function for every other case.

CREATE OR REPLACE FUNCTION confab_outbox_note() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  policy text := (confab_sync_spec(TG_TABLE_NAME)).policy;
BEGIN
  IF confab_applying() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    -- DISTINCT: rows removed by cascades can appear twice in one transition table.
    INSERT INTO sync_outbox (tbl, pk, op)
    SELECT DISTINCT TG_TABLE_NAME, confab_row_pk(TG_TABLE_NAME, to_jsonb(o)), 'purge' FROM old_rows o
    ON CONFLICT (tbl, pk) DO UPDATE SET op = 'purge', noted_at = now();
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'messages' THEN
    -- The bulk of every import and of a chat's life: the key read straight from the column, not
    -- from a JSON copy of each whole row (text and all) made twice. The rows of one INSERT have
    -- distinct ids, so no DISTINCT either. (PL/pgSQL compiles a trigger function once per table,
    -- so this statement is only ever planned for messages.)
    INSERT INTO sync_outbox (tbl, pk, op)
    SELECT 'messages', jsonb_build_array(n.id), 'upsert' FROM new_rows n
     WHERE n.status NOT IN ('streaming', 'running', 'pending')
    ON CONFLICT (tbl, pk) DO UPDATE SET op = 'upsert', noted_at = now();
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sync_outbox (tbl, pk, op)
    SELECT DISTINCT TG_TABLE_NAME, confab_row_pk(TG_TABLE_NAME, to_jsonb(n)), 'upsert' FROM new_rows n
     WHERE coalesce(to_jsonb(n) ->> 'status', '') NOT IN ('streaming', 'running', 'pending')
    ON CONFLICT (tbl, pk) DO UPDATE SET op = 'upsert', noted_at = now();
    RETURN NULL;
  END IF;
  INSERT INTO sync_outbox (tbl, pk, op)
  SELECT DISTINCT TG_TABLE_NAME, x.pk, 'upsert'
    FROM (SELECT confab_row_pk(TG_TABLE_NAME, to_jsonb(n)) AS pk, to_jsonb(n) AS j FROM new_rows n) x
    JOIN (SELECT confab_row_pk(TG_TABLE_NAME, to_jsonb(o)) AS pk, to_jsonb(o) AS j FROM old_rows o) y ON y.pk = x.pk
   WHERE coalesce(x.j ->> 'status', '') NOT IN ('streaming', 'running', 'pending')
     AND CASE policy
           WHEN 'lww-columns' THEN (y.j -> 'col_hlc') IS DISTINCT FROM (x.j -> 'col_hlc')
           WHEN 'append-only' THEN (y.j ->> 'status_hlc', y.j ->> 'deleted_hlc', y.j ->> 'status')
                                   IS DISTINCT FROM (x.j ->> 'status_hlc', x.j ->> 'deleted_hlc', x.j ->> 'status')
           ELSE (y.j ->> 'added_hlc', y.j ->> 'removed_hlc') IS DISTINCT FROM (x.j ->> 'added_hlc', x.j ->> 'removed_hlc')
         END
  ON CONFLICT (tbl, pk) DO UPDATE SET op = 'upsert', noted_at = now();
  RETURN NULL;
END
$$;
