-- The change index's triggers write each key's entry with one statement and one index probe
-- (issue 13's bench, 2026-12-03).
--
-- SYNC.md's change index holds one entry per key, at the place of the key's last change. The
-- triggers kept that by deleting the keys' old entries (one probe of the (tbl, pk) index per key,
-- 0014 and 0022) and then inserting the new ones (a second probe per key, for the unique check).
-- In a first push no key has an entry yet, so the first statement found nothing, 1,000 probes per
-- batch: 5.5 ms of the 18 ms the trigger took per batch of 1,000 messages at 20,000 messages, and
-- more as the index grows (`npx tsx tests/sync/bench/profile.ts --messages 20000 --batch 1000
-- --explain 0`, PostgreSQL 15).
--
-- Now the insert takes over a key's entry where there is one (ON CONFLICT on the same partial
-- unique index, DO UPDATE), moving it to this change's place: this transaction's xid and a new
-- number from the same identity, so the entry sorts after every change before it, exactly where
-- the deleted and inserted entry went. The rows of one statement are distinct keys (an INSERT's
-- by the table's primary key, an UPDATE's since it changes each row once, a DELETE's by the
-- DISTINCT ON in `noted`), so no key is taken over twice by one statement.
--
-- The functions are otherwise 0014's sync.note_changes and 0022's sync.note_updates.

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
  -- Each key's entry, written in one statement with one probe of the (tbl, pk) index per key:
  -- a key that had an entry takes it over, moved to this change's place (SYNC.md's state-based
  -- index: one entry per key, in commit order). See the top of this file.
  EXECUTE format('INSERT INTO sync.changes AS c (tbl, pk, op, owner_id, session_id, origin_client, pushed_as_sent) '
                 'SELECT %L, y.pk, %L, y.owner_id, y.session_id, $1, $2 FROM (%s) y ORDER BY y.i '
                 'ON CONFLICT (tbl, pk) WHERE op IN (''upsert'', ''purge'') DO UPDATE '
                 'SET xid = EXCLUDED.xid, seq = DEFAULT, op = EXCLUDED.op, owner_id = EXCLUDED.owner_id, '
                 '    session_id = EXCLUDED.session_id, origin_client = EXCLUDED.origin_client, at = EXCLUDED.at, '
                 '    pushed_as_sent = EXCLUDED.pushed_as_sent',
                 TG_TABLE_NAME, op, noted)
    USING origin, as_sent;
  RETURN NULL;
END
$$;

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
  -- As in note_changes: one statement, one probe of the (tbl, pk) index per key.
  INSERT INTO sync.changes AS c (tbl, pk, op, owner_id, session_id, origin_client)
  SELECT this_table, u.pk, 'upsert', u.owner_id, u.session_id, origin
    FROM unnest(pks, owners, sessions) WITH ORDINALITY AS u(pk, owner_id, session_id, i)
   ORDER BY u.i
  ON CONFLICT (tbl, pk) WHERE op IN ('upsert', 'purge') DO UPDATE
    SET xid = EXCLUDED.xid, seq = DEFAULT, op = EXCLUDED.op, owner_id = EXCLUDED.owner_id,
        session_id = EXCLUDED.session_id, origin_client = EXCLUDED.origin_client, at = EXCLUDED.at,
        pushed_as_sent = EXCLUDED.pushed_as_sent;
  RETURN NULL;
END
$$;
