-- sync.hello (handshake), sync.push, the pull functions, retention and the stall watchdog.
-- Every function here is owned by confab_owner (NOBYPASSRLS), has a pinned search_path, and is
-- executable only by confab_member (new functions are executable by PUBLIC unless revoked).

-- ---------------------------------------------------------------------------------------------
-- Stalls: any transaction holding an xid holds the pull horizon back for everyone, including
-- prepared transactions and other databases of the cluster.
CREATE FUNCTION sync.stalls(min_age interval DEFAULT '5 seconds')
RETURNS TABLE (pid integer, age_seconds double precision, is_member boolean, prepared boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT a.pid, extract(epoch FROM now() - a.xact_start),
         coalesce(NOT r.rolsuper AND pg_has_role(a.usesysid, 'confab_member', 'MEMBER'), false), false
    FROM pg_stat_activity a
    LEFT JOIN pg_roles r ON r.oid = a.usesysid
   WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid() AND a.xact_start < now() - min_age
  UNION ALL
  SELECT NULL, extract(epoch FROM now() - p.prepared), false, true
    FROM pg_prepared_xacts p
   WHERE p.prepared < now() - min_age
$$;

-- The watchdog: ends member backends that have held an xid for longer than `max_age`. It runs on
-- every handshake (so a team needs no scheduler) and from `npm run team -- status`.
CREATE FUNCTION sync.end_stalled_members(max_age interval DEFAULT '60 seconds') RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ended integer := 0;
  stalled integer;
BEGIN
  -- A superuser is a member of every role, so membership alone would name the admin's own
  -- sessions; only plain member logins are ended.
  FOR stalled IN
    SELECT a.pid
      FROM pg_stat_activity a
      JOIN pg_roles r ON r.oid = a.usesysid
     WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid() AND a.xact_start < now() - max_age
       AND NOT r.rolsuper AND pg_has_role(a.usesysid, 'confab_member', 'MEMBER')
  LOOP
    BEGIN
      IF pg_terminate_backend(stalled) THEN
        ended := ended + 1;
      END IF;
    EXCEPTION WHEN insufficient_privilege THEN
      -- A backend this owner may not signal (another team's database on a shared cluster): it
      -- stays listed by sync.stalls for the admin; the handshake that ran the watchdog goes on.
      NULL;
    END;
  END LOOP;
  RETURN ended;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Handshake. The client sends what it knows (server identity, cursor, last acknowledged mutation
-- number); the answer says whether it may go on, must pull everything again (must_refetch: its
-- cursor is below pruned changes), or the server went back in time (server_regressed: restored,
-- failed over to a new timeline, or its data is older than what the client saw), in which case
-- the client re-pushes what it owns with its HLCs and pulls everything, merging.
CREATE FUNCTION sync.hello(p_client_id text, p_schema_version integer, p_cursor_xid xid8, p_cursor_seq bigint,
                           p_known_identity jsonb, p_last_mutation_no bigint)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me       uuid := sync.caller_id();
  ident    jsonb := sync.identity();
  meta     sync.meta;
  ret      sync.retention;
  server_no bigint;
  status   text := 'ok';
  snap     pg_snapshot := pg_current_snapshot();
BEGIN
  IF me IS NULL THEN
    RETURN jsonb_build_object('status', 'not_a_member');
  END IF;
  PERFORM sync.end_stalled_members();
  SELECT * INTO meta FROM sync.meta;
  SELECT * INTO ret FROM sync.retention;
  SELECT c.last_mutation_no INTO server_no FROM sync.clients c WHERE c.client_id = p_client_id;
  IF sync.client_owner(p_client_id) IS NOT NULL AND sync.client_owner(p_client_id) <> me THEN
    status := 'client_conflict';
  ELSIF p_schema_version < meta.min_client_schema THEN
    status := 'client_too_old';
  ELSIF p_schema_version > meta.schema_version THEN
    status := 'server_too_old';
  ELSIF (p_known_identity IS NOT NULL AND p_known_identity <> ident)
     OR (p_cursor_xid IS NOT NULL AND p_cursor_xid >= pg_snapshot_xmax(snap))
     OR coalesce(p_last_mutation_no, 0) > coalesce(server_no, 0) THEN
    status := 'server_regressed';
  ELSIF p_cursor_xid IS NOT NULL AND p_cursor_xid <> '0'::xid8
        AND (p_cursor_xid, coalesce(p_cursor_seq, 0)) < (ret.pruned_xid, ret.pruned_seq) THEN
    status := 'must_refetch';
  END IF;
  RETURN jsonb_build_object(
    'status', status,
    'identity', ident,
    'user_id', me,
    'team_id', sync.caller_team(),
    'schema_version', meta.schema_version,
    'min_client_schema', meta.min_client_schema,
    'last_mutation_no', coalesce(server_no, 0),
    'pruned_through', jsonb_build_object('xid', ret.pruned_xid::text, 'seq', ret.pruned_seq),
    'horizon', pg_snapshot_xmin(snap)::text,
    'server_time', floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint,
    'stalls', coalesce((SELECT jsonb_agg(to_jsonb(s)) FROM sync.stalls() s), '[]'));
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Push. batch = {"mutations": [{"no": 1, "id": "<uuid>", "tbl": "messages", "op": "upsert" | "purge",
--                              "row": {...}}, ...]}  (rows: whole on insert, changed columns on update)
-- Answers {"status": "ok", "through": n, "xid": "...", "rejected": [...]}, or one of
-- client_conflict, mutation_gap, clock_skew, client_too_old, server_too_old, bad_batch, not_a_member
-- (nothing applied).
CREATE FUNCTION sync.push(p_client_id text, p_schema_version integer, p_batch jsonb)
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
  tables      text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                              'generation_runs', 'tool_executions'];
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
  IF EXISTS (SELECT 1 FROM sync_push WHERE no IS NULL OR id IS NULL OR tbl IS NULL OR op NOT IN ('upsert', 'purge')
                                         OR jsonb_typeof(body) IS DISTINCT FROM 'object')
     OR (SELECT count(*) <> count(DISTINCT no) FROM sync_push) THEN
    RETURN jsonb_build_object('status', 'bad_batch', 'detail', 'every mutation needs a unique no, an id, tbl, op and row');
  END IF;

  -- Numbers already applied: skipped if their id matches (a resend after a lost ack); another id
  -- under a known number means this data folder was restored or cloned.
  IF EXISTS (SELECT 1 FROM sync_push p JOIN sync.client_mutations cm
                ON cm.client_id = p_client_id AND cm.mutation_no = p.no AND cm.mutation_id <> p.id) THEN
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
  UPDATE sync_push SET state = 'rejected', reason = 'unknown_table'
   WHERE state = 'new' AND (public.confab_sync_spec(tbl)).policy IS NULL;
  UPDATE sync_push SET state = 'rejected', reason = 'permission'
   WHERE state = 'new' AND body ? 'owner_id' AND (body ->> 'owner_id') IS DISTINCT FROM me::text;
  UPDATE sync_push p SET state = 'rejected', reason = 'unknown_column'
   WHERE state = 'new' AND EXISTS (
     SELECT 1 FROM jsonb_object_keys(p.body) k
      WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                         WHERE a.attrelid = to_regclass(format('public.%I', p.tbl)) AND a.attname = k AND a.attnum > 0
                           AND NOT a.attisdropped));
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

