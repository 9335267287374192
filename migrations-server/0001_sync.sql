-- The team server's own objects (SYNC.md v2): schema sync, the change index, push and pull,
-- row-level security, share events, retention and the stall watchdog. Applied only by
-- `npm run team -- init` (an admin connection, under an advisory lock, after migrations/), never
-- by the app. PostgreSQL 15+.
--
-- Roles (cluster-wide, so created only when missing):
--   confab_member  NOLOGIN: every user's login role is a member; may read synced tables under
--                  row-level security and execute the sync functions, nothing else.
--   confab_owner   NOLOGIN NOBYPASSRLS: owns the SECURITY DEFINER functions. Row-level security
--                  applies to it too, so a function it owns can only ever touch the caller's rows.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'confab_member') THEN
    CREATE ROLE confab_member NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'confab_owner') THEN
    CREATE ROLE confab_owner NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database of this cluster created it at the same moment
END
$$;

CREATE SCHEMA IF NOT EXISTS sync;
GRANT USAGE ON SCHEMA sync TO confab_member, confab_owner;
GRANT USAGE ON SCHEMA confab_hlc TO confab_owner;
GRANT USAGE, SELECT, UPDATE ON SEQUENCE confab_hlc.clock TO confab_owner;
GRANT SELECT ON confab_hlc.node TO confab_owner;
DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO confab_owner', current_database()); END $$;

