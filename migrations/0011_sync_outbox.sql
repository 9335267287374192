-- Team sync, the desktop's half: the outbox and the sync state. The same file runs on a team
-- server (every migration does), where migrations-server/ turns the outbox triggers off.
--
-- The outbox is state-based, like the server's change index: it holds the *keys* of rows changed
-- here since the last push, not copies of them. A push reads each row as it is then, with its
-- HLCs, so ten edits of one title are one mutation, a reply streaming for a minute is one (its
-- final state: rows still streaming or running are not noted), and a row changed after it was
-- noted is sent as it finally is. Before a push is sent, its mutations are numbered and written to
-- sync_pending in the same transaction that clears their keys, so a resend after a lost ack
-- sends the same numbers and ids. Nothing is noted while pulled changes are applied.

CREATE TABLE sync_outbox (
  tbl      text NOT NULL,
  pk       jsonb NOT NULL,
  op       text NOT NULL DEFAULT 'upsert',
  noted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tbl, pk),
  CONSTRAINT sync_outbox_op_check CHECK (op IN ('upsert', 'purge'))
);

CREATE TABLE sync_pending (
  mutation_no bigint PRIMARY KEY,
  mutation_id uuid NOT NULL,
  tbl         text NOT NULL,
  op          text NOT NULL,
  body        jsonb NOT NULL
);

CREATE TABLE sync_state (
  only_row         boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  server_user_id   uuid,
  server_identity  jsonb,
  cursor_xid       text NOT NULL DEFAULT '0',
  cursor_seq       bigint NOT NULL DEFAULT 0,
  last_mutation_no bigint NOT NULL DEFAULT 0,
  last_synced_at   timestamptz
);

CREATE FUNCTION confab_row_pk(tbl text, r jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_agg(r -> k ORDER BY o) FROM unnest((confab_sync_spec(tbl)).keys) WITH ORDINALITY AS x(k, o)
$$;

-- Which rows a statement changed in a way that syncs: a synced column's HLC moved (derived
-- columns such as counters never stamp, so they never enqueue), or the row is new or purged.
CREATE FUNCTION confab_outbox_note() RETURNS trigger
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

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_outbox_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION confab_outbox_note()', t);
    EXECUTE format('CREATE TRIGGER %1$s_outbox_update AFTER UPDATE ON %1$I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION confab_outbox_note()', t);
    EXECUTE format('CREATE TRIGGER %1$s_outbox_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION confab_outbox_note()', t);
  END LOOP;
END
$$;

-- Rows that exist from before sync was switched on are all to be pushed on first connect; the
-- engine notes them then (not here: most databases never connect to a team server).

-- A key array ["id"] or ["session", "owner", "tag"] as an object of the table's key columns.
CREATE FUNCTION confab_pk_object(tbl text, pk jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_object_agg(k, pk -> (o - 1)::int) FROM unnest((confab_sync_spec(tbl)).keys) WITH ORDINALITY AS x(k, o)
$$;

-- A row as it is pushed: keys, data and its HLCs and times, without derived columns.
CREATE FUNCTION confab_sync_row(tbl text, pk jsonb) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  keys text[] := (confab_sync_spec(tbl)).keys;
  body jsonb;
BEGIN
  IF keys IS NULL THEN
    RAISE EXCEPTION '% is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  -- The key typed through the table's own row type, so the lookup uses the primary key index.
  EXECUTE format('SELECT to_jsonb(t) FROM %1$I t, jsonb_populate_record(NULL::%1$I, $1) r WHERE %2$s', tbl,
                 (SELECT string_agg(format('t.%1$I = r.%1$I', k), ' AND ') FROM unnest(keys) AS k))
    INTO body USING confab_pk_object(tbl, pk);
  RETURN body - (confab_sync_spec(tbl)).derived;
END
$$;

-- A purge pulled from the server (or a move-out): the row goes, nothing is noted for a push.
CREATE FUNCTION confab_purge_row(tbl text, pk jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  keys text[] := (confab_sync_spec(tbl)).keys;
  was  text := coalesce(current_setting('confab.applying', true), '');
BEGIN
  IF keys IS NULL THEN
    RAISE EXCEPTION '% is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  PERFORM set_config('confab.applying', 'on', true);
  EXECUTE format('DELETE FROM %1$I t USING jsonb_populate_record(NULL::%1$I, $1) r WHERE %2$s', tbl,
                 (SELECT string_agg(format('t.%1$I = r.%1$I', k), ' AND ') FROM unnest(keys) AS k))
    USING confab_pk_object(tbl, pk);
  PERFORM set_config('confab.applying', was, true);
END
$$;

-- Notes every row a user owns for the next push: first connect, and after server_regressed.
CREATE FUNCTION confab_outbox_note_owned(uid uuid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  t text;
  n bigint;
  total bigint := 0;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format(
      'INSERT INTO sync_outbox (tbl, pk, op) SELECT %1$L, confab_row_pk(%1$L, to_jsonb(r)), ''upsert'' FROM %1$I r '
      'WHERE r.owner_id = $1 AND coalesce(to_jsonb(r) ->> ''status'', '''') NOT IN (''streaming'', ''running'', ''pending'') '
      'ON CONFLICT (tbl, pk) DO NOTHING', t)
      USING uid;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  RETURN total;
END
$$;

-- Stages the next push: takes up to `lim` outbox keys and writes them as numbered mutations
-- (whole rows as they are now, parents' tables first) into sync_pending, set-based per table.
-- Does nothing while a staged batch waits for its acknowledgement. Returns how many it staged.
CREATE FUNCTION confab_stage_pending(lim integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  tables text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                         'generation_runs', 'tool_executions'];
  t      text;
  n      integer;
BEGIN
  IF EXISTS (SELECT 1 FROM sync_pending) THEN
    RETURN 0;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS confab_staging (tbl text, pk jsonb, op text, noted_at timestamptz, body jsonb) ON COMMIT DROP;
  TRUNCATE confab_staging;
  WITH keys AS (
    SELECT o.tbl, o.pk FROM sync_outbox o
     ORDER BY array_position(tables, o.tbl), o.noted_at, o.pk::text
     LIMIT lim
  )
  , taken AS (
    DELETE FROM sync_outbox o USING keys k WHERE o.tbl = k.tbl AND o.pk = k.pk
    RETURNING o.tbl, o.pk, o.op, o.noted_at
  )
  INSERT INTO confab_staging (tbl, pk, op, noted_at)
  SELECT d.tbl, d.pk, d.op, d.noted_at FROM taken d;
  UPDATE confab_staging SET body = confab_pk_object(tbl, pk) WHERE op = 'purge';
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format(
      'UPDATE confab_staging s SET body = (SELECT to_jsonb(x) - $1 FROM %1$I x, '
      'jsonb_populate_record(NULL::%1$I, confab_pk_object(%1$L, s.pk)) r WHERE %2$s) '
      'WHERE s.tbl = %1$L AND s.op = ''upsert''',
      t, (SELECT string_agg(format('x.%1$I = r.%1$I', k), ' AND ') FROM unnest((confab_sync_spec(t)).keys) AS k))
      USING (confab_sync_spec(t)).derived;
  END LOOP;
  -- A key whose row is gone was deleted after it was noted; its purge is noted too.
  INSERT INTO sync_pending (mutation_no, mutation_id, tbl, op, body)
  SELECT (SELECT last_mutation_no FROM sync_state)
           + row_number() OVER (ORDER BY array_position(tables, tbl), noted_at, pk::text),
         gen_random_uuid(), tbl, op, body
    FROM confab_staging
   WHERE body IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
