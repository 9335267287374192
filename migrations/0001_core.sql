-- Confab core schema. The same file runs on PGlite (PostgreSQL 18) and on a team PostgreSQL 15+.
--
-- Sync-ready from day one (see SYNC.md):
--   * primary keys are UUIDv7 made by the app, never serials;
--   * every user-data row has owner_id, created_at and updated_at;
--   * deletes are tombstones (deleted_at); purge removes them later;
--   * mutable metadata keeps a per-column hybrid logical clock in col_hlc.
-- Tables marked LOCAL ONLY are never synced.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Triggers skip bookkeeping while pulled changes are applied (SET LOCAL confab.applying = 'on'),
-- so that a pulled row keeps the updated_at it was written with.
CREATE FUNCTION confab_applying() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('confab.applying', true), '') = 'on'
$$;

CREATE FUNCTION confab_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_applying() THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- users: the local user is created at first run.
CREATE TABLE users (
  id           uuid PRIMARY KEY,
  owner_id     uuid NOT NULL,
  display_name text NOT NULL DEFAULT '',
  email        text,
  is_local     boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz,
  CONSTRAINT users_owner_is_self CHECK (owner_id = id)
);
CREATE TRIGGER users_touch BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- chat_sessions. message_count, token totals, last_message_at and last_activity_at are kept by
-- triggers on messages, so that the sidebar never has to count.
CREATE TABLE chat_sessions (
  id               uuid PRIMARY KEY,
  owner_id         uuid NOT NULL REFERENCES users (id),
  title            text NOT NULL DEFAULT '',
  description      text NOT NULL DEFAULT '',
  status           text NOT NULL DEFAULT 'active',
  pinned           boolean NOT NULL DEFAULT false,
  tags             text[] NOT NULL DEFAULT '{}',
  provider_id      text,
  model            text,
  system_prompt    text NOT NULL DEFAULT '',
  settings         jsonb NOT NULL DEFAULT '{}',
  visibility       text NOT NULL DEFAULT 'private',
  current_leaf_id  uuid,
  message_count    integer NOT NULL DEFAULT 0,
  tokens_in        bigint NOT NULL DEFAULT 0,
  tokens_out       bigint NOT NULL DEFAULT 0,
  last_message_at  timestamptz,
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  col_hlc          jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz,
  CONSTRAINT chat_sessions_status_check CHECK (status IN ('active', 'archived')),
  CONSTRAINT chat_sessions_visibility_check CHECK (visibility IN ('private', 'team')),
  CONSTRAINT chat_sessions_title_length CHECK (char_length(title) <= 500)
);
-- The sidebar: one view (status / trash), pinned first, most recent activity first, keyset by id.
CREATE INDEX chat_sessions_sidebar_idx
  ON chat_sessions (status, pinned DESC, last_activity_at DESC, id DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX chat_sessions_trash_idx
  ON chat_sessions (deleted_at DESC, id DESC)
  WHERE deleted_at IS NOT NULL;
CREATE INDEX chat_sessions_tags_idx ON chat_sessions USING gin (tags);
CREATE INDEX chat_sessions_title_trgm_idx ON chat_sessions USING gin (title gin_trgm_ops);
CREATE INDEX chat_sessions_owner_idx ON chat_sessions (owner_id);
CREATE TRIGGER chat_sessions_touch BEFORE UPDATE ON chat_sessions
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- messages: a tree per session (edit and regenerate make siblings under the same parent).
-- search_tsv is stored so that ranking never re-parses text; it covers the first 200k characters
-- because a tsvector is capped at 1 MB and very long messages are still found by trigram.
CREATE TABLE messages (
  id               uuid PRIMARY KEY,
  owner_id         uuid NOT NULL REFERENCES users (id),
  session_id       uuid NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE
                     DEFERRABLE INITIALLY DEFERRED,
  parent_id        uuid REFERENCES messages (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  depth            integer NOT NULL DEFAULT 0,
  role             text NOT NULL,
  content          text NOT NULL DEFAULT '',
  content_type     text NOT NULL DEFAULT 'text/markdown',
  status           text NOT NULL DEFAULT 'complete',
  provider_id      text,
  model            text,
  tokens_in        integer,
  tokens_out       integer,
  tokens_estimated boolean NOT NULL DEFAULT false,
  latency_ms       integer,
  error_code       text,
  error_message    text,
  tool_calls       jsonb,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz,
  search_tsv       tsvector GENERATED ALWAYS AS (
                     to_tsvector('english'::regconfig, left(content, 200000))
                   ) STORED,
  CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  CONSTRAINT messages_status_check
    CHECK (status IN ('pending', 'streaming', 'complete', 'error', 'cancelled', 'interrupted')),
  CONSTRAINT messages_depth_check CHECK (depth >= 0)
);
CREATE INDEX messages_session_created_idx ON messages (session_id, created_at, id);
CREATE INDEX messages_parent_idx ON messages (parent_id);
-- A session's roots (first messages and their edits), for the branch switcher on root turns.
CREATE INDEX messages_roots_idx ON messages (session_id) WHERE parent_id IS NULL;
CREATE INDEX messages_created_idx ON messages (created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX messages_status_idx ON messages (status) WHERE status IN ('pending', 'streaming');
CREATE INDEX messages_search_tsv_idx ON messages USING gin (search_tsv);
CREATE INDEX messages_content_trgm_idx ON messages USING gin (content gin_trgm_ops);
CREATE TRIGGER messages_touch BEFORE UPDATE ON messages
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

ALTER TABLE chat_sessions
  ADD CONSTRAINT chat_sessions_current_leaf_fk FOREIGN KEY (current_leaf_id)
  REFERENCES messages (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;

-- Depth is derived from the parent so a branch can be paged by depth without walking the tree.
CREATE FUNCTION confab_message_depth() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A child at depth 0 is impossible, so 0 means "not given"; bulk writers that already know the
  -- depth pass it and skip the lookup.
  IF NEW.parent_id IS NULL THEN
    NEW.depth := 0;
  ELSIF NEW.depth = 0 THEN
    SELECT m.depth + 1 INTO NEW.depth FROM messages m WHERE m.id = NEW.parent_id;
    NEW.depth := coalesce(NEW.depth, 0);
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER messages_depth BEFORE INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION confab_message_depth();

-- Session counters. Statement-level triggers with transition tables, so a bulk insert of 100k
-- messages updates each session once instead of once per row.
CREATE FUNCTION confab_sessions_after_message_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chat_sessions s
     SET message_count    = s.message_count + d.n,
         tokens_in        = s.tokens_in + d.tin,
         tokens_out       = s.tokens_out + d.tout,
         last_message_at  = greatest(s.last_message_at, d.last_at),
         last_activity_at = greatest(s.last_activity_at, d.last_at)
    FROM (SELECT session_id,
                 count(*) AS n,
                 coalesce(sum(tokens_in), 0) AS tin,
                 coalesce(sum(tokens_out), 0) AS tout,
                 max(created_at) AS last_at
            FROM new_rows
           WHERE deleted_at IS NULL
           GROUP BY session_id) d
   WHERE s.id = d.session_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_counters_insert AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_after_message_insert();

CREATE FUNCTION confab_sessions_after_message_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Only rows whose counted fields changed; streaming content updates cost nothing here.
  WITH changed AS (
    SELECT n.session_id,
           (CASE WHEN n.deleted_at IS NULL THEN 1 ELSE 0 END)
             - (CASE WHEN o.deleted_at IS NULL THEN 1 ELSE 0 END) AS dn,
           (CASE WHEN n.deleted_at IS NULL THEN coalesce(n.tokens_in, 0) ELSE 0 END)
             - (CASE WHEN o.deleted_at IS NULL THEN coalesce(o.tokens_in, 0) ELSE 0 END) AS din,
           (CASE WHEN n.deleted_at IS NULL THEN coalesce(n.tokens_out, 0) ELSE 0 END)
             - (CASE WHEN o.deleted_at IS NULL THEN coalesce(o.tokens_out, 0) ELSE 0 END) AS dout,
           (o.deleted_at IS DISTINCT FROM n.deleted_at) AS visibility_changed
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
     WHERE o.deleted_at IS DISTINCT FROM n.deleted_at
        OR o.tokens_in IS DISTINCT FROM n.tokens_in
        OR o.tokens_out IS DISTINCT FROM n.tokens_out
  ), per_session AS (
    SELECT session_id, sum(dn) AS dn, sum(din) AS din, sum(dout) AS dout,
           bool_or(visibility_changed) AS visibility_changed
      FROM changed
     GROUP BY session_id
  )
  UPDATE chat_sessions s
     SET message_count   = s.message_count + p.dn,
         tokens_in       = s.tokens_in + p.din,
         tokens_out      = s.tokens_out + p.dout,
         last_message_at = CASE WHEN p.visibility_changed THEN
                             (SELECT max(m.created_at) FROM messages m
                               WHERE m.session_id = s.id AND m.deleted_at IS NULL)
                           ELSE s.last_message_at END
    FROM per_session p
   WHERE s.id = p.session_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_counters_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_after_message_update();

CREATE FUNCTION confab_sessions_after_message_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE chat_sessions s
     SET message_count   = s.message_count - d.n,
         tokens_in       = s.tokens_in - d.tin,
         tokens_out      = s.tokens_out - d.tout,
         last_message_at = (SELECT max(m.created_at) FROM messages m
                             WHERE m.session_id = s.id AND m.deleted_at IS NULL)
    FROM (SELECT session_id,
                 count(*) AS n,
                 coalesce(sum(tokens_in), 0) AS tin,
                 coalesce(sum(tokens_out), 0) AS tout
            FROM old_rows
           WHERE deleted_at IS NULL
           GROUP BY session_id) d
   WHERE s.id = d.session_id;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_counters_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION confab_sessions_after_message_delete();

-- ---------------------------------------------------------------------------------------------
-- generation_runs: one row per model call. Usage charts and run analytics read it.
CREATE TABLE generation_runs (
  id               uuid PRIMARY KEY,
  owner_id         uuid NOT NULL REFERENCES users (id),
  session_id       uuid REFERENCES chat_sessions (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
  message_id       uuid REFERENCES messages (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
  provider_id      text NOT NULL,
  model            text NOT NULL,
  status           text NOT NULL DEFAULT 'running',
  tokens_in        integer NOT NULL DEFAULT 0,
  tokens_out       integer NOT NULL DEFAULT 0,
  tokens_estimated boolean NOT NULL DEFAULT false,
  ttft_ms          integer,
  total_ms         integer,
  error_code       text,
  error_message    text,
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz,
  CONSTRAINT generation_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  CONSTRAINT generation_runs_tokens_check CHECK (tokens_in >= 0 AND tokens_out >= 0)
);
CREATE INDEX generation_runs_started_idx ON generation_runs (started_at);
CREATE INDEX generation_runs_session_idx ON generation_runs (session_id, started_at);
CREATE INDEX generation_runs_model_idx ON generation_runs (provider_id, model, started_at);
CREATE INDEX generation_runs_running_idx ON generation_runs (status) WHERE status = 'running';
CREATE TRIGGER generation_runs_touch BEFORE UPDATE ON generation_runs
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- tool_executions: a tool call made while answering a message.
CREATE TABLE tool_executions (
  id          uuid PRIMARY KEY,
  owner_id    uuid NOT NULL REFERENCES users (id),
  run_id      uuid REFERENCES generation_runs (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  message_id  uuid REFERENCES messages (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  tool_name   text NOT NULL,
  input       jsonb NOT NULL DEFAULT '{}',
  output      jsonb,
  status      text NOT NULL DEFAULT 'running',
  error       text,
  started_at  timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  duration_ms integer,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  deleted_at  timestamptz,
  CONSTRAINT tool_executions_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted'))
);
CREATE INDEX tool_executions_run_idx ON tool_executions (run_id);
CREATE INDEX tool_executions_message_idx ON tool_executions (message_id);
CREATE TRIGGER tool_executions_touch BEFORE UPDATE ON tool_executions
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- app_logs: job and agent logs, pruned by the retention job.
CREATE TABLE app_logs (
  id         uuid PRIMARY KEY,
  owner_id   uuid NOT NULL REFERENCES users (id),
  level      text NOT NULL,
  source     text NOT NULL,
  message    text NOT NULL,
  details    jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT app_logs_level_check CHECK (level IN ('debug', 'info', 'warn', 'error'))
);
CREATE INDEX app_logs_created_idx ON app_logs (created_at);
CREATE INDEX app_logs_level_idx ON app_logs (level, created_at);

-- ---------------------------------------------------------------------------------------------
-- LOCAL ONLY: settings, encrypted secrets and UI state (open tabs and the like).
CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE secrets (
  name       text PRIMARY KEY,
  ciphertext bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ui_state (
  key        text PRIMARY KEY,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- Views.
-- The sidebar row: a session with a preview of its newest visible message. In the trash the
-- visible messages are those deleted with the session (same tombstone), as in the trash list.
CREATE VIEW session_summaries AS
SELECT s.*,
       lm.preview AS last_message_preview,
       lm.role    AS last_message_role
  FROM chat_sessions s
  LEFT JOIN LATERAL (
        SELECT left(m.content, 200) AS preview, m.role
          FROM messages m
         WHERE m.session_id = s.id AND (m.deleted_at IS NULL OR m.deleted_at = s.deleted_at)
         ORDER BY m.created_at DESC, m.id DESC
         LIMIT 1
       ) lm ON true;

-- Daily usage in the session's TimeZone (the app sets it per query where the user's zone matters).
CREATE VIEW daily_usage AS
SELECT (r.started_at AT TIME ZONE current_setting('TimeZone'))::date AS day,
       r.provider_id,
       r.model,
       count(*)                                        AS runs,
       count(*) FILTER (WHERE r.status = 'succeeded')  AS succeeded,
       count(*) FILTER (WHERE r.status = 'failed')     AS failed,
       count(*) FILTER (WHERE r.status = 'cancelled')  AS cancelled,
       coalesce(sum(r.tokens_in), 0)                   AS tokens_in,
       coalesce(sum(r.tokens_out), 0)                  AS tokens_out
  FROM generation_runs r
 WHERE r.deleted_at IS NULL
 GROUP BY 1, 2, 3;
