-- A first push at 10,000 rows/s (issue 13): the change trigger's per-key work, set-based.
--
-- sync.note_changes deleted a statement's old change entries with one DELETE per key, run from a
-- PL/pgSQL loop: 20,000 statements in a first push of 20,000 messages. It is now one DELETE whose
-- keys each probe the (tbl, pk) index, as before. The rest of the
-- function is 0013's.

CREATE OR REPLACE FUNCTION sync.note_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
-- A key lookup is an index probe even while the change index's statistics still say it is
-- empty (until autovacuum analyzes it after a large first push, each probe was a full scan).
SET enable_seqscan = off AS $$
DECLARE
  origin  text := nullif(current_setting('confab.origin_client', true), '');
  keys    text[] := (public.confab_sync_spec(TG_TABLE_NAME)).keys;
  pk_expr text;
  session_expr text;
  source  text := CASE WHEN TG_OP = 'DELETE' THEN 'old_rows' ELSE 'new_rows' END;
  op      text := CASE WHEN TG_OP = 'DELETE' THEN 'purge' ELSE 'upsert' END;
  noted   text;
  this_table text := TG_TABLE_NAME;  -- text, for the (tbl, pk) index (see sync.note_updates)
  -- Rows a push inserted from its own batch (the merge's INSERT, not a trigger below it: those
  -- write rows the device did not send), stored as the device sent them.
  as_sent boolean := TG_OP = 'INSERT' AND origin IS NOT NULL AND pg_trigger_depth() = 1;
BEGIN
  IF keys IS NULL THEN
    pk_expr := format('sync.row_pk(%L, to_jsonb(n))', TG_TABLE_NAME);
    session_expr := format('sync.row_session(%L, to_jsonb(n))', TG_TABLE_NAME);
  ELSE
    SELECT format('jsonb_build_array(%s)', string_agg(format('to_jsonb(n.%I)', k), ', ' ORDER BY o))
      INTO pk_expr FROM unnest(keys) WITH ORDINALITY AS x(k, o);
    session_expr := CASE TG_TABLE_NAME WHEN 'chat_sessions' THEN 'n.id' WHEN 'users' THEN 'NULL::uuid'
                                       ELSE 'n.session_id' END;
  END IF;
  -- One row per key, as it was last in the statement, with its place in the statement. An INSERT
  -- cannot hold a key twice (it is the primary key), so its rows are taken as they are: sorting
  -- every key of a 5,000-row push to find duplicates that cannot be there was a tenth of the
  -- trigger.
  IF TG_OP = 'INSERT' THEN
    noted := format('SELECT %s AS pk, n.owner_id, %s AS session_id, row_number() OVER () AS i FROM new_rows n',
                    pk_expr, session_expr);
  ELSE
  noted := format('SELECT x.pk, x.owner_id, x.session_id, x.i FROM ('
                  '  SELECT DISTINCT ON (r.pk) r.pk, r.owner_id, r.session_id, r.i FROM ('
                  '    SELECT %s AS pk, n.owner_id, %s AS session_id, row_number() OVER () AS i FROM %I n) r'
                  '  ORDER BY r.pk, r.i DESC) x',
                  pk_expr, session_expr, source);
  END IF;
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO sync.graveyard (tbl, pk, owner_id, session_id) '
                   'SELECT %L, y.pk, y.owner_id, y.session_id FROM (%s) y ON CONFLICT DO NOTHING',
                   TG_TABLE_NAME, noted);
  END IF;
  -- The entries these keys had, in one statement. Each key is one probe of the (tbl, pk) index:
  -- the keys come first by construction (LATERAL), whatever the index's statistics say (a join
  -- left to the planner, or `pk = ANY (array)`, read every entry of the table once per key or
  -- as a filter: quadratic in a first push), and the entries found are deleted by their tuple ids.
  EXECUTE format('DELETE FROM sync.changes c WHERE c.ctid = ANY (ARRAY('
                 '  SELECT x.ctid FROM (SELECT %s %s AS pk FROM %I n) k,'
                 '         LATERAL (SELECT e.ctid FROM sync.changes e'
                 '                   WHERE e.tbl = $1 AND e.op IN (''upsert'', ''purge'') AND e.pk = k.pk) x))',
                 CASE WHEN TG_OP = 'INSERT' THEN '' ELSE 'DISTINCT' END, pk_expr, source)
    USING this_table;
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client, pushed_as_sent) '
                 'SELECT %L, y.pk, %L, y.owner_id, y.session_id, $1, $2 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, op, noted)
    USING origin, as_sent;
  RETURN NULL;
END
$$;