-- A purge by key (the row and, for a session, its messages by cascade); row-level security
-- limits it to the caller's rows; the change trigger buries the keys.
CREATE FUNCTION sync.purge_row(tbl text, body jsonb) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  keys text[] := (public.confab_sync_spec(tbl)).keys;
BEGIN
  IF keys IS NULL THEN
    RAISE EXCEPTION '% is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  EXECUTE format('DELETE FROM public.%I AS t USING jsonb_populate_record(NULL::public.%I, $1) AS r WHERE %s',
                 tbl, tbl, (SELECT string_agg(format('t.%1$I = r.%1$I', k), ' AND ') FROM unnest(keys) AS k))
  USING body;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Pull: changes after the cursor, below the horizon (every xid below the snapshot's xmin has
-- finished, so nothing can appear behind the cursor later), with the live rows the caller may
-- read. Runs with the caller's rights: row-level security decides what comes back. Only xmin is
-- used, never the xip list (empty on a hot standby).
CREATE FUNCTION sync.pull(p_xid xid8, p_seq bigint, p_limit integer)
RETURNS TABLE (xid xid8, seq bigint, tbl text, op text, pk jsonb, body jsonb)
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  batch jsonb;
BEGIN
  SELECT coalesce(jsonb_agg(jsonb_build_object('xid', c.xid::text, 'seq', c.seq, 'tbl', c.tbl, 'op', c.op, 'pk', c.pk)
                            ORDER BY c.xid, c.seq), '[]')
    INTO batch
    FROM (SELECT ch.xid, ch.seq, ch.tbl, ch.op, ch.pk
            FROM sync.changes ch
           WHERE (ch.xid, ch.seq) > (p_xid, p_seq)
             AND ch.xid < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY ch.xid, ch.seq
           LIMIT least(greatest(p_limit, 1), 10000)) c;
  -- Each table's live rows by key in one index lookup (= ANY of the keys), not a join per row.
  RETURN QUERY
  WITH b AS (
    SELECT (e ->> 'xid')::xid8 AS xid, (e ->> 'seq')::bigint AS seq, e ->> 'tbl' AS tbl, e ->> 'op' AS op, e -> 'pk' AS pk
      FROM jsonb_array_elements(batch) e
  ), keyed AS (
    SELECT b.*, (b.pk ->> 0) AS k0 FROM b
  ), found AS (
    SELECT m.id::text AS k0, NULL::text AS k1, NULL::text AS k2, 'messages' AS t, to_jsonb(m) - 'search_tsv' AS body
      FROM public.messages m
     WHERE m.id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'messages' AND keyed.op = 'upsert')
    UNION ALL
    SELECT s.id::text, NULL, NULL, 'chat_sessions', to_jsonb(s) FROM public.chat_sessions s
     WHERE s.id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'chat_sessions' AND keyed.op = 'upsert')
    UNION ALL
    SELECT r.id::text, NULL, NULL, 'generation_runs', to_jsonb(r) FROM public.generation_runs r
     WHERE r.id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'generation_runs' AND keyed.op = 'upsert')
    UNION ALL
    SELECT te.id::text, NULL, NULL, 'tool_executions', to_jsonb(te) FROM public.tool_executions te
     WHERE te.id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'tool_executions' AND keyed.op = 'upsert')
    UNION ALL
    SELECT u.id::text, NULL, NULL, 'users', to_jsonb(u) FROM public.users u
     WHERE u.id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'users' AND keyed.op = 'upsert')
    UNION ALL
    SELECT st.session_id::text, st.owner_id::text, NULL, 'session_user_state', to_jsonb(st) FROM public.session_user_state st
     WHERE st.session_id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'session_user_state' AND keyed.op = 'upsert')
    UNION ALL
    SELECT tg.session_id::text, tg.owner_id::text, tg.tag, 'session_tags', to_jsonb(tg) FROM public.session_tags tg
     WHERE tg.session_id = ANY (SELECT k0::uuid FROM keyed WHERE keyed.tbl = 'session_tags' AND keyed.op = 'upsert')
  )
  SELECT k.xid, k.seq, k.tbl, k.op, k.pk, f.body
    FROM keyed k
    LEFT JOIN found f ON f.t = k.tbl AND f.k0 = k.k0
                     AND f.k1 IS NOT DISTINCT FROM (k.pk ->> 1) AND f.k2 IS NOT DISTINCT FROM (k.pk ->> 2)
                     AND k.op = 'upsert'
   ORDER BY k.xid, k.seq;
