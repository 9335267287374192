-- A change entry follows a row's synced state, not every write to it. Each device recomputes the
-- derived columns itself (the table registry's `derived`: a chat's counters and last message
-- time, a message's depth), so a write that changed only those has nothing to send. 0001 noted
-- every UPDATE: the counters trigger that follows each pushed message moved its chat's entry
-- after the message, so in the change index every chat came after all of its messages. A first
-- pull then found each batch's messages ahead of their chats, fetched the chats by key and
-- merged the whole batch again, sometimes several times: 20,000 messages pulled at about 100
-- rows/s. Now an UPDATE notes only the rows whose non-derived columns changed (HLCs included, so
-- every merged edit still counts), and their order in the statement is kept.
CREATE OR REPLACE FUNCTION sync.note_updates() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
-- A key lookup is an index probe even while the change index's statistics still say it is
-- empty (until autovacuum analyzes it after a large first push, each probe was a full scan).
SET enable_seqscan = off AS $$
DECLARE
  origin       text := nullif(current_setting('confab.origin_client', true), '');
  spec         record;
  ignored      text[];
  pk_new       text;
  pk_old       text;
  session_expr text;
  changed      text;
  noted_pk     jsonb;
  -- text, not TG_TABLE_NAME's name type: compared as name (collation C) the (tbl, pk) index was
  -- not usable for tbl, and every probe read the whole index.
  this_table   text := TG_TABLE_NAME;
BEGIN
  SELECT * INTO spec FROM public.confab_sync_spec(TG_TABLE_NAME);
  ignored := coalesce(spec.derived, ARRAY[]::text[]);
  IF spec.keys IS NULL THEN
    pk_new := format('sync.row_pk(%L, to_jsonb(n))', TG_TABLE_NAME);
    pk_old := format('sync.row_pk(%L, to_jsonb(o))', TG_TABLE_NAME);
    session_expr := format('sync.row_session(%L, to_jsonb(n))', TG_TABLE_NAME);
  ELSE
    SELECT format('jsonb_build_array(%s)', string_agg(format('to_jsonb(n.%I)', k), ', ' ORDER BY o)),
           format('jsonb_build_array(%s)', string_agg(format('to_jsonb(o.%I)', k), ', ' ORDER BY o))
      INTO pk_new, pk_old FROM unnest(spec.keys) WITH ORDINALITY AS x(k, o);
    session_expr := CASE TG_TABLE_NAME WHEN 'chat_sessions' THEN 'n.id' WHEN 'users' THEN 'NULL::uuid'
                                       ELSE 'n.session_id' END;
  END IF;
  -- One row per key, as it was last in the statement, kept only if it differs from before the
  -- statement in a column that is not derived. Transition tables carry their row counts, so a
  -- large statement is planned as a hash join of the two.
  changed := format(
    'SELECT x.pk, x.owner_id, x.session_id, x.i FROM ('
    '  SELECT DISTINCT ON (r.pk) r.pk, r.owner_id, r.session_id, r.i, r.body FROM ('
    '    SELECT %1$s AS pk, n.owner_id, %2$s AS session_id, row_number() OVER () AS i, to_jsonb(n) - $2 AS body'
    '      FROM new_rows n) r'
    '  ORDER BY r.pk, r.i DESC) x'
    ' LEFT JOIN (SELECT %3$s AS pk, to_jsonb(o) - $2 AS body FROM old_rows o) b ON b.pk = x.pk'
    ' WHERE b.body IS DISTINCT FROM x.body',
    pk_new, session_expr, pk_old);
  FOR noted_pk IN EXECUTE format('SELECT DISTINCT s.pk FROM (%s) s', changed) USING origin, ignored LOOP
    DELETE FROM sync.changes c WHERE c.tbl = this_table AND c.op IN ('upsert', 'purge') AND c.pk = noted_pk;
  END LOOP;
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client) '
                 'SELECT %L, y.pk, ''upsert'', y.owner_id, y.session_id, $1 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, changed)
    USING origin, ignored;
  RETURN NULL;
END
$$;

-- The entries a statement replaces are deleted key by key, each one probe of the change index's
-- unique (tbl, pk) index whatever the statistics say (sequential scans are off in these triggers). 0007 joined the statement's rows to
-- sync.changes; until autovacuum analyzes the table after a large first push, the planner took it
-- for nearly empty and compared every entry with every row of the statement (5,000 by 20,000 in
-- a first push; about 50 ms for one pushed message at 20,000 messages).
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
  FOR noted_pk IN EXECUTE format('SELECT DISTINCT %s FROM %I n', pk_expr, source) LOOP
    DELETE FROM sync.changes c WHERE c.tbl = this_table AND c.op IN ('upsert', 'purge') AND c.pk = noted_pk;
  END LOOP;
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client) '
                 'SELECT %L, y.pk, %L, y.owner_id, y.session_id, $1 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, op, noted)
    USING origin;
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'attachments', 'generation_runs', 'tool_executions'] LOOP
    EXECUTE format('DROP TRIGGER %1$s_sync_update ON public.%1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_sync_update AFTER UPDATE ON public.%1$I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sync.note_updates()', t);
  END LOOP;
END
$$;

ALTER FUNCTION sync.note_updates() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.note_updates() FROM PUBLIC;

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
  UPDATE sync_push SET state = 'rejected', reason = 'unknown_table'
   WHERE state = 'new' AND (public.confab_sync_spec(tbl)).policy IS NULL;
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