-- ---------------------------------------------------------------------------------------------
-- Identity of this server. A restore into a new cluster, a failover to a new timeline or a
-- branch reset changes (system_identifier, timeline); meta_uuid changes when this row is lost.
CREATE TABLE sync.meta (
  only_row          boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  schema_version    integer NOT NULL,
  min_client_schema integer NOT NULL,
  meta_uuid         uuid NOT NULL DEFAULT gen_random_uuid(),
  created_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sync.meta (schema_version, min_client_schema)
SELECT coalesce(max(version), 0), coalesce(max(version), 0) FROM public.confab_migrations;

CREATE FUNCTION sync.identity() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object(
           'system_identifier', (SELECT system_identifier::text FROM pg_control_system()),
           'timeline', (SELECT timeline_id FROM pg_control_checkpoint()),
           'meta_uuid', (SELECT meta_uuid::text FROM sync.meta))
$$;

-- ---------------------------------------------------------------------------------------------
-- Users: one login role each. team_members is the part clients may see (no e-mail).
CREATE TABLE sync.users (
  role_name    text PRIMARY KEY,
  user_id      uuid NOT NULL UNIQUE,
  team_id      text NOT NULL DEFAULT 'default',
  display_name text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Who is calling: session_user, which a SECURITY DEFINER function does not change (current_user
-- would be the function's owner). An app-level SET is never the boundary.
CREATE FUNCTION sync.caller_id() RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT user_id FROM sync.users WHERE role_name = session_user::text
$$;
CREATE FUNCTION sync.caller_team() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT team_id FROM sync.users WHERE role_name = session_user::text
$$;
CREATE FUNCTION sync.team_of(uid uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT team_id FROM sync.users WHERE user_id = uid
$$;

CREATE VIEW sync.team_members WITH (security_invoker = true) AS
SELECT user_id, team_id, display_name FROM sync.users;

-- ---------------------------------------------------------------------------------------------
-- The state-based change index: keys only, one row per changed row (a newer change of the same
-- row replaces the older entry), judged by row-level security on the owner and session it names.
-- op: 'upsert' | 'purge' | 'share' | 'unshare' (share events are keyed by the session).
CREATE TABLE sync.changes (
  xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  tbl           text NOT NULL,
  pk            jsonb NOT NULL,
  op            text NOT NULL,
  owner_id      uuid NOT NULL,
  session_id    uuid,
  origin_client text,
  at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (xid, seq),
  CONSTRAINT changes_op_check CHECK (op IN ('upsert', 'purge', 'share', 'unshare'))
);
CREATE UNIQUE INDEX changes_row_idx ON sync.changes (tbl, pk) WHERE op IN ('upsert', 'purge');
CREATE INDEX changes_session_idx ON sync.changes (session_id);

-- Retention: change rows up to here were pruned; a cursor below it must refetch.
CREATE TABLE sync.retention (
  only_row          boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  pruned_xid        xid8 NOT NULL DEFAULT '0'::xid8,
  pruned_seq        bigint NOT NULL DEFAULT 0,
  pruned_at         timestamptz
);
INSERT INTO sync.retention DEFAULT VALUES;

-- Every purged key, forever: an upsert of a buried key is refused, so a purged chat never
-- comes back from a device that was offline when it was purged.
CREATE TABLE sync.graveyard (
  tbl        text NOT NULL,
  pk         jsonb NOT NULL,
  owner_id   uuid NOT NULL,
  session_id uuid,
  buried_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tbl, pk)
);

-- Clients: one per device (data folder). Mutation numbers are dense per client; their ids tell
-- a resend (same id) from a restored or cloned data folder (another id under a known number).
CREATE TABLE sync.clients (
  client_id        text PRIMARY KEY CHECK (client_id ~ '^[0-9a-f]{16}$'),
  user_id          uuid NOT NULL,
  last_mutation_no bigint NOT NULL DEFAULT 0,
  last_mutation_id uuid,
  last_push_at     timestamptz,
  last_pull_at     timestamptz,
  last_pull_xid    xid8,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE sync.client_mutations (
  client_id   text NOT NULL,
  mutation_no bigint NOT NULL,
  mutation_id uuid NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, mutation_no)
);
CREATE TABLE sync.rejected (
  client_id   text NOT NULL,
  mutation_no bigint NOT NULL,
  mutation_id uuid NOT NULL,
  tbl         text NOT NULL,
  pk          jsonb,
  reason      text NOT NULL,
  detail      text,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, mutation_no, mutation_id)
);

-- ---------------------------------------------------------------------------------------------
-- The synced tables, their key as JSON, and the owner and session a change row is judged by.
CREATE FUNCTION sync.row_pk(tbl text, r jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_agg(r -> k ORDER BY o) FROM unnest((public.confab_sync_spec(tbl)).keys) WITH ORDINALITY AS x(k, o)
$$;
CREATE FUNCTION sync.row_session(tbl text, r jsonb) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE tbl WHEN 'chat_sessions' THEN (r ->> 'id')::uuid
                  WHEN 'users' THEN NULL
                  ELSE (r ->> 'session_id')::uuid END
$$;

-- AFTER each statement on a synced table: replace the rows' change entries with new ones. Also
-- on admin SQL and jobs, so nothing written on the server escapes the index.
CREATE FUNCTION sync.note_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  origin text := nullif(current_setting('confab.origin_client', true), '');
BEGIN
  IF TG_OP = 'DELETE' THEN
    CREATE TEMP TABLE IF NOT EXISTS sync_noted (tbl text, pk jsonb, op text, owner_id uuid, session_id uuid) ON COMMIT DROP;
    TRUNCATE sync_noted;
    INSERT INTO sync_noted
    SELECT TG_TABLE_NAME, sync.row_pk(TG_TABLE_NAME, to_jsonb(o)), 'purge', (to_jsonb(o) ->> 'owner_id')::uuid,
           sync.row_session(TG_TABLE_NAME, to_jsonb(o))
      FROM old_rows o;
    INSERT INTO sync.graveyard (tbl, pk, owner_id, session_id)
    SELECT tbl, pk, owner_id, session_id FROM sync_noted ON CONFLICT DO NOTHING;
  ELSE
    CREATE TEMP TABLE IF NOT EXISTS sync_noted (tbl text, pk jsonb, op text, owner_id uuid, session_id uuid) ON COMMIT DROP;
    TRUNCATE sync_noted;
    INSERT INTO sync_noted
    SELECT TG_TABLE_NAME, sync.row_pk(TG_TABLE_NAME, to_jsonb(n)), 'upsert', (to_jsonb(n) ->> 'owner_id')::uuid,
           sync.row_session(TG_TABLE_NAME, to_jsonb(n))
      FROM new_rows n;
  END IF;
  DELETE FROM sync.changes c USING sync_noted s WHERE c.tbl = s.tbl AND c.pk = s.pk AND c.op IN ('upsert', 'purge');
  INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
  SELECT tbl, pk, op, owner_id, session_id, origin FROM sync_noted;
  RETURN NULL;
END
$$;

-- Sharing a chat (visibility private -> team) or unsharing it: an event teammates can see, so
-- their clients backfill the chat (move-in) or drop their copies (move-out).
CREATE FUNCTION sync.note_visibility() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
  SELECT 'chat_sessions', jsonb_build_array(n.id), CASE WHEN n.visibility = 'team' THEN 'share' ELSE 'unshare' END,
         n.owner_id, n.id, nullif(current_setting('confab.origin_client', true), '')
    FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE n.visibility IS DISTINCT FROM o.visibility;
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'generation_runs', 'tool_executions'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_sync_insert AFTER INSERT ON public.%1$I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sync.note_changes()', t);
    EXECUTE format('CREATE TRIGGER %1$s_sync_update AFTER UPDATE ON public.%1$I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sync.note_changes()', t);
    EXECUTE format('CREATE TRIGGER %1$s_sync_delete AFTER DELETE ON public.%1$I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sync.note_changes()', t);
  END LOOP;
END
$$;
CREATE TRIGGER chat_sessions_sync_visibility AFTER UPDATE ON public.chat_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync.note_visibility();

-- A server has no device user: the desktop's per-user view of the session row stays off here.
ALTER TABLE public.chat_sessions DISABLE TRIGGER chat_sessions_user_state_insert;
ALTER TABLE public.chat_sessions DISABLE TRIGGER chat_sessions_user_state_update;
ALTER TABLE public.chat_sessions DISABLE TRIGGER chat_sessions_user_view;
ALTER TABLE public.session_user_state DISABLE TRIGGER session_user_state_project_insert;
ALTER TABLE public.session_user_state DISABLE TRIGGER session_user_state_project_update;
ALTER TABLE public.session_tags DISABLE TRIGGER session_tags_project_insert;
ALTER TABLE public.session_tags DISABLE TRIGGER session_tags_project_update;
ALTER TABLE public.messages DISABLE TRIGGER messages_leaf_arrived;

-- ---------------------------------------------------------------------------------------------
-- Row-level security. Members read their own rows, plus chats shared with their team and those
-- chats' messages, read-only; they write only through sync.push. ENABLE and FORCE everywhere.
CREATE FUNCTION sync.may_read_session(sid uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM public.chat_sessions s
                  WHERE s.id = sid AND s.deleted_at IS NULL AND s.visibility = 'team'
                    AND sync.team_of(s.owner_id) = sync.caller_team())
$$;
-- (may_read_session reads chat_sessions as confab_owner, whose own policy below lets it see
-- every session: it answers a yes/no question and never returns a row.)

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'generation_runs', 'tool_executions'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    -- The owner role writes under the caller's identity (sync.push) and reads to judge.
    EXECUTE format('CREATE POLICY %1$s_owner_write ON public.%1$I FOR ALL TO confab_owner '
                   'USING (owner_id = (SELECT sync.caller_id())) WITH CHECK (owner_id = (SELECT sync.caller_id()))', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO confab_owner', t);
    EXECUTE format('GRANT SELECT ON public.%I TO confab_member', t);
  END LOOP;
END
$$;
-- What a member may read.
CREATE POLICY users_member_read ON public.users FOR SELECT TO confab_member
  USING (id = (SELECT sync.caller_id()));
CREATE POLICY chat_sessions_member_read ON public.chat_sessions FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id())
         OR (visibility = 'team' AND deleted_at IS NULL AND sync.team_of(owner_id) = (SELECT sync.caller_team())));
CREATE POLICY messages_member_read ON public.messages FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id()) OR sync.may_read_session(session_id));
CREATE POLICY session_user_state_member_read ON public.session_user_state FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id()));
CREATE POLICY session_tags_member_read ON public.session_tags FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id()));
-- Runs and tool calls hold costs: their owner's only.
CREATE POLICY generation_runs_member_read ON public.generation_runs FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id()));
CREATE POLICY tool_executions_member_read ON public.tool_executions FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id()));
-- The owner role judges sessions for may_read_session and the counters triggers.
CREATE POLICY chat_sessions_owner_judge ON public.chat_sessions FOR SELECT TO confab_owner USING (true);