END
$$;

-- Rows by key, for what a pulled batch depends on (a message whose session or parent changed
-- later, so its change entry lies beyond the batch) and for backfilling a shared chat.
CREATE FUNCTION sync.rows_by_key(p_tbl text, p_pks jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  keys text[] := (public.confab_sync_spec(p_tbl)).keys;
BEGIN
  IF keys IS NULL THEN
    RAISE EXCEPTION '% is not a synced table', p_tbl USING ERRCODE = '22023';
  END IF;
  RETURN QUERY EXECUTE format(
    'SELECT to_jsonb(t) - ''search_tsv'' FROM public.%I t WHERE jsonb_build_array(%s) IN (SELECT jsonb_array_elements($1))',
    p_tbl, (SELECT string_agg(format('t.%I', k), ', ' ORDER BY o) FROM unnest(keys) WITH ORDINALITY AS x(k, o)))
  USING p_pks;
END
$$;

-- One chat as the caller may see it, for move-in (a chat shared with the team) and the initial
-- copy: the session, its messages (newest first) and the caller's own state and tags.
CREATE FUNCTION sync.session_rows(p_session_id uuid)
RETURNS TABLE (tbl text, body jsonb)
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT 'chat_sessions', to_jsonb(s) FROM public.chat_sessions s WHERE s.id = p_session_id
  UNION ALL
  SELECT 'messages', to_jsonb(m) - 'search_tsv' FROM public.messages m WHERE m.session_id = p_session_id
  UNION ALL
  SELECT 'session_user_state', to_jsonb(st) FROM public.session_user_state st WHERE st.session_id = p_session_id
  UNION ALL
  SELECT 'session_tags', to_jsonb(tg) FROM public.session_tags tg WHERE tg.session_id = p_session_id
$$;

-- ---------------------------------------------------------------------------------------------
-- Retention: prune old change entries in bulk and record the watermark in the same transaction.
-- A cursor below it gets must_refetch: a full pull that merges (and never deletes unpushed rows).
-- Run by the admin (its own rights: it sees every client), never by members.
CREATE FUNCTION sync.prune_changes(keep interval DEFAULT '30 days') RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n       bigint;
  top_xid xid8;
  top_seq bigint;
BEGIN
  WITH gone AS (
    DELETE FROM sync.changes c
     WHERE c.at < now() - keep AND c.xid < pg_snapshot_xmin(pg_current_snapshot())
    RETURNING c.xid, c.seq
  )
  SELECT count(*), max(xid), max(seq) FILTER (WHERE xid = (SELECT max(xid) FROM gone)) INTO n, top_xid, top_seq FROM gone;
  IF n > 0 THEN
    UPDATE sync.retention
       SET pruned_xid = greatest(pruned_xid, top_xid),
           pruned_seq = CASE WHEN top_xid > pruned_xid THEN top_seq ELSE greatest(pruned_seq, top_seq) END,
           pruned_at = now();
  END IF;
  -- Mutation ids are kept long enough to tell a resend from a clone; the last per client always.
  DELETE FROM sync.client_mutations cm
   WHERE cm.applied_at < now() - keep
     AND cm.mutation_no < (SELECT c.last_mutation_no FROM sync.clients c WHERE c.client_id = cm.client_id);
  RETURN n;
END
$$;

-- What `npm run team -- status` shows.
CREATE FUNCTION sync.status() RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object(
    'identity', sync.identity(),
    'clients', coalesce((SELECT jsonb_agg(jsonb_build_object(
                 'client_id', c.client_id, 'user', u.role_name, 'last_mutation_no', c.last_mutation_no,
                 'last_push_at', c.last_push_at, 'last_pull_at', c.last_pull_at,
                 'lag_changes', (SELECT count(*) FROM sync.changes ch WHERE c.last_pull_xid IS NULL OR ch.xid > c.last_pull_xid))
                 ORDER BY c.client_id)
               FROM sync.clients c LEFT JOIN sync.users u ON u.user_id = c.user_id), '[]'),
    'stalls', coalesce((SELECT jsonb_agg(to_jsonb(s)) FROM sync.stalls() s), '[]'),
    'change_index', jsonb_build_object('rows', (SELECT count(*) FROM sync.changes),
                                       'bytes', pg_total_relation_size('sync.changes')),
    'graveyard_rows', (SELECT count(*) FROM sync.graveyard),
    'pruned_through', (SELECT jsonb_build_object('xid', pruned_xid::text, 'seq', pruned_seq, 'at', pruned_at) FROM sync.retention))
$$;

-- A pull records how far the client got (for status and lag).
CREATE FUNCTION sync.pulled(p_client_id text, p_xid xid8) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  UPDATE sync.clients SET last_pull_at = now(), last_pull_xid = greatest(last_pull_xid, p_xid)
   WHERE client_id = p_client_id AND user_id = sync.caller_id()
$$;

-- ---------------------------------------------------------------------------------------------
-- Ownership and execution rights.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'sync'::regnamespace LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO confab_owner', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION sync.caller_id(), sync.caller_team(), sync.team_of(uuid), sync.may_read_session(uuid),
  sync.client_owner(text), sync.identity(), sync.row_pk(text, jsonb), sync.row_session(text, jsonb)
  TO confab_member, confab_owner;
GRANT EXECUTE ON FUNCTION sync.hello(text, integer, xid8, bigint, jsonb, bigint), sync.push(text, integer, jsonb),
  sync.pull(xid8, bigint, integer), sync.rows_by_key(text, jsonb), sync.session_rows(uuid), sync.stalls(interval),
  sync.pulled(text, xid8)
  TO confab_member;
-- Reading server identity and other backends' transactions, and ending stalled members.
GRANT EXECUTE ON FUNCTION pg_control_system(), pg_control_checkpoint() TO confab_owner;
GRANT pg_read_all_stats, pg_signal_backend TO confab_owner;
