-- Chat engine: model provider settings. The same file runs on PGlite (PostgreSQL 18) and on a
-- team PostgreSQL 15+.
--
-- LOCAL ONLY, never synced: an endpoint such as http://localhost:11434 means a different server
-- on every device, and API keys (in `secrets`, encrypted by the host) must not leave the device.
-- Sessions refer to a provider by id as text, with no foreign key, because sessions are synced
-- and a session from another device may name a provider this device does not have.

CREATE TABLE provider_configs (
  id             uuid PRIMARY KEY,
  kind           text NOT NULL,
  preset         text NOT NULL,
  name           text NOT NULL,
  base_url       text NOT NULL,
  default_model  text,
  -- Models entered by hand: the fallback when the server cannot list its own.
  models         jsonb NOT NULL DEFAULT '[]',
  -- Tokens of context sent per request; NULL uses the app-wide chat setting.
  context_budget integer,
  enabled        boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT provider_configs_kind_check CHECK (kind IN ('openai', 'anthropic')),
  CONSTRAINT provider_configs_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
  CONSTRAINT provider_configs_models_is_array CHECK (jsonb_typeof(models) = 'array'),
  CONSTRAINT provider_configs_context_budget_check CHECK (context_budget IS NULL OR context_budget > 0)
);
CREATE TRIGGER provider_configs_touch BEFORE UPDATE ON provider_configs
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- The run behind a message (its timings for the message footer, its status after a crash).
CREATE INDEX generation_runs_message_idx ON generation_runs (message_id);
