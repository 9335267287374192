-- Team sync, the shared half (SYNC.md v2): hybrid logical clocks, HLC stamping, per-user state
-- out of the shared session row, tags as rows, per-key HLCs for settings, status and deletion
-- HLCs on append-only rows, and the merge itself. The same file runs on PGlite (PostgreSQL 18)
-- and on a team PostgreSQL 15+, so the desktop's applier and the server's sync.push run the same
-- merge code. Server-only objects (schema sync, change index, policies) are in migrations-server/.
--
-- Upgrading in place: every added column is nullable or has a constant default (no rewrite of a
-- large messages table); existing rows carry no HLC, which reads as "older than any write".

-- ---------------------------------------------------------------------------------------------
-- Hybrid logical clock. Text of fixed width, so that string order (COLLATE "C") is time order:
--   MMMMMMMMMMMMMMM-CCCCC-NNNNNNNNNNNNNNNN
--   wall milliseconds (15 digits) - counter (5 digits) - node id (16 hex digits)
-- The clock's state is one sequence holding ms * 100000 + counter: nextval is lock-free and not
-- rolled back, so concurrent transactions on a server never queue on a clock row, and a value
-- once handed out is never handed out again. (A sequence lives outside schema public, which
-- holds no sequences: keys are UUIDv7.)
CREATE SCHEMA confab_hlc;
CREATE SEQUENCE confab_hlc.clock AS bigint MINVALUE 0 START WITH 0;
-- This database's node id: the device's client id on a desktop, the server's own on a server.
-- A clone of a data folder gets a new one when the server answers client_conflict.
CREATE TABLE confab_hlc.node (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  id       text NOT NULL CHECK (id ~ '^[0-9a-f]{16}$')
);
INSERT INTO confab_hlc.node (id) VALUES (left(md5(random()::text || clock_timestamp()::text), 16));

CREATE FUNCTION confab_hlc_node() RETURNS text
LANGUAGE sql STABLE AS $$ SELECT id FROM confab_hlc.node $$;

