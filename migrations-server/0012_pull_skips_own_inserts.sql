-- A first push of a long history (issue 13: 10,000 rows/s into an empty server) ended with the
-- device pulling its whole history back: every row it had just pushed came back with its body, to
-- be merged again and found unchanged (about a fifth of a first sync round). A row that a push
-- inserted is on the server exactly as that device sent it (the merge's INSERT takes every column
-- from the batch, with stamping off), so until someone writes it again that device has nothing
-- to learn from it. Such change entries are marked (pushed_as_sent, by sync.note_changes), and
-- sync.pull given the xids of the caller's own acknowledged pushes leaves out the bodies of the
-- marked entries of those transactions: the entries still come, so the cursor moves past them,
-- and a body-less upsert is one the device skips.
-- - Any later write replaces the entry (one per key) with an unmarked one: an edit from another
--   device, a merge that changed a column, admin SQL.
-- - A row inserted by a trigger below the push (depth 2 or more) is not the device's own and
--   stays unmarked.
-- - The xids, not the client id: a copied data folder shares the client id, and the copy must
--   still receive the rows the original pushed. Only the device that was told a push's xid in
--   its acknowledgement skips that push's rows; a lost acknowledgement just pulls them back.
--
-- Also: sync.push asks whether a table is synced from its list instead of from confab_sync_spec
-- once per mutation.
--
-- The three-argument sync.pull stays as it was, for devices that do not send their pushes.

ALTER TABLE sync.changes ADD COLUMN pushed_as_sent boolean NOT NULL DEFAULT false;

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
  -- One row per key, as it was last in the statement, with its place in the statement.
  noted := format('SELECT x.pk, x.owner_id, x.session_id, x.i FROM ('
                  '  SELECT DISTINCT ON (r.pk) r.pk, r.owner_id, r.session_id, r.i FROM ('
                  '    SELECT %s AS pk, n.owner_id, %s AS session_id, row_number() OVER () AS i FROM %I n) r'
                  '  ORDER BY r.pk, r.i DESC) x',
                  pk_expr, session_expr, source);
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO sync.graveyard (tbl, pk, owner_id, session_id) '
                   'SELECT %L, y.pk, y.owner_id, y.session_id FROM (%s) y ON CONFLICT DO NOTHING',
                   TG_TABLE_NAME, noted);
  END IF;
  -- Key by key, each one probe of the (tbl, pk) index (a `pk = ANY (array)` in one statement
  -- was planned as a filter over every entry of the table: quadratic in a first push).
  FOR noted_pk IN EXECUTE format('SELECT DISTINCT %s FROM %I n', pk_expr, source) LOOP
    DELETE FROM sync.changes c WHERE c.tbl = this_table AND c.op IN ('upsert', 'purge') AND c.pk = noted_pk;
  END LOOP;
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client, pushed_as_sent) '
                 'SELECT %L, y.pk, %L, y.owner_id, y.session_id, $1, $2 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, op, noted)
    USING origin, as_sent;
  RETURN NULL;
END
$$;

