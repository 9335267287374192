-- Size limits in the database, the same numbers as src/shared/limits.ts (the contract and the web
-- host's frame size are derived from that file too), so that no layer refuses what another one
-- accepted. The same file runs on PGlite (PostgreSQL 18) and on a team PostgreSQL 15+.
--
-- NOT VALID: rows already stored are not re-read (a large history would make the upgrade slow);
-- every row written from now on is checked. char_length counts code points, never more than the
-- UTF-16 units the contract counts, so a value the contract accepts always passes here.

ALTER TABLE messages
  ADD CONSTRAINT messages_content_length CHECK (char_length(content) <= 5000000) NOT VALID;

ALTER TABLE chat_sessions
  ADD CONSTRAINT chat_sessions_system_prompt_length CHECK (char_length(system_prompt) <= 100000) NOT VALID;

ALTER TABLE chat_sessions
  ADD CONSTRAINT chat_sessions_description_length CHECK (char_length(description) <= 10000) NOT VALID;
