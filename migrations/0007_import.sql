-- Import, export and backup (issue 12). The same file runs on PGlite (PostgreSQL 18) and on a team
-- PostgreSQL 15+. Nullable columns without a default rewrite nothing, on either engine.
--
-- chat_sessions.import_source / import_source_id: where an imported chat came from (ChatGPT,
-- Claude, Open WebUI, a Confab export) and its id there. The chat's own id is derived from them,
-- so importing the same export again finds the chat instead of copying it; these say so to people.
ALTER TABLE chat_sessions ADD COLUMN import_source text;
ALTER TABLE chat_sessions ADD COLUMN import_source_id text;
ALTER TABLE chat_sessions
  ADD CONSTRAINT chat_sessions_import_source_check
  CHECK (import_source IN ('chatgpt', 'claude', 'openwebui', 'confab')) NOT VALID;

-- messages.metadata: what an imported message carries that has no column of its own: attachments
-- the export referenced but did not contain (marked absent), artifacts, the source's content type.
ALTER TABLE messages ADD COLUMN metadata jsonb;
ALTER TABLE messages
  ADD CONSTRAINT messages_metadata_is_object CHECK (metadata IS NULL OR jsonb_typeof(metadata) = 'object') NOT VALID;

-- session_summaries selects s.*, which PostgreSQL expands once, when the view is made: made again
-- so that the sidebar row carries the new columns too (the same definition as in 0001).
DROP VIEW session_summaries;
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