CREATE FUNCTION sync.pull(p_xid xid8, p_seq bigint, p_limit integer, p_own_pushes xid8[])
RETURNS TABLE (xid xid8, seq bigint, tbl text, op text, pk jsonb, body jsonb)
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, public, pg_temp AS $$
  WITH c AS MATERIALIZED (
    SELECT ch.xid, ch.seq, ch.tbl, ch.op, ch.pk,
           ch.pushed_as_sent AND ch.xid = ANY (p_own_pushes) AS own,
           CASE WHEN ch.op = 'upsert' THEN (ch.pk ->> 0)::uuid END AS k0,
           CASE WHEN ch.op = 'upsert' AND ch.tbl IN ('session_user_state', 'session_tags') THEN (ch.pk ->> 1)::uuid END AS k1,
           CASE WHEN ch.op = 'upsert' AND ch.tbl = 'session_tags' THEN ch.pk ->> 2 END AS k2
      FROM sync.changes ch
     WHERE (ch.xid, ch.seq) > (p_xid, p_seq)
       AND ch.xid < pg_snapshot_xmin(pg_current_snapshot())
     ORDER BY ch.xid, ch.seq
     LIMIT least(greatest(p_limit, 1), 10000)
  )
  SELECT c.xid, c.seq, c.tbl, c.op, c.pk,
         CASE WHEN c.op <> 'upsert' OR c.own THEN NULL
              WHEN c.tbl = 'messages' THEN
                (SELECT to_jsonb(m) - 'search_tsv' FROM public.messages m WHERE m.id = c.k0)
              WHEN c.tbl = 'chat_sessions' THEN
                (SELECT to_jsonb(s) FROM public.chat_sessions s WHERE s.id = c.k0)
              WHEN c.tbl = 'attachments' THEN
                (SELECT to_jsonb(a) FROM public.attachments a WHERE a.id = c.k0)
              WHEN c.tbl = 'generation_runs' THEN
                (SELECT to_jsonb(r) FROM public.generation_runs r WHERE r.id = c.k0)
              WHEN c.tbl = 'tool_executions' THEN
                (SELECT to_jsonb(te) FROM public.tool_executions te WHERE te.id = c.k0)
              WHEN c.tbl = 'users' THEN
                (SELECT to_jsonb(u) FROM public.users u WHERE u.id = c.k0)
              WHEN c.tbl = 'session_user_state' THEN
                (SELECT to_jsonb(st) FROM public.session_user_state st
                  WHERE st.session_id = c.k0 AND st.owner_id = c.k1)
              WHEN c.tbl = 'session_tags' THEN
                (SELECT to_jsonb(tg) FROM public.session_tags tg
                  WHERE tg.session_id = c.k0 AND tg.owner_id = c.k1
                    AND tg.tag = c.k2)
         END
    FROM c
   ORDER BY c.xid, c.seq
$$;

ALTER FUNCTION sync.pull(xid8, bigint, integer, xid8[]) OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.pull(xid8, bigint, integer, xid8[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.pull(xid8, bigint, integer, xid8[]) TO confab_member;

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
  -- attachments rows too (0002 left them out: a device's files never reached the server).
  tables      text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                              'attachments', 'generation_runs', 'tool_executions'];
BEGIN
  IF me IS NULL THEN
    RETURN jsonb_build_object('status', 'not_a_member');
  END IF;
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
  SELECT max(substr(h, 1, 15)::bigint) - server_ms INTO skew_ms
    FROM sync_push p,
         LATERAL (SELECT p.body ->> f AS h FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc']) AS f
                  UNION ALL
                  SELECT j #>> '{}' FROM jsonb_path_query(coalesce(p.body -> 'col_hlc', '{}'),
                                                          'strict $.** ? (@.type() == "string")') AS j) x
   WHERE p.state = 'new' AND x.h ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$';
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
  -- The synced tables' columns are read from the catalog once per push, not once per mutation.
  WITH known AS MATERIALIZED (
    SELECT c.relname::text AS tbl, a.attname::text AS col
      FROM pg_class c
      JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relname = ANY (tables)
  ), bad AS (
    SELECT DISTINCT p.no
      FROM sync_push p, jsonb_object_keys(p.body) k
     WHERE p.state = 'new' AND NOT EXISTS (SELECT 1 FROM known WHERE known.tbl = p.tbl AND known.col = k)
  )
  UPDATE sync_push p SET state = 'rejected', reason = 'unknown_column' FROM bad WHERE p.no = bad.no;
  UPDATE sync_push p SET state = 'rejected', reason = 'buried'
   WHERE state = 'new' AND op = 'upsert'
     AND EXISTS (SELECT 1 FROM sync.graveyard g WHERE g.tbl = p.tbl AND g.pk = sync.row_pk(p.tbl, p.body));

  -- A change of only some columns needs a row the caller owns (row-level security hides others').
  FOREACH t IN ARRAY tables LOOP
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
