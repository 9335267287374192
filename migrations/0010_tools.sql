-- Tools (MCP servers) and every call made to them. The same file runs on PGlite (PostgreSQL 18)
-- and on a team PostgreSQL 15+.
--
-- mcp_servers is LOCAL ONLY: a command line runs a program on this machine, and its environment
-- may hold secrets (sealed by the host like API keys, in env_ciphertext). tool_permissions says
-- which servers a chat may use and which tools it allowed always; server ids are this device's,
-- so it is local too. tool_executions (migration 0001) is synced: the record of what was called.
CREATE TABLE mcp_servers (
  id             uuid PRIMARY KEY,
  name           text NOT NULL,
  transport      text NOT NULL,
  command        text,
  args           jsonb NOT NULL DEFAULT '[]',
  url            text,
  env_ciphertext bytea,
  enabled        boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT mcp_servers_transport_check CHECK (transport IN ('stdio', 'http')),
  CONSTRAINT mcp_servers_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT mcp_servers_args_is_array CHECK (jsonb_typeof(args) = 'array'),
  CONSTRAINT mcp_servers_target CHECK (
    (transport = 'stdio' AND command IS NOT NULL AND char_length(command) BETWEEN 1 AND 4096)
    OR (transport = 'http' AND url IS NOT NULL AND char_length(url) BETWEEN 1 AND 4096))
);
CREATE TRIGGER mcp_servers_touch BEFORE UPDATE ON mcp_servers
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

CREATE TABLE tool_permissions (
  session_id   uuid NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE,
  server_id    uuid NOT NULL REFERENCES mcp_servers (id) ON DELETE CASCADE,
  enabled      boolean NOT NULL DEFAULT true,
  -- Tool names this chat runs without asking.
  always_allow text[] NOT NULL DEFAULT '{}',
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, server_id)
);

-- tool_executions gains what a call needs to be shown, resumed and counted: the chat, the
-- provider's call id (to send the result back), the server by name (ids are per device),
-- tokens where known, and the statuses of the approval step.
ALTER TABLE tool_executions
  ADD COLUMN session_id uuid REFERENCES chat_sessions (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  ADD COLUMN call_id text,
  ADD COLUMN server_name text NOT NULL DEFAULT '',
  ADD COLUMN tokens_in integer,
  ADD COLUMN tokens_out integer;
ALTER TABLE tool_executions DROP CONSTRAINT tool_executions_status_check;
ALTER TABLE tool_executions ADD CONSTRAINT tool_executions_status_check
  CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'denied', 'timeout', 'cancelled', 'interrupted'));
CREATE INDEX tool_executions_session_idx ON tool_executions (session_id, started_at);

-- The change feed: a call that starts, is approved or ends changes how its message looks.
CREATE FUNCTION confab_capture_tool_executions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_capturing() THEN
    RETURN NULL;
  END IF;
  INSERT INTO confab_changed (kind, id, session_id)
  SELECT DISTINCT 'message', n.message_id::text, n.session_id
    FROM new_rows n WHERE n.message_id IS NOT NULL AND n.session_id IS NOT NULL;
  RETURN NULL;
END
$$;
CREATE TRIGGER tool_executions_capture_insert AFTER INSERT ON tool_executions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_tool_executions();
CREATE TRIGGER tool_executions_capture_update AFTER UPDATE ON tool_executions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_tool_executions();
