-- The change trigger for updates compares each row's columns, not the rows turned into JSON
-- (issue 13's bench, 2026-12-03 evening).
--
-- Every push of messages updates the counters of every chat the batch writes to (the counters
-- trigger on messages, app migration 0021): in a first push, about 400 chats per batch of 1,000
-- messages, since the outbox sends parents first across all chats. Counters are derived columns,
-- so the trigger notes no change for them; but it found that out by turning each new and old row
-- into JSON and comparing the two, twice per statement (once for the keys to delete, once for the
-- entries to insert): 11 ms a call, 2.0 s of server time in a first push of 60,000 messages
-- (`npx tsx tests/sync/bench/profile.ts --messages 60000 --batch 1000 --functions`), the largest
-- self time after the merge itself.
--
-- Now:
-- - the statement's rows are joined with the rows before it by the table's typed key, and a row
--   counts as changed when one of its columns that is not derived differs (IS DISTINCT FROM
--   column by column; a type without an equality operator is compared as text). The same rows
--   come out as 0010's comparison of the rows' JSON minus the derived columns.
-- - the changed keys are read once, into arrays, and the trigger ends there when there are none
--   (a counters-only update, an UPDATE of no rows);
-- - the entries those keys had are deleted in one statement, each key one probe of the (tbl, pk)
--   index (as note_changes does since 0014), not one DELETE per key.
--
-- An UPDATE never holds a key twice in its new rows (a row is updated at most once by a
-- statement, and the key is unique), so 0010's DISTINCT ON per key had nothing to do here.

CREATE OR REPLACE FUNCTION sync.note_updates() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
-- A key lookup is an index probe even while the change index's statistics still say it is
-- empty (until autovacuum analyzes it after a large first push, each probe was a full scan).
SET enable_seqscan = off AS $$
DECLARE
  origin       text := nullif(current_setting('confab.origin_client', true), '');
  spec         record;
  key_match    text;
  pk_new       text;
  session_expr text;
  compared     text;
  pks          jsonb[];
  owners       uuid[];
  sessions     uuid[];
  -- text, not TG_TABLE_NAME's name type: compared as name (collation C) the (tbl, pk) index was
  -- not usable for tbl, and every probe read the whole index.
  this_table   text := TG_TABLE_NAME;
BEGIN
  SELECT * INTO spec FROM public.confab_sync_spec(TG_TABLE_NAME);
  IF spec.keys IS NULL THEN
    RAISE EXCEPTION 'sync.note_updates: % has no key in the table registry', TG_TABLE_NAME USING ERRCODE = '22023';
  END IF;
  SELECT format('jsonb_build_array(%s)', string_agg(format('to_jsonb(n.%I)', k), ', ' ORDER BY o)),
         string_agg(format('o.%1$I = n.%1$I', k), ' AND ')
    INTO pk_new, key_match FROM unnest(spec.keys) WITH ORDINALITY AS x(k, o);
  session_expr := CASE TG_TABLE_NAME WHEN 'chat_sessions' THEN 'n.id' WHEN 'users' THEN 'NULL::uuid'
                                     ELSE 'n.session_id' END;
  -- Every stored column that is not derived, compared with its own equality where its type has
  -- one, else as text.
  SELECT string_agg(
           CASE WHEN EXISTS (SELECT 1 FROM pg_operator op
                              WHERE op.oprname = '=' AND op.oprleft = a.atttypid AND op.oprright = a.atttypid)
                THEN format('n.%1$I IS DISTINCT FROM o.%1$I', a.attname)
                ELSE format('n.%1$I::text IS DISTINCT FROM o.%1$I::text', a.attname) END,
           ' OR ' ORDER BY a.attnum)
    INTO compared
    FROM pg_attribute a
   WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
     AND NOT a.attname = ANY (coalesce(spec.derived, ARRAY[]::text[]));
  EXECUTE format(
    'SELECT array_agg(x.pk ORDER BY x.i), array_agg(x.owner_id ORDER BY x.i), array_agg(x.session_id ORDER BY x.i) '
    'FROM (SELECT %1$s AS pk, n.owner_id, %2$s AS session_id, n.i '
    '        FROM (SELECT r.*, row_number() OVER () AS i FROM new_rows r) n '
    '        LEFT JOIN old_rows o ON %3$s '
    '       WHERE o.%4$I IS NULL OR %5$s) x',
    pk_new, session_expr, key_match, spec.keys[1], coalesce(compared, 'false'))
    INTO pks, owners, sessions;
  IF pks IS NULL THEN
    RETURN NULL;
  END IF;
  DELETE FROM sync.changes c WHERE c.ctid = ANY (ARRAY(
    SELECT x.ctid FROM unnest(pks) AS k(pk),
           LATERAL (SELECT e.ctid FROM sync.changes e
                     WHERE e.tbl = this_table AND e.op IN ('upsert', 'purge') AND e.pk = k.pk) x));
  INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
  SELECT this_table, u.pk, 'upsert', u.owner_id, u.session_id, origin
    FROM unnest(pks, owners, sessions) WITH ORDINALITY AS u(pk, owner_id, session_id, i)
   ORDER BY u.i;
  RETURN NULL;
END
$$;
