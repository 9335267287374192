-- A first push at 10,000 rows/s (issue 13): sync.push reads each pushed row's JSON once.
--
-- sync.push kept the batch in one temporary table with every row's body in it (about 6 MB for
-- 5,000 messages), then read and rewrote that table a dozen times: the checks, the state updates
-- (each UPDATE wrote every body again), the acknowledgement, the answer. Each pass over it was
-- about 10 ms a batch; together with the rewrites about 120 ms of a 5,000-row push (auto_explain
-- with tests/sync/bench/profile.ts --explain 5).
--
-- Now the bodies are written once, to sync_push_rows, and read by number where a step needs the
-- row itself (the unknown-column and buried tests, the merge, the rejected rows' keys). The state
-- of each mutation lives in a narrow table, sync_push, with what the checks read of every row
-- taken from its JSON in the same pass: whether it is an object, whether it is whole, its owner,
-- its greatest HLC field and whether it has per-column HLCs. A failed mutation's error is a column
-- of its own instead of a key added to its body. The same mutations are applied, refused and
-- recorded as in 0013; the function is 0013's otherwise.

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

  -- The rows as sent, written once and read by number; the mutations' state, with what the
  -- checks below read of each row, in a narrow table of their own (see the top of this file).
  CREATE TEMP TABLE IF NOT EXISTS sync_push_rows (no bigint, id uuid, tbl text, op text, body jsonb) ON COMMIT DROP;
  CREATE TEMP TABLE IF NOT EXISTS sync_push (no bigint, id uuid, tbl text, op text, state text, reason text,
                                             is_object boolean, whole boolean, owner_given boolean, owner text,
                                             hlc text, has_col_hlc boolean, error text)
    ON COMMIT DROP;
  TRUNCATE sync_push, sync_push_rows;
  BEGIN
    INSERT INTO sync_push_rows
    SELECT (m ->> 'no')::bigint, (m ->> 'id')::uuid, m ->> 'tbl', coalesce(m ->> 'op', 'upsert'), m -> 'row'
      FROM jsonb_array_elements(p_batch -> 'mutations') AS m;
    INSERT INTO sync_push
    SELECT s.no, s.id, s.tbl, s.op, 'new', NULL, jsonb_typeof(s.body) = 'object', s.body ? 'created_at',
           s.body ? 'owner_id', s.body ->> 'owner_id',
           greatest((s.body ->> 'status_hlc') COLLATE "C", (s.body ->> 'deleted_hlc') COLLATE "C",
                    (s.body ->> 'added_hlc') COLLATE "C", (s.body ->> 'removed_hlc') COLLATE "C"),
           s.body ? 'col_hlc', NULL
      FROM sync_push_rows s;
  EXCEPTION WHEN invalid_text_representation OR numeric_value_out_of_range THEN
    RETURN jsonb_build_object('status', 'bad_batch', 'detail', SQLERRM);
  END;
  -- The batch's own statistics: without them every join to it was planned for 100 rows.
  ANALYZE sync_push;
  ANALYZE sync_push_rows (no);
  IF EXISTS (SELECT 1 FROM sync_push WHERE no IS NULL OR id IS NULL OR tbl IS NULL OR op NOT IN ('upsert', 'purge')
                                         OR is_object IS NOT TRUE)
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
    SELECT p.hlc AS h FROM sync_push p WHERE p.state = 'new'
    UNION ALL
    SELECT j #>> '{}' FROM sync_push p JOIN sync_push_rows b ON b.no = p.no,
           jsonb_path_query(b.body -> 'col_hlc', 'strict $.** ? (@.type() == "string")') AS j
     WHERE p.state = 'new' AND p.has_col_hlc
  ) x;
  IF max_hlc !~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$' THEN
    SELECT max(x.h COLLATE "C") INTO max_hlc
      FROM sync_push p JOIN sync_push_rows b ON b.no = p.no,
           LATERAL (SELECT b.body ->> f AS h FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc']) AS f
                    UNION ALL
                    SELECT j #>> '{}' FROM jsonb_path_query(coalesce(b.body -> 'col_hlc', '{}'),
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
   WHERE state = 'new' AND owner_given AND owner IS DISTINCT FROM me::text;
  -- A row naming a column its table does not have: the row minus the table's columns is not
  -- empty (one operation per row; 0012 listed every key of every row and looked each one up).
  FOREACH t IN ARRAY tables LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM sync_push WHERE state = 'new' AND tbl = t);
    SELECT array_agg(a.attname::text) INTO cols
      FROM pg_attribute a
     WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
    UPDATE sync_push p SET state = 'rejected', reason = 'unknown_column'
      FROM sync_push_rows b
     WHERE b.no = p.no AND p.state = 'new' AND p.tbl = t AND (b.body - cols) <> '{}'::jsonb;
  END LOOP;
  UPDATE sync_push p SET state = 'rejected', reason = 'buried'
    FROM sync_push_rows b
   WHERE b.no = p.no AND p.state = 'new' AND p.op = 'upsert'
     AND EXISTS (SELECT 1 FROM sync.graveyard g WHERE g.tbl = p.tbl AND g.pk = sync.row_pk(p.tbl, b.body));

  -- A change of only some columns needs a row the caller owns (row-level security hides others').
  -- Asked per table only when the batch has such changes (a first push has none).
  FOREACH t IN ARRAY tables LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM sync_push p WHERE p.state = 'new' AND p.op = 'upsert' AND p.tbl = t
                                                        AND NOT p.whole);
    EXECUTE format(
      'UPDATE sync_push p SET state = ''rejected'', reason = ''not_found'' FROM sync_push_rows b '
      'WHERE b.no = p.no AND p.state = ''new'' AND p.op = ''upsert'' AND p.tbl = %L AND NOT p.whole '
      'AND NOT EXISTS (SELECT 1 FROM public.%I t, jsonb_populate_record(NULL::public.%I, b.body) r '
      'WHERE t.owner_id = $1 AND %s)',
      t, t, t, (SELECT string_agg(format('t.%1$I = r.%1$I', k), ' AND ') FROM unnest((public.confab_sync_spec(t)).keys) AS k))
    USING me;
  END LOOP;

  PERFORM set_config('confab.origin_client', p_client_id, true);

  -- Set-based: every table's rows in one merge, parents before children, then purges.
  BEGIN
    FOREACH t IN ARRAY tables LOOP
      CONTINUE WHEN NOT EXISTS (SELECT 1 FROM sync_push WHERE state = 'new' AND tbl = t AND op = 'upsert');
      PERFORM public.confab_merge(t, (SELECT jsonb_agg(b.body ORDER BY b.no) FROM sync_push p JOIN sync_push_rows b ON b.no = p.no
                                       WHERE p.state = 'new' AND p.tbl = t AND p.op = 'upsert'));
    END LOOP;
    FOR mut IN SELECT p.no, p.tbl, p.op, b.body FROM sync_push p JOIN sync_push_rows b ON b.no = p.no
                WHERE p.state = 'new' AND p.op = 'purge' ORDER BY p.no LOOP
      PERFORM sync.purge_row(mut.tbl, mut.body);
    END LOOP;
    UPDATE sync_push SET state = 'applied' WHERE state = 'new';
  EXCEPTION WHEN OTHERS THEN
    fallback := true;
  END;

  -- Only on an error: one mutation at a time, each in its own subtransaction, at most 50 per push
  -- (more would overflow PostgreSQL's subtransaction cache); the rest wait for the next push.
  IF fallback THEN
    FOR mut IN SELECT p.no, p.tbl, p.op, b.body FROM sync_push p JOIN sync_push_rows b ON b.no = p.no
                WHERE p.state = 'new' ORDER BY p.no LOOP
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
               error = SQLERRM
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
  SELECT p_client_id, p.no, p.id, p.tbl,
         CASE WHEN (public.confab_sync_spec(p.tbl)).policy IS NOT NULL THEN sync.row_pk(p.tbl, b.body) END,
         p.reason, p.error
    FROM sync_push p JOIN sync_push_rows b ON b.no = p.no WHERE p.state = 'rejected'
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
    'rejected', coalesce((SELECT jsonb_agg(jsonb_build_object('no', p.no, 'id', p.id, 'tbl', p.tbl, 'reason', p.reason,
                                                              'pk', CASE WHEN (public.confab_sync_spec(p.tbl)).policy IS NOT NULL
                                                                         THEN sync.row_pk(p.tbl, b.body) END)
                                           ORDER BY p.no)
                            FROM sync_push p JOIN sync_push_rows b ON b.no = p.no WHERE p.state = 'rejected'), '[]'::jsonb));
END
$$;
