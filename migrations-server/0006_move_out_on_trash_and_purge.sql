-- Fixes found by the sync proofs (tests/sync): move-out on trash and purge, a chat's rows belong
-- to its owner, and the change index rebased after a restore into a new cluster. (The change
-- trigger the proofs also fixed is replaced once, with its speed-ups, in 0007.)

-- Move-out when a shared chat leaves teammates' sight other than by unsharing (found by the
-- convergence proof, tests/sync/convergence.test.ts REGRESSIONS).
--
-- Teammates may read a team chat only while it is not in the trash (the chat_sessions and
-- messages policies), and its change entries are judged on the live row. So when its owner
-- trashed it, the trash's change entry was invisible to them, and when the owner purged it, the
-- purge entries were judged on a session that no longer exists: either way teammates kept their
-- copy forever, and a restore from the trash never came back to them either (their cursor was
-- past the chat's earlier entries). A chat is now "shared" while visibility = 'team' AND it is
-- not trashed: entering that state emits 'share' (teammates backfill it), leaving it by unshare,
-- trash or purge emits 'unshare' (teammates drop their copies; their own forks stay).

CREATE OR REPLACE FUNCTION sync.note_visibility() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
    SELECT 'chat_sessions', jsonb_build_array(o.id), 'unshare', o.owner_id, o.id,
           nullif(current_setting('confab.origin_client', true), '')
      FROM old_rows o
     WHERE o.visibility = 'team' AND o.deleted_at IS NULL;
    RETURN NULL;
  END IF;
  INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
  SELECT 'chat_sessions', jsonb_build_array(n.id), CASE WHEN now_shared THEN 'share' ELSE 'unshare' END,
         n.owner_id, n.id, nullif(current_setting('confab.origin_client', true), '')
    FROM (SELECT n.id, n.owner_id,
                 n.visibility = 'team' AND n.deleted_at IS NULL AS now_shared,
                 o.visibility = 'team' AND o.deleted_at IS NULL AS was_shared
            FROM new_rows n JOIN old_rows o ON o.id = n.id) n
   WHERE now_shared IS DISTINCT FROM was_shared;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.note_visibility() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.note_visibility() FROM PUBLIC;

CREATE TRIGGER chat_sessions_sync_move_out AFTER DELETE ON public.chat_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sync.note_visibility();

-- ---------------------------------------------------------------------------------------------
-- A chat's messages, runs, tool calls and files belong to the chat's owner (found by the RLS
-- proof, tests/sync/sharing.test.ts). Row-level security checked only the row's own owner_id, so
-- a member could push a message they own into a teammate's chat, shared (read-only by SYNC.md)
-- or even private (the foreign key check does not see row-level security): it landed in the
-- teammate's chat, and the pusher's own devices then failed every pull (the message's chat is
-- not theirs to fetch). Refused now with 42501, which sync.push records as a 'permission'
-- rejection; the rest of the batch applies.
CREATE FUNCTION sync.check_chat_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.session_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = NEW.session_id AND s.owner_id = NEW.owner_id) THEN
    RAISE EXCEPTION 'a row of % belongs to the owner of its chat', TG_TABLE_NAME USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;
ALTER FUNCTION sync.check_chat_owner() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.check_chat_owner() FROM PUBLIC;
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['messages', 'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_chat_owner BEFORE INSERT OR UPDATE OF session_id, owner_id ON public.%1$I '
                   'FOR EACH ROW EXECUTE FUNCTION sync.check_chat_owner()', t);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- A dump restored into a new cluster (found by the regression proof, tests/sync/recovery.test.ts).
-- The restored change index and the retention watermark hold xids of the old cluster, which mean
-- nothing in the new one: entries above the new cluster's xid counter stayed beyond the pull
-- horizon until the counter caught up, and a pruned_through watermark above it answered
-- must_refetch to every handshake (a full copy each round, for as long as that took). The
-- first handshake on a new cluster moves the whole index below any live xid (keeping its
-- order, by seq) and clears the watermark; every client is told server_regressed by the changed
-- identity anyway and starts over from a snapshot.
ALTER TABLE sync.meta ADD COLUMN cluster_id text;
UPDATE sync.meta SET cluster_id = (SELECT system_identifier::text FROM pg_control_system());

CREATE FUNCTION sync.rebase_after_restore() RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  here text := (SELECT system_identifier::text FROM pg_control_system());
BEGIN
  IF (SELECT cluster_id FROM sync.meta) IS NOT DISTINCT FROM here THEN
    RETURN false;
  END IF;
  -- One handshake rebases; the others wait for it here and then find nothing to do.
  PERFORM 1 FROM sync.meta FOR UPDATE;
  IF (SELECT cluster_id FROM sync.meta) IS NOT DISTINCT FROM here THEN
    RETURN false;
  END IF;
  UPDATE sync.changes SET xid = '1'::xid8;
  UPDATE sync.retention SET pruned_xid = '0'::xid8, pruned_seq = 0;
  UPDATE sync.meta SET cluster_id = here;
  RETURN true;
END
$$;
ALTER FUNCTION sync.rebase_after_restore() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.rebase_after_restore() FROM PUBLIC;
GRANT UPDATE ON sync.changes, sync.retention, sync.meta TO confab_owner;

CREATE OR REPLACE FUNCTION sync.hello(p_client_id text, p_schema_version integer, p_cursor_xid xid8, p_cursor_seq bigint,
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
  PERFORM sync.rebase_after_restore();
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
ALTER FUNCTION sync.hello(text, integer, xid8, bigint, jsonb, bigint) OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.hello(text, integer, xid8, bigint, jsonb, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.hello(text, integer, xid8, bigint, jsonb, bigint) TO confab_member;