CREATE FUNCTION confab_hlc_pack(logical bigint, node text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lpad((logical / 100000)::text, 15, '0') || '-' || lpad((logical % 100000)::text, 5, '0') || '-' || node
$$;

-- ms * 100000 + counter of an HLC text; NULL for anything that is not one, or that lies beyond
-- the year 4800 (ms * 100000 must fit a bigint; the server refuses such clocks anyway).
CREATE FUNCTION confab_hlc_logical(hlc text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN hlc ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$' AND substr(hlc, 1, 15)::bigint < 90000000000000
              THEN substr(hlc, 1, 15)::bigint * 100000 + substr(hlc, 17, 5)::bigint END
$$;

-- The send step: max(wall clock, last value + 1). Each call hands out a new value.
CREATE FUNCTION confab_hlc_now() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v    bigint := nextval('confab_hlc.clock');
  wall bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint * 100000;
BEGIN
  IF wall > v THEN
    PERFORM setval('confab_hlc.clock', wall);
    v := wall;
  END IF;
  RETURN confab_hlc_pack(v, confab_hlc_node());
END
$$;

-- The receive step: a write made after seeing `hlc` gets a greater one.
CREATE FUNCTION confab_hlc_receive(hlc text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  seen bigint := confab_hlc_logical(hlc);
BEGIN
  IF seen IS NOT NULL AND seen > (SELECT last_value FROM confab_hlc.clock) THEN
    PERFORM setval('confab_hlc.clock', seen);
  END IF;
END
$$;

-- HLCs compare as bytes; NULL (a row written before sync existed) is older than any HLC.
CREATE FUNCTION confab_hlc_max(a text, b text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN coalesce(a, '') COLLATE "C" >= coalesce(b, '') COLLATE "C" THEN a ELSE b END
$$;

-- ---------------------------------------------------------------------------------------------
-- What syncs and how, in SQL (the merge and the stamping triggers read it; a test keeps it equal
-- to the table registry, src/main/db/schema/tables.ts).
--  lww-columns: each column is last-writer-wins by its HLC in col_hlc ('_' is the HLC of every
--               column without an entry of its own; 'settings' holds one HLC per key);
--  append-only: written once; the status group (every other column) changes under status_hlc,
--               deleted_at under deleted_hlc;
--  tag-set:     a (session, user, tag) row that is present while added_hlc > removed_hlc.
-- Derived columns are computed by each side and never merged.
CREATE FUNCTION confab_sync_spec(tbl text, OUT policy text, OUT keys text[], OUT derived text[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT s.policy, s.keys, s.derived
    FROM (VALUES
      ('users', 'lww-columns', ARRAY['id'], ARRAY['is_local']),
      ('chat_sessions', 'lww-columns', ARRAY['id'],
       ARRAY['message_count', 'tokens_in', 'tokens_out', 'last_message_at', 'last_activity_at',
             'pinned', 'status', 'tags', 'current_leaf_id']),
      ('session_user_state', 'lww-columns', ARRAY['session_id', 'owner_id'], ARRAY[]::text[]),
      ('session_tags', 'tag-set', ARRAY['session_id', 'owner_id', 'tag'], ARRAY[]::text[]),
      ('messages', 'append-only', ARRAY['id'], ARRAY['depth', 'search_tsv']),
      ('generation_runs', 'append-only', ARRAY['id'], ARRAY[]::text[]),
      ('tool_executions', 'append-only', ARRAY['id'], ARRAY[]::text[])
    ) AS s(tbl, policy, keys, derived)
   WHERE s.tbl = $1
$$;

-- Columns kept by the merge's own rules rather than as data: HLCs, and the row's times.
CREATE FUNCTION confab_sync_bookkeeping() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY['col_hlc', 'status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc', 'created_at', 'updated_at']
$$;

-- The data columns of a synced table: every stored column but keys, derived and bookkeeping.
CREATE FUNCTION confab_sync_data_columns(tbl text) RETURNS text[]
LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), ARRAY[]::text[])
    FROM pg_attribute a
   WHERE a.attrelid = format('public.%I', tbl)::regclass
     AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     AND NOT a.attname = ANY ((confab_sync_spec(tbl)).keys)
     AND NOT a.attname = ANY ((confab_sync_spec(tbl)).derived)
     AND NOT a.attname = ANY (confab_sync_bookkeeping())
$$;

-- The device's user: the one whose per-user state the session row shows (see below).
CREATE FUNCTION confab_device_user() RETURNS uuid
LANGUAGE sql STABLE AS $$
  SELECT id FROM users WHERE is_local AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1
$$;

-- ---------------------------------------------------------------------------------------------
-- Foreign keys that may cross owners go (SYNC.md): a device holds only what it may see, and a
-- teammate's shared chat names an owner this device may not have as a row. The branch shown is
-- per user now (session_user_state), so its foreign key goes too; deleting the shown message
-- still clears it, by a trigger below. Within one owner's data (a message's session and parent,
-- a run's message) the deferred keys stay: the server's pull sends what a row depends on in the
-- same batch, and the applier writes a batch in one transaction.
ALTER TABLE chat_sessions DROP CONSTRAINT IF EXISTS chat_sessions_owner_id_fkey;
ALTER TABLE chat_sessions DROP CONSTRAINT IF EXISTS chat_sessions_current_leaf_fk;
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_owner_id_fkey;
ALTER TABLE generation_runs DROP CONSTRAINT IF EXISTS generation_runs_owner_id_fkey;
ALTER TABLE tool_executions DROP CONSTRAINT IF EXISTS tool_executions_owner_id_fkey;

-- ---------------------------------------------------------------------------------------------
-- New bookkeeping columns. NULL HLC = written before sync (older than anything).
ALTER TABLE users ADD COLUMN col_hlc jsonb NOT NULL DEFAULT '{}';

-- Messages record the device that wrote them, so crash recovery marks only this device's
-- streaming replies interrupted; status and deletion each change under their own HLC.
ALTER TABLE messages ADD COLUMN origin_client text;
ALTER TABLE messages ADD COLUMN status_hlc text;
ALTER TABLE messages ADD COLUMN deleted_hlc text;
ALTER TABLE generation_runs ADD COLUMN status_hlc text;
ALTER TABLE generation_runs ADD COLUMN deleted_hlc text;
ALTER TABLE tool_executions ADD COLUMN status_hlc text;
ALTER TABLE tool_executions ADD COLUMN deleted_hlc text;
-- Defaults set after the columns exist: a volatile default in ADD COLUMN would rewrite the table.
ALTER TABLE messages ALTER COLUMN origin_client SET DEFAULT confab_hlc_node();
ALTER TABLE messages ALTER COLUMN status_hlc SET DEFAULT confab_hlc_now();
ALTER TABLE messages ALTER COLUMN deleted_hlc SET DEFAULT confab_hlc_now();
ALTER TABLE generation_runs ALTER COLUMN status_hlc SET DEFAULT confab_hlc_now();
ALTER TABLE generation_runs ALTER COLUMN deleted_hlc SET DEFAULT confab_hlc_now();
ALTER TABLE tool_executions ALTER COLUMN status_hlc SET DEFAULT confab_hlc_now();
ALTER TABLE tool_executions ALTER COLUMN deleted_hlc SET DEFAULT confab_hlc_now();
CREATE INDEX messages_origin_streaming_idx ON messages (origin_client) WHERE status = 'streaming';

-- ---------------------------------------------------------------------------------------------
-- Per-user state of a session: one user's pin must not move a teammate's sidebar, and each user
-- picks their own branch. Keyed by (session, user); owner_id is the user, so the same row-level
-- rule (owner_id = caller) covers it. No foreign key: a state row may arrive before its session.
CREATE TABLE session_user_state (
  session_id      uuid NOT NULL,
  owner_id        uuid NOT NULL,
  pinned          boolean NOT NULL DEFAULT false,
  archived        boolean NOT NULL DEFAULT false,
  current_leaf_id uuid,
  col_hlc         jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  deleted_at      timestamptz,
  PRIMARY KEY (session_id, owner_id)
);
CREATE INDEX session_user_state_owner_idx ON session_user_state (owner_id);
CREATE TRIGGER session_user_state_touch BEFORE UPDATE ON session_user_state
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- Tags as rows, so two devices tagging one chat concurrently both keep their tag: a tag is on
-- while added_hlc > removed_hlc (an add wins over an older remove).
CREATE TABLE session_tags (
  session_id  uuid NOT NULL,
  owner_id    uuid NOT NULL,
  tag         text NOT NULL,
  added_hlc   text,
  removed_hlc text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  PRIMARY KEY (session_id, owner_id, tag),
  CONSTRAINT session_tags_tag_length CHECK (char_length(tag) BETWEEN 1 AND 100)
);
CREATE INDEX session_tags_owner_idx ON session_tags (owner_id);
CREATE TRIGGER session_tags_touch BEFORE UPDATE ON session_tags
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

CREATE FUNCTION confab_tag_is_on(added_hlc text, removed_hlc text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT added_hlc IS NOT NULL AND coalesce(added_hlc, '') COLLATE "C" > coalesce(removed_hlc, '') COLLATE "C"
$$;

-- Today's data moves in place: each session's pin, archive, branch and tags become its owner's
-- state, with no HLC (older than any write made from now on).
INSERT INTO session_user_state (session_id, owner_id, pinned, archived, current_leaf_id, created_at, updated_at)
SELECT id, owner_id, pinned, status = 'archived', current_leaf_id, created_at, updated_at FROM chat_sessions;
INSERT INTO session_tags (session_id, owner_id, tag, added_hlc, created_at, updated_at)
SELECT DISTINCT s.id, s.owner_id, t.tag, '000000000000000-00000-0000000000000000', s.created_at, s.updated_at
  FROM chat_sessions s, unnest(s.tags) AS t(tag)
 WHERE char_length(t.tag) BETWEEN 1 AND 100;

-- ---------------------------------------------------------------------------------------------
-- Stamping: every local write (and on a server, every admin write) labels what it changed with
-- a fresh HLC. Nothing is stamped while pulled or pushed changes are applied: they bring theirs.
CREATE FUNCTION confab_stamp_lww() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  h        text;
  skip     text[];
  jn       jsonb;
  jo       jsonb;
  col      text;
  hlcs     jsonb;
  key_hlcs jsonb;
  k        text;
BEGIN
  IF confab_applying() THEN
    RETURN NEW;
  END IF;
  h := confab_hlc_now();
  IF TG_OP = 'INSERT' THEN
    NEW.col_hlc := jsonb_build_object('_', h);
    RETURN NEW;
  END IF;
  skip := (confab_sync_spec(TG_TABLE_NAME)).keys || (confab_sync_spec(TG_TABLE_NAME)).derived || confab_sync_bookkeeping();
  jn := to_jsonb(NEW);
  jo := to_jsonb(OLD);
  hlcs := OLD.col_hlc;
  FOR col IN SELECT e.key FROM jsonb_each(jn) e WHERE NOT e.key = ANY (skip) AND e.value IS DISTINCT FROM jo -> e.key LOOP
    IF col = 'settings' THEN
      key_hlcs := coalesce(hlcs -> 'settings', '{}');
      FOR k IN
        SELECT x.key FROM (SELECT key FROM jsonb_object_keys(jn -> 'settings') AS key
                           UNION SELECT key FROM jsonb_object_keys(jo -> 'settings') AS key) x
         WHERE (jn -> 'settings' -> x.key) IS DISTINCT FROM (jo -> 'settings' -> x.key)
      LOOP
        key_hlcs := jsonb_set(key_hlcs, ARRAY[k], to_jsonb(h));
      END LOOP;
      hlcs := jsonb_set(hlcs, ARRAY['settings'], key_hlcs);
    ELSE
      hlcs := jsonb_set(hlcs, ARRAY[col], to_jsonb(h));
    END IF;
  END LOOP;
  NEW.col_hlc := hlcs;
  RETURN NEW;
END
$$;

CREATE FUNCTION confab_stamp_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  skip text[];
BEGIN
  IF confab_applying() THEN
    RETURN NEW;
  END IF;
  IF NEW.deleted_at IS DISTINCT FROM OLD.deleted_at THEN
    NEW.deleted_hlc := confab_hlc_now();
  END IF;
  skip := (confab_sync_spec(TG_TABLE_NAME)).derived || confab_sync_bookkeeping() || ARRAY['deleted_at'];
  IF (to_jsonb(NEW) - skip) IS DISTINCT FROM (to_jsonb(OLD) - skip) THEN
    NEW.status_hlc := confab_hlc_now();
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER users_stamp BEFORE INSERT OR UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_lww();
CREATE TRIGGER chat_sessions_stamp BEFORE INSERT OR UPDATE ON chat_sessions
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_lww();
CREATE TRIGGER session_user_state_stamp BEFORE INSERT OR UPDATE ON session_user_state
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_lww();
CREATE TRIGGER messages_stamp BEFORE UPDATE ON messages
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_append_only();
CREATE TRIGGER generation_runs_stamp BEFORE UPDATE ON generation_runs
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_append_only();
CREATE TRIGGER tool_executions_stamp BEFORE UPDATE ON tool_executions
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_append_only();

-- ---------------------------------------------------------------------------------------------
-- The session row's pinned, status, tags and current_leaf_id are now the *device user's view*
-- of session_user_state and session_tags: derived columns, never merged, kept on the session row
-- so the sidebar's one index (status, pinned, last activity) still serves the list. Local writes
-- keep writing them there; these triggers carry each change into the synced rows (stamped), and
-- rows pulled from the server are projected back. A team server disables both directions (it has
-- no device user), see migrations-server/.
CREATE FUNCTION confab_user_state_from_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  me uuid;
BEGIN
  IF confab_applying() THEN
    RETURN NULL;
  END IF;
  me := confab_device_user();
  IF me IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO session_user_state (session_id, owner_id, pinned, archived, current_leaf_id)
    SELECT n.id, me, n.pinned, n.status = 'archived', n.current_leaf_id FROM new_rows n
    ON CONFLICT (session_id, owner_id) DO UPDATE
      SET pinned = EXCLUDED.pinned, archived = EXCLUDED.archived, current_leaf_id = EXCLUDED.current_leaf_id;
    INSERT INTO session_tags (session_id, owner_id, tag, added_hlc)
    SELECT DISTINCT n.id, me, t.tag, confab_hlc_now() FROM new_rows n, unnest(n.tags) AS t(tag)
    ON CONFLICT (session_id, owner_id, tag) DO UPDATE SET added_hlc = EXCLUDED.added_hlc;
    RETURN NULL;
  END IF;
  INSERT INTO session_user_state (session_id, owner_id, pinned, archived, current_leaf_id)
  SELECT n.id, me, n.pinned, n.status = 'archived', n.current_leaf_id
    FROM new_rows n JOIN old_rows o ON o.id = n.id
   WHERE (n.pinned, n.status, n.current_leaf_id) IS DISTINCT FROM (o.pinned, o.status, o.current_leaf_id)
  ON CONFLICT (session_id, owner_id) DO UPDATE
    SET pinned = EXCLUDED.pinned, archived = EXCLUDED.archived, current_leaf_id = EXCLUDED.current_leaf_id;
  -- Tags added and removed, each stamped; a removed tag keeps its row (its removal must sync).
  INSERT INTO session_tags AS st (session_id, owner_id, tag, added_hlc, removed_hlc)
  SELECT n.id, me, t.tag,
         CASE WHEN t.tag = ANY (n.tags) THEN confab_hlc_now() END,
         CASE WHEN t.tag = ANY (n.tags) THEN NULL ELSE confab_hlc_now() END
    FROM new_rows n JOIN old_rows o ON o.id = n.id,
         LATERAL (SELECT x FROM unnest(n.tags) AS x WHERE NOT x = ANY (o.tags)
                  UNION SELECT x FROM unnest(o.tags) AS x WHERE NOT x = ANY (n.tags)) AS t(tag)
   WHERE n.tags IS DISTINCT FROM o.tags
  ON CONFLICT (session_id, owner_id, tag) DO UPDATE
    SET added_hlc = coalesce(EXCLUDED.added_hlc, st.added_hlc),
        removed_hlc = coalesce(EXCLUDED.removed_hlc, st.removed_hlc);
  RETURN NULL;
END
$$;
CREATE TRIGGER chat_sessions_user_state_insert AFTER INSERT ON chat_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_user_state_from_sessions();
CREATE TRIGGER chat_sessions_user_state_update AFTER UPDATE ON chat_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION confab_user_state_from_sessions();

-- Pulled state shown on the session row. The branch is shown only once its message is here (a
-- later message insert fills it in), so a reader never follows a dangling leaf.
CREATE FUNCTION confab_sessions_from_user_state() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_applying() THEN
    RETURN NULL;
  END IF;
  UPDATE chat_sessions s
     SET pinned = n.pinned,
         status = CASE WHEN n.archived THEN 'archived' ELSE 'active' END,
         current_leaf_id = CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = n.current_leaf_id)
                                THEN n.current_leaf_id ELSE s.current_leaf_id END
    FROM new_rows n
   WHERE s.id = n.session_id AND n.owner_id = confab_device_user();
  RETURN NULL;
END
$$;
CREATE TRIGGER session_user_state_project_insert AFTER INSERT ON session_user_state
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_from_user_state();
CREATE TRIGGER session_user_state_project_update AFTER UPDATE ON session_user_state
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_from_user_state();

CREATE FUNCTION confab_sessions_from_tags() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_applying() THEN
    RETURN NULL;
  END IF;
  UPDATE chat_sessions s
     SET tags = coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM session_tags t
                           WHERE t.session_id = s.id AND t.owner_id = confab_device_user()
                             AND confab_tag_is_on(t.added_hlc, t.removed_hlc)), '{}')
   WHERE s.id IN (SELECT n.session_id FROM new_rows n WHERE n.owner_id = confab_device_user());
  RETURN NULL;
END
$$;
CREATE TRIGGER session_tags_project_insert AFTER INSERT ON session_tags
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_from_tags();
CREATE TRIGGER session_tags_project_update AFTER UPDATE ON session_tags
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_from_tags();

-- A pulled session arriving after its state: it shows the state at once.
CREATE FUNCTION confab_session_user_view_on_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  st session_user_state;
BEGIN
  IF NOT confab_applying() THEN
    RETURN NEW;
  END IF;
  SELECT * INTO st FROM session_user_state WHERE session_id = NEW.id AND owner_id = confab_device_user();
  IF FOUND THEN
    NEW.pinned := st.pinned;
    NEW.status := CASE WHEN st.archived THEN 'archived' ELSE 'active' END;
    NEW.current_leaf_id := CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.id = st.current_leaf_id)
                                THEN st.current_leaf_id END;
  END IF;
  NEW.tags := coalesce((SELECT array_agg(t.tag ORDER BY t.tag) FROM session_tags t
                         WHERE t.session_id = NEW.id AND t.owner_id = confab_device_user()
                           AND confab_tag_is_on(t.added_hlc, t.removed_hlc)), '{}');
  RETURN NEW;
END
$$;
CREATE TRIGGER chat_sessions_user_view BEFORE INSERT ON chat_sessions
  FOR EACH ROW EXECUTE FUNCTION confab_session_user_view_on_insert();

-- A pulled message that is the device user's chosen branch: shown now that it is here.
CREATE FUNCTION confab_leaf_arrived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_applying() THEN
    RETURN NULL;
  END IF;
  UPDATE chat_sessions s SET current_leaf_id = st.current_leaf_id
    FROM session_user_state st, new_rows n
   WHERE st.current_leaf_id = n.id AND st.owner_id = confab_device_user() AND s.id = st.session_id
     AND s.current_leaf_id IS DISTINCT FROM st.current_leaf_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_leaf_arrived AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_leaf_arrived();

-- What the dropped foreign key did: purging the shown message clears the shown branch.
CREATE FUNCTION confab_leaf_purged() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chat_sessions s SET current_leaf_id = NULL
   WHERE s.current_leaf_id IN (SELECT o.id FROM old_rows o);
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_leaf_purged AFTER DELETE ON messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_leaf_purged();

-- ---------------------------------------------------------------------------------------------
-- The merge. A join-semilattice per column: the value with the greater (HLC, value) wins, so
-- applying the same rows in any order, any number of times, gives the same result. Ties of HLC
-- only happen for rows written before sync (no HLC) or for the same write seen twice; the value
-- breaks them so that two devices never keep different values under one HLC.

-- Does the incoming value of `col` win? Its HLC (own entry, else the row's '_') must be greater,
-- or equal with a greater value.
CREATE FUNCTION confab_lww_wins(in_hlcs jsonb, cur_hlcs jsonb, col text, in_val jsonb, cur_val jsonb)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
           WHEN coalesce(in_hlcs ->> col, in_hlcs ->> '_', '') COLLATE "C"
                <> coalesce(cur_hlcs ->> col, cur_hlcs ->> '_', '') COLLATE "C"
             THEN coalesce(in_hlcs ->> col, in_hlcs ->> '_', '') COLLATE "C"
                  > coalesce(cur_hlcs ->> col, cur_hlcs ->> '_', '') COLLATE "C"
           ELSE in_hlcs ? col OR in_hlcs ? '_'
                -- equal HLCs from an incoming row that names the column: the greater value wins
                AND coalesce(in_val::text, '') COLLATE "C" > coalesce(cur_val::text, '') COLLATE "C"
         END
$$;

-- The joined col_hlc: per column the greater HLC, '_' the greater base; 'settings' per key.
CREATE FUNCTION confab_hlc_join(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(k, v), '{}')
    FROM (
      SELECT k, to_jsonb(confab_hlc_max(coalesce(a ->> k, a ->> '_'), coalesce(b ->> k, b ->> '_'))) AS v
        FROM (SELECT jsonb_object_keys(a) AS k UNION SELECT jsonb_object_keys(b)) keys
       WHERE k <> 'settings'
      UNION ALL
      SELECT 'settings', (
        SELECT coalesce(jsonb_object_agg(sk, to_jsonb(confab_hlc_max(
                 coalesce(a -> 'settings' ->> sk, a ->> '_'), coalesce(b -> 'settings' ->> sk, b ->> '_')))), '{}')
          FROM (SELECT jsonb_object_keys(coalesce(a -> 'settings', '{}')) AS sk
                UNION SELECT jsonb_object_keys(coalesce(b -> 'settings', '{}'))) skeys)
       WHERE a ? 'settings' OR b ? 'settings'
    ) joined
   WHERE v IS NOT NULL AND v <> 'null'::jsonb
$$;

-- A settings map merged key by key; a key whose winning value is null is absent.
CREATE FUNCTION confab_merge_settings(cur_val jsonb, cur_hlcs jsonb, in_val jsonb, in_hlcs jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(k, v) FILTER (WHERE v IS NOT NULL AND v <> 'null'::jsonb), '{}')
    FROM (
      SELECT k,
             CASE WHEN confab_lww_wins(
                         jsonb_build_object('_', coalesce(in_hlcs -> 'settings' ->> k, in_hlcs ->> '_')),
                         jsonb_build_object('_', coalesce(cur_hlcs -> 'settings' ->> k, cur_hlcs ->> '_')),
                         '_', in_val -> k, cur_val -> k)
                  THEN in_val -> k ELSE cur_val -> k END AS v
        FROM (SELECT jsonb_object_keys(coalesce(cur_val, '{}')) AS k
              UNION SELECT jsonb_object_keys(coalesce(in_val, '{}'))
              UNION SELECT jsonb_object_keys(coalesce(in_hlcs -> 'settings', '{}'))) keys
    ) merged
$$;

-- The SET list of the merge for one table, with `src` naming the incoming row.
CREATE FUNCTION confab_merge_assignments(tbl text, src text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  spec  record;
  cols  text[];
  parts text[] := ARRAY[]::text[];
  col   text;
BEGIN
  SELECT * INTO spec FROM confab_sync_spec(tbl);
  IF spec.policy IS NULL THEN
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  cols := confab_sync_data_columns(tbl);
  IF spec.policy = 'lww-columns' THEN
    FOREACH col IN ARRAY cols LOOP
      IF col = 'settings' THEN
        parts := parts || format('settings = confab_merge_settings(cur.settings, cur.col_hlc, %1$s.settings, %1$s.col_hlc)', src);
      ELSE
        parts := parts || format(
          '%1$I = CASE WHEN confab_lww_wins(%2$s.col_hlc, cur.col_hlc, %1$L, to_jsonb(%2$s.%1$I), to_jsonb(cur.%1$I)) THEN %2$s.%1$I ELSE cur.%1$I END',
          col, src);
      END IF;
    END LOOP;
    parts := parts || format('col_hlc = confab_hlc_join(cur.col_hlc, %s.col_hlc)', src);
  ELSIF spec.policy = 'append-only' THEN
    FOREACH col IN ARRAY cols LOOP
      IF col = 'deleted_at' THEN
        parts := parts || format(
          'deleted_at = CASE WHEN coalesce(%1$s.deleted_hlc, '''') COLLATE "C" > coalesce(cur.deleted_hlc, '''') COLLATE "C" THEN %1$s.deleted_at ELSE cur.deleted_at END',
          src);
      ELSE
        parts := parts || format(
          '%1$I = CASE WHEN coalesce(%2$s.status_hlc, '''') COLLATE "C" > coalesce(cur.status_hlc, '''') COLLATE "C" THEN %2$s.%1$I ELSE cur.%1$I END',
          col, src);
      END IF;
    END LOOP;
    parts := parts || format('status_hlc = confab_hlc_max(cur.status_hlc, %s.status_hlc)', src)
                   || format('deleted_hlc = confab_hlc_max(cur.deleted_hlc, %s.deleted_hlc)', src);
  ELSIF spec.policy = 'tag-set' THEN
    parts := parts || format('added_hlc = confab_hlc_max(cur.added_hlc, %s.added_hlc)', src)
                   || format('removed_hlc = confab_hlc_max(cur.removed_hlc, %s.removed_hlc)', src)
                   || format('deleted_at = greatest(cur.deleted_at, %s.deleted_at)', src);
  ELSE
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  parts := parts || format('created_at = least(cur.created_at, %s.created_at)', src)
                 || format('updated_at = greatest(cur.updated_at, %s.updated_at)', src);
  RETURN array_to_string(parts, ', ');
END
$$;

-- Merges `rows` (a JSON array of row objects) into `tbl`. A row whose key is not here yet is
-- inserted as given, so it must be whole (every column; pulled rows and insert mutations are);
-- any other row object merges into the existing row and may carry only its key and the changed
-- columns with their HLCs (push mutations of updates). A row object for a missing key without
-- created_at is a partial change of a row this database does not hold: it is not applied.
-- Set-based: two statements per round, where a round holds at most one row per key, so a batch
-- that names a row twice (duplicated or collapsed mutations) still merges both. The insert and
-- the merge are separate statements so that the merge sees a row another transaction inserted
-- meanwhile (READ COMMITTED on a server). Returns the number of row objects applied. The
-- caller's transaction sees the change; stamping triggers do not re-stamp it.
CREATE FUNCTION confab_merge(tbl text, rows jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  spec        record;
  cols        text[];
  insert_cols text;
  key_list    text;
  key_match   text;
  insert_sql  text;
  update_sql  text;
  inserted    jsonb;
  applied     integer := 0;
  n           integer;
  this_round  integer := 1;
  rounds      integer;
  was         text := coalesce(current_setting('confab.applying', true), '');
  max_hlc     text;
BEGIN
  SELECT * INTO spec FROM confab_sync_spec(tbl);
  IF spec.policy IS NULL THEN
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  IF rows IS NULL OR jsonb_typeof(rows) <> 'array' OR jsonb_array_length(rows) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM set_config('confab.applying', 'on', true);

  cols := spec.keys || confab_sync_data_columns(tbl) || ARRAY['created_at', 'updated_at']
          || CASE spec.policy WHEN 'lww-columns' THEN ARRAY['col_hlc']
                              WHEN 'append-only' THEN ARRAY['status_hlc', 'deleted_hlc']
                              ELSE ARRAY['added_hlc', 'removed_hlc'] END;
  SELECT string_agg(format('%I', c), ', ') INTO insert_cols FROM unnest(cols) AS c;
  SELECT string_agg(format('%I', k), ', ') INTO key_list FROM unnest(spec.keys) AS k;
  SELECT string_agg(format('cur.%1$I = r.%1$I', k), ' AND ') INTO key_match FROM unnest(spec.keys) AS k;

  insert_sql := format(
    'WITH ins AS (INSERT INTO public.%1$I AS cur (%2$s) SELECT %2$s FROM jsonb_populate_recordset(NULL::public.%1$I, $1) '
    || 'ON CONFLICT (%3$s) DO NOTHING RETURNING %3$s) SELECT coalesce(jsonb_agg(to_jsonb(ins)), ''[]'') FROM ins',
    tbl, insert_cols, key_list);
  update_sql := format(
    'UPDATE public.%1$I AS cur SET %2$s FROM jsonb_populate_recordset(NULL::public.%1$I, $1) AS r WHERE %3$s '
    || 'AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::public.%1$I, $2) AS i WHERE %4$s)',
    tbl, confab_merge_assignments(tbl, 'r'), key_match, replace(key_match, 'cur.', 'i.'));

  -- Rounds: the n-th occurrence of a key goes in round n.
  CREATE TEMP TABLE IF NOT EXISTS confab_merge_rows (round integer, whole boolean, body jsonb) ON COMMIT DROP;
  TRUNCATE confab_merge_rows;
  EXECUTE format(
    'INSERT INTO confab_merge_rows SELECT row_number() OVER (PARTITION BY %s ORDER BY ord), e ? ''created_at'', e '
    || 'FROM jsonb_array_elements($1) WITH ORDINALITY AS x(e, ord)',
    (SELECT string_agg(format('e ->> %L', k), ', ') FROM unnest(spec.keys) AS k))
  USING rows;
  SELECT max(confab_merge_rows.round) INTO rounds FROM confab_merge_rows;

  WHILE this_round <= rounds LOOP
    EXECUTE insert_sql INTO inserted
      USING (SELECT coalesce(jsonb_agg(body), '[]') FROM confab_merge_rows m WHERE m.round = this_round AND m.whole);
    applied := applied + jsonb_array_length(inserted);
    EXECUTE update_sql
      USING (SELECT coalesce(jsonb_agg(body), '[]') FROM confab_merge_rows m WHERE m.round = this_round), inserted;
    GET DIAGNOSTICS n = ROW_COUNT;
    applied := applied + n;
    this_round := this_round + 1;
  END LOOP;

  -- Depth is derived from the parent; a child that arrived before its parent is fixed now.
  IF tbl = 'messages' THEN
    LOOP
      UPDATE messages c SET depth = p.depth + 1
        FROM messages p
       WHERE c.parent_id = p.id AND c.depth <> p.depth + 1
         AND c.session_id IN (SELECT DISTINCT (body ->> 'session_id')::uuid FROM confab_merge_rows WHERE whole);
      GET DIAGNOSTICS n = ROW_COUNT;
      EXIT WHEN n = 0;
    END LOOP;
  END IF;

  -- The receive step: later local writes are stamped after everything seen here.
  SELECT max(h COLLATE "C") INTO max_hlc
    FROM confab_merge_rows m,
         LATERAL (SELECT m.body ->> f AS h FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc']) AS f
                  UNION ALL
                  SELECT s.j #>> '{}' FROM jsonb_path_query(coalesce(m.body -> 'col_hlc', '{}'),
                                                            'strict $.** ? (@.type() == "string")') AS s(j)) x
   WHERE x.h ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$';
  PERFORM confab_hlc_receive(max_hlc);

  PERFORM set_config('confab.applying', was, true);
  RETURN applied;
END
$$;