-- The change index: a member sees entries of rows they may read, and share events of their team.
ALTER TABLE sync.changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.changes FORCE ROW LEVEL SECURITY;
CREATE POLICY changes_member_read ON sync.changes FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id())
         OR (tbl IN ('chat_sessions', 'messages') AND session_id IS NOT NULL AND sync.may_read_session(session_id))
         OR (op IN ('share', 'unshare') AND sync.team_of(owner_id) = (SELECT sync.caller_team())));
CREATE POLICY changes_owner_all ON sync.changes FOR ALL TO confab_owner USING (true) WITH CHECK (true);
GRANT SELECT ON sync.changes TO confab_member;
GRANT SELECT, INSERT, DELETE ON sync.changes TO confab_owner;

ALTER TABLE sync.graveyard ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.graveyard FORCE ROW LEVEL SECURITY;
CREATE POLICY graveyard_member_read ON sync.graveyard FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id())
         OR (session_id IS NOT NULL AND sync.team_of(owner_id) = (SELECT sync.caller_team())));
CREATE POLICY graveyard_owner_all ON sync.graveyard FOR ALL TO confab_owner USING (true) WITH CHECK (true);
GRANT SELECT ON sync.graveyard TO confab_member;
GRANT SELECT, INSERT ON sync.graveyard TO confab_owner;

