-- Reasoning and sampling parameters. The same file runs on PGlite (PostgreSQL 18) and on a team
-- PostgreSQL 15+.
--
-- messages.reasoning: what a reasoning model thought before answering (<think> blocks of local
-- models, Anthropic thinking blocks, ChatGPT thoughts in imports). It is shown folded, kept out
-- of the answer's text and never sent back to a model as context. Adding a column with a
-- constant default rewrites nothing, on either engine.
ALTER TABLE messages ADD COLUMN reasoning text NOT NULL DEFAULT '';
ALTER TABLE messages
  ADD CONSTRAINT messages_reasoning_length CHECK (char_length(reasoning) <= 5000000) NOT VALID;

-- provider_configs.params: a provider's default sampling parameters (temperature, top_p,
-- max output tokens); a chat's own (chat_sessions.settings -> 'params') win over them.
ALTER TABLE provider_configs ADD COLUMN params jsonb NOT NULL DEFAULT '{}';
ALTER TABLE provider_configs
  ADD CONSTRAINT provider_configs_params_is_object CHECK (jsonb_typeof(params) = 'object');
