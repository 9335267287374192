-- A first push at 10,000 rows/s (issue 13): the per-row work of sync.push, measured with
-- auto_explain on PostgreSQL 15 (tests/sync/bench/profile.ts --explain), made smaller. The same
-- rows are applied, refused and recorded as before.
--
-- - The chat-owner check runs once per INSERT statement (below).
-- - The change trigger takes an INSERT's keys as they are: they cannot repeat.
-- - sync.push: the clock-skew test and the unknown-column test are one operation per row; the
--   partial-row test runs only for tables the batch has partial rows of; and it clears
--   confab.bulk_apply, which only a device's own database may use (app migration 0023).

-- A message (run, tool call, file) belongs to the owner of its chat (server 0006): checked once
-- per INSERT statement over its new rows instead of once per row. The row trigger's PL/pgSQL
-- call per row was about a third of inserting a pushed message (0.02 ms of 0.06 ms here). A
-- violation fails the statement as before (42501): sync.push then applies the batch one
-- mutation at a time and records the offending one as a 'permission' rejection. Updates of the
-- owner or the chat keep the row trigger (PostgreSQL allows no transition table on a trigger
-- for chosen columns, and such updates are rare and small).
CREATE FUNCTION sync.check_chat_owner_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  -- Each (chat, owner) pair once (a push's 5,000 messages are in a hundred chats or so), and the
  -- chat found by its key: asked as "a chat of this owner with this key", the planner walked the
  -- owner's index over every chat of the owner, per row.
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT n.session_id, n.owner_id FROM new_rows n WHERE n.session_id IS NOT NULL) n
              WHERE (SELECT s.owner_id FROM public.chat_sessions s WHERE s.id = n.session_id) IS DISTINCT FROM n.owner_id) THEN
    RAISE EXCEPTION 'a row of % belongs to the owner of its chat', TG_TABLE_NAME USING ERRCODE = '42501';
  END IF;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.check_chat_owner_rows() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.check_chat_owner_rows() FROM PUBLIC;
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['messages', 'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format('DROP TRIGGER %1$s_chat_owner ON public.%1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_chat_owner BEFORE UPDATE OF session_id, owner_id ON public.%1$I '
                   'FOR EACH ROW EXECUTE FUNCTION sync.check_chat_owner()', t);
    EXECUTE format('CREATE TRIGGER %1$s_chat_owner_insert AFTER INSERT ON public.%1$I '
                   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync.check_chat_owner_rows()', t);
  END LOOP;
END
$$;

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
  noted_pk jsonb;
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
  -- Key by key, each one probe of the (tbl, pk) index (a `pk = ANY (array)` in one statement
  -- was planned as a filter over every entry of the table: quadratic in a first push).
  FOR noted_pk IN EXECUTE format(CASE WHEN TG_OP = 'INSERT' THEN 'SELECT %s FROM %I n' ELSE 'SELECT DISTINCT %s FROM %I n' END,
                                 pk_expr, source) LOOP
    DELETE FROM sync.changes c WHERE c.tbl = this_table AND c.op IN ('upsert', 'purge') AND c.pk = noted_pk;
  END LOOP;
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client, pushed_as_sent) '
                 'SELECT %L, y.pk, %L, y.owner_id, y.session_id, $1, $2 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, op, noted)
    USING origin, as_sent;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION sync.push(p_client_id text, p_schema_version integer, p_batch jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me          uuid := sync.caller_id();
  meta        sync.meta;
  cl          sync.clients;
  expected    bigint;
  first_new   bigint;
  last_new    bigint;
  new_count   bigint;
  skew_ms     bigint;
  server_ms   bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  t           text;
  mut         record;
  fallback    boolean := false;
  processed   integer := 0;
  through     bigint;
  max_hlc     text;
  cols        text[];
  -- attachments rows too (0002 left them out: a device's files never reached the server).
  tables      text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                              'attachments', 'generation_runs', 'tool_executions'];
BEGIN
  IF me IS NULL THEN
    RETURN jsonb_build_object('status', 'not_a_member');
  END IF;
  -- A device's bulk insert (app migration 0023) is for a device's own database: never here,
  -- whatever the caller set.
  PERFORM set_config('confab.bulk_apply', '', true);
  SELECT * INTO meta FROM sync.meta;
  IF p_schema_version < meta.min_client_schema THEN
    RETURN jsonb_build_object('status', 'client_too_old', 'min_client_schema', meta.min_client_schema);
  ELSIF p_schema_version > meta.schema_version THEN
    RETURN jsonb_build_object('status', 'server_too_old', 'schema_version', meta.schema_version);
  END IF;
  IF p_client_id IS NULL OR p_client_id !~ '^[0-9a-f]{16}$' OR jsonb_typeof(p_batch -> 'mutations') IS DISTINCT FROM 'array' THEN
    RETURN jsonb_build_object('status', 'bad_batch', 'detail', 'client id or mutations missing');
  END IF;

  -- The client row, locked: pushes of one client are serialised.
  IF sync.client_owner(p_client_id) IS NULL THEN
    INSERT INTO sync.clients (client_id, user_id) VALUES (p_client_id, me) ON CONFLICT DO NOTHING;
  END IF;
  IF sync.client_owner(p_client_id) IS DISTINCT FROM me THEN
    RETURN jsonb_build_object('status', 'client_conflict', 'detail', 'this client id belongs to another user');
  END IF;
  SELECT * INTO cl FROM sync.clients WHERE client_id = p_client_id FOR UPDATE;

  CREATE TEMP TABLE IF NOT EXISTS sync_push (no bigint, id uuid, tbl text, op text, body jsonb, state text, reason text)
    ON COMMIT DROP;
  TRUNCATE sync_push;
  BEGIN
    INSERT INTO sync_push
    SELECT (m ->> 'no')::bigint, (m ->> 'id')::uuid, m ->> 'tbl', coalesce(m ->> 'op', 'upsert'), m -> 'row', 'new', NULL
      FROM jsonb_array_elements(p_batch -> 'mutations') AS m;
  EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
    RETURN jsonb_build_object('status', 'bad_batch', 'detail', SQLERRM);
  END;
  -- The batch's own statistics: without them every join to it was planned for 100 rows.
  ANALYZE sync_push;
  IF EXISTS (SELECT 1 FROM sync_push WHERE no IS NULL OR id IS NULL OR tbl IS NULL OR op NOT IN ('upsert', 'purge')
                                         OR jsonb_typeof(body) IS DISTINCT FROM 'object')
     OR (SELECT count(*) <> count(DISTINCT no) FROM sync_push) THEN
    RETURN jsonb_build_object('status', 'bad_batch', 'detail', 'every mutation needs a unique no, an id, tbl, op and row');
  END IF;

  -- Numbers already applied: skipped if their id matches (a resend after a lost ack); another id
  -- under a known number means this data folder was restored or cloned.
  -- Only this batch's range of numbers is read (for a new batch, none): 0007 joined the batch to
  -- every number the client ever pushed, and with stale statistics that was a nested loop of
  -- 5,000 by 20,000 rows in a first push.
  IF EXISTS (SELECT 1 FROM sync_push p JOIN sync.client_mutations cm
                ON cm.client_id = p_client_id AND cm.mutation_no = p.no AND cm.mutation_id <> p.id
              WHERE cm.mutation_no BETWEEN (SELECT min(no) FROM sync_push) AND (SELECT max(no) FROM sync_push)) THEN
    RETURN jsonb_build_object('status', 'client_conflict', 'detail', 'a mutation number was reused with another id',
                              'last_mutation_no', cl.last_mutation_no);
  END IF;
  UPDATE sync_push SET state = 'skipped' WHERE no <= cl.last_mutation_no;

  SELECT min(no), max(no), count(*) INTO first_new, last_new, new_count FROM sync_push WHERE state = 'new';
  IF new_count = 0 THEN
    RETURN jsonb_build_object('status', 'ok', 'through', cl.last_mutation_no, 'xid', NULL, 'rejected', '[]'::jsonb,
                              'server_time', server_ms);
  END IF;
  expected := cl.last_mutation_no + 1;
  IF first_new <> expected OR last_new - first_new + 1 <> new_count THEN
    RETURN jsonb_build_object('status', 'mutation_gap', 'expected', expected, 'last_mutation_no', cl.last_mutation_no);
  END IF;

  -- Clock skew is judged here only: a clock more than 5 minutes ahead is refused, with ours.
  -- The greatest HLC of the batch decides. Each row's named HLC fields are compared directly
  -- (0012 unnested four fields per row and tested each against the pattern: about a tenth of a
  -- push); the pattern is tried on the greatest one, and only when that one is not an HLC are
  -- all of them read again and the malformed ones left out, as before.
  SELECT max(h COLLATE "C") INTO max_hlc FROM (
    SELECT greatest((p.body ->> 'status_hlc') COLLATE "C", (p.body ->> 'deleted_hlc') COLLATE "C",
                    (p.body ->> 'added_hlc') COLLATE "C", (p.body ->> 'removed_hlc') COLLATE "C") AS h
      FROM sync_push p WHERE p.state = 'new'
    UNION ALL
    SELECT j #>> '{}' FROM sync_push p,
           jsonb_path_query(p.body -> 'col_hlc', 'strict $.** ? (@.type() == "string")') AS j
     WHERE p.state = 'new' AND p.body ? 'col_hlc'
  ) x;
  IF max_hlc !~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$' THEN
    SELECT max(x.h COLLATE "C") INTO max_hlc
      FROM sync_push p,
           LATERAL (SELECT p.body ->> f AS h FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc']) AS f
                    UNION ALL
                    SELECT j #>> '{}' FROM jsonb_path_query(coalesce(p.body -> 'col_hlc', '{}'),
                                                            'strict $.** ? (@.type() == "string")') AS j) x
     WHERE p.state = 'new' AND x.h ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$';
  END IF;
  skew_ms := substr(max_hlc, 1, 15)::bigint - server_ms;
  IF skew_ms > 300000 THEN
    RETURN jsonb_build_object('status', 'clock_skew', 'server_time', server_ms, 'ahead_ms', skew_ms);
  END IF;

  -- Refusals that never block the queue: recorded for the UI, the client restores the server's row.
  -- `tables` is the registry's list of synced tables: asking confab_sync_spec once per mutation
  -- cost more than the other checks together.
  UPDATE sync_push SET state = 'rejected', reason = 'unknown_table'
   WHERE state = 'new' AND NOT (tbl = ANY (tables));
  UPDATE sync_push SET state = 'rejected', reason = 'permission'
   WHERE state = 'new' AND body ? 'owner_id' AND (body ->> 'owner_id') IS DISTINCT FROM me::text;
  -- A row naming a column its table does not have: the row minus the table's columns is not
  -- empty (one operation per row; 0012 listed every key of every row and looked each one up).
  FOREACH t IN ARRAY tables LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM sync_push WHERE state = 'new' AND tbl = t);
    SELECT array_agg(a.attname::text) INTO cols
      FROM pg_attribute a
     WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    UPDATE sync_push p SET state = 'rejected', reason = 'unknown_column'
     WHERE p.state = 'new' AND p.tbl = t AND (p.body - cols) <> '{}'::jsonb;
  END LOOP;
  UPDATE sync_push p SET state = 'rejected', reason = 'buried'
   WHERE state = 'new' AND op = 'upsert'
     AND EXISTS (SELECT 1 FROM sync.graveyard g WHERE g.tbl = p.tbl AND g.pk = sync.row_pk(p.tbl, p.body));

  -- A change of only some columns needs a row the caller owns (row-level security hides others').
  -- Asked per table only when the batch has such changes (a first push has none).
  FOREACH t IN ARRAY tables LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM sync_push p WHERE p.state = 'new' AND p.op = 'upsert' AND p.tbl = t
                                                        AND NOT (p.body ? 'created_at'));
    EXECUTE format(
      'UPDATE sync_push p SET state = ''rejected'', reason = ''not_found'' '
      'WHERE p.state = ''new'' AND p.op = ''upsert'' AND p.tbl = %L AND NOT (p.body ? ''created_at'') '
      'AND NOT EXISTS (SELECT 1 FROM public.%I t, jsonb_populate_record(NULL::public.%I, p.body) r '
      'WHERE t.owner_id = $1 AND %s)',
      t, t, t, (SELECT string_agg(format('t.%1$I = r.%1$I', k), ' AND ') FROM unnest((public.confab_sync_spec(t)).keys) AS k))
    USING me;
  END LOOP;

  PERFORM set_config('confab.origin_client', p_client_id, true);

  -- Set-based: every table's rows in one merge, parents before children, then purges.
  BEGIN
    FOREACH t IN ARRAY tables LOOP
      PERFORM public.confab_merge(t, (SELECT jsonb_agg(body ORDER BY no) FROM sync_push
                                        WHERE state = 'new' AND tbl = t AND op = 'upsert'));
    END LOOP;
    FOR mut IN SELECT * FROM sync_push WHERE state = 'new' AND op = 'purge' ORDER BY no LOOP
      PERFORM sync.purge_row(mut.tbl, mut.body);
    END LOOP;
    UPDATE sync_push SET state = 'applied' WHERE state = 'new';
  EXCEPTION WHEN OTHERS THEN
    fallback := true;
  END;

  -- Only on an error: one mutation at a time, each in its own subtransaction, at most 50 per push
  -- (more would overflow PostgreSQL's subtransaction cache); the rest wait for the next push.
  IF fallback THEN
    FOR mut IN SELECT * FROM sync_push WHERE state = 'new' ORDER BY no LOOP
      EXIT WHEN processed >= 50;
      processed := processed + 1;
      BEGIN
        IF mut.op = 'upsert' THEN
          PERFORM public.confab_merge(mut.tbl, jsonb_build_array(mut.body));
        ELSE
          PERFORM sync.purge_row(mut.tbl, mut.body);
        END IF;
        UPDATE sync_push SET state = 'applied' WHERE no = mut.no;
      EXCEPTION WHEN OTHERS THEN
        UPDATE sync_push SET state = 'rejected',
               reason = CASE WHEN SQLSTATE = '42501' THEN 'permission' ELSE 'invalid' END,
               body = body || jsonb_build_object('_error', SQLERRM)
         WHERE no = mut.no;
      END;
    END LOOP;
  END IF;

  -- Acknowledged: every number up to the first one left for the next push.
  SELECT coalesce(min(no) - 1, max(no)) INTO through FROM (
    SELECT no, NULL::bigint AS x FROM sync_push WHERE state = 'new'
  ) waiting;
  IF through IS NULL THEN
    SELECT max(no) INTO through FROM sync_push;
  END IF;
  through := greatest(through, cl.last_mutation_no);

  INSERT INTO sync.client_mutations (client_id, mutation_no, mutation_id)
  SELECT p_client_id, no, id FROM sync_push WHERE state IN ('applied', 'rejected') ON CONFLICT DO NOTHING;
  INSERT INTO sync.rejected (client_id, mutation_no, mutation_id, tbl, pk, reason, detail)
  SELECT p_client_id, no, id, tbl, CASE WHEN (public.confab_sync_spec(tbl)).policy IS NOT NULL THEN sync.row_pk(tbl, body) END,
         reason, body ->> '_error'
    FROM sync_push WHERE state = 'rejected'
  ON CONFLICT DO NOTHING;
  UPDATE sync.clients
     SET last_mutation_no = through,
         last_mutation_id = (SELECT id FROM sync_push WHERE no = through),
         last_push_at = now()
   WHERE client_id = p_client_id;
  -- One coalesced wake-up per push (polling is the normal path: LISTEN does not pass poolers).
  PERFORM pg_notify('confab_sync', '');
  RETURN jsonb_build_object(
    'status', 'ok',
    'through', through,
    'xid', pg_current_xact_id()::text,
    'server_time', server_ms,
    'rejected', coalesce((SELECT jsonb_agg(jsonb_build_object('no', no, 'id', id, 'tbl', tbl, 'reason', reason,
                                                              'pk', CASE WHEN (public.confab_sync_spec(tbl)).policy IS NOT NULL
                                                                         THEN sync.row_pk(tbl, body) END)
                                           ORDER BY no)
                            FROM sync_push WHERE state = 'rejected'), '[]'::jsonb));
END
$$;