ALTER TABLE sync.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_team_read ON sync.users FOR SELECT TO confab_member
  USING (team_id = (SELECT sync.caller_team()));
CREATE POLICY users_owner_read ON sync.users FOR SELECT TO confab_owner USING (true);
GRANT SELECT ON sync.users TO confab_owner;
GRANT SELECT (user_id, team_id, display_name) ON sync.users TO confab_member;
GRANT SELECT ON sync.team_members TO confab_member;

ALTER TABLE sync.clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.clients FORCE ROW LEVEL SECURITY;
CREATE POLICY clients_own ON sync.clients FOR ALL TO confab_owner
  USING (user_id = (SELECT sync.caller_id())) WITH CHECK (user_id = (SELECT sync.caller_id()));
CREATE POLICY clients_member_read ON sync.clients FOR SELECT TO confab_member
  USING (user_id = (SELECT sync.caller_id()));
GRANT SELECT, INSERT, UPDATE ON sync.clients TO confab_owner;
GRANT SELECT ON sync.clients TO confab_member;
-- A client id is taken by whoever registers it first; the owner role must see it to refuse it.
CREATE FUNCTION sync.client_owner(cid text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT user_id FROM sync.clients WHERE client_id = cid
$$;

ALTER TABLE sync.client_mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.client_mutations FORCE ROW LEVEL SECURITY;
CREATE POLICY client_mutations_own ON sync.client_mutations FOR ALL TO confab_owner
  USING (sync.client_owner(client_id) = (SELECT sync.caller_id()))
  WITH CHECK (sync.client_owner(client_id) = (SELECT sync.caller_id()));
GRANT SELECT, INSERT, DELETE ON sync.client_mutations TO confab_owner;

ALTER TABLE sync.rejected ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.rejected FORCE ROW LEVEL SECURITY;
CREATE POLICY rejected_own ON sync.rejected FOR ALL TO confab_owner
  USING (sync.client_owner(client_id) = (SELECT sync.caller_id()))
  WITH CHECK (sync.client_owner(client_id) = (SELECT sync.caller_id()));
CREATE POLICY rejected_member_read ON sync.rejected FOR SELECT TO confab_member
  USING (sync.client_owner(client_id) = (SELECT sync.caller_id()));
GRANT SELECT, INSERT ON sync.rejected TO confab_owner;
GRANT SELECT ON sync.rejected TO confab_member;

GRANT SELECT ON sync.meta, sync.retention TO confab_owner, confab_member;
-- Derived tables the server keeps for itself (usage rollups follow generation_runs): the owner
-- role writes them while applying a push; members get nothing.
GRANT SELECT, INSERT, UPDATE, DELETE ON public.usage_rollup_daily, public.usage_rollup_quarter, public.usage_rollup_session
  TO confab_owner;

-- Views over synced tables read with the caller's rights, never their owner's; local-only
-- tables (prices, rollups, settings, secrets, UI state, logs) get no grant at all.
ALTER VIEW public.session_summaries SET (security_invoker = true);
ALTER VIEW public.daily_usage SET (security_invoker = true);
GRANT SELECT ON public.session_summaries TO confab_member;
