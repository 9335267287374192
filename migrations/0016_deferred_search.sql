-- Deferred search indexing (issue 12 item 6, issue 13's pull rate). Bulk writes of messages
-- were bound by search: of 1.18 s for 5,000 messages into PGlite, about 0.68 s was the two GIN
-- indexes and 0.38 s the to_tsvector of the generated column; the rows themselves cost 0.12 s.
-- A bulk writer (import, sync apply, restore, seed) may now set confab.defer_search = 'on' for
-- its transaction: its messages are stored with search_tsv NULL and cost no GIN work, and
-- confab_index_search() fills them later in small batches. Search reads NULL as "not indexed
-- yet" and finds those rows by substring meanwhile (src/main/db/search/repository.ts).
--
-- search_tsv keeps its values: DROP EXPRESSION only turns the generated column into a plain
-- one (no rewrite). It stays derived: the table registry and the merge leave it out.
ALTER TABLE messages ALTER COLUMN search_tsv DROP EXPRESSION;

-- Same value as the former generated column, so search_tsv is never stale for a normal write.
-- An update that leaves content as it was keeps its vector: merges and restores rewrite rows
-- with the same text, and re-parsing it (or dropping it back to "not indexed") gains nothing.
-- Empty content gives an empty tsvector, never NULL: NULL means exactly "waits for the indexer".
CREATE FUNCTION confab_messages_search_tsv() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.content IS NOT DISTINCT FROM OLD.content THEN
    RETURN NEW;
  END IF;
  IF current_setting('confab.defer_search', true) = 'on' THEN
    NEW.search_tsv := NULL;
  ELSE
    NEW.search_tsv := to_tsvector('english'::regconfig, left(NEW.content, 200000));
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER messages_search_tsv BEFORE INSERT OR UPDATE OF content ON messages
  FOR EACH ROW EXECUTE FUNCTION confab_messages_search_tsv();

-- Both GIN indexes leave out rows that wait, so a deferred row costs no GIN work at insert; the
-- indexer's update adds them. A query on the trigram index must say `search_tsv IS NOT NULL`
-- for the planner to use it (`search_tsv @@ q` implies it by itself: @@ is strict).
DROP INDEX messages_content_trgm_idx;
CREATE INDEX messages_content_trgm_idx ON messages USING gin (content gin_trgm_ops) WHERE search_tsv IS NOT NULL;
DROP INDEX messages_search_tsv_idx;
CREATE INDEX messages_search_tsv_idx ON messages USING gin (search_tsv) WHERE search_tsv IS NOT NULL;
-- The rows that wait, newest first: what the indexer takes next and what search reads by
-- substring meanwhile. Empty whenever nothing waits, so it costs the normal path nothing.
CREATE INDEX messages_search_pending_idx ON messages (created_at DESC, id DESC) WHERE search_tsv IS NULL;

-- Fills search_tsv for up to `lim` waiting rows, newest first (the ones a user most likely looks
-- for), and returns how many it filled. Indexing is not an edit: with session_replication_role
-- = replica no ordinary trigger fires, so updated_at, the HLC stamps, the sync outbox, change
-- capture and the counters stay as they are. Nothing is skipped wrongly: the update writes one
-- derived column, so the foreign-key checks (also triggers) have no changed key to check, and
-- the search trigger above would only compute what is written here. The role is put back for
-- the rest of the caller's transaction. Setting it needs a superuser: the device's PGlite
-- runs as one; a team server never calls this (its rows are indexed at write).
CREATE FUNCTION confab_index_search(lim integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  role_was text := current_setting('session_replication_role');
  n        integer;
BEGIN
  PERFORM set_config('session_replication_role', 'replica', true);
  UPDATE messages m SET search_tsv = to_tsvector('english'::regconfig, left(m.content, 200000))
   WHERE m.id IN (SELECT w.id FROM messages w WHERE w.search_tsv IS NULL
                   ORDER BY w.created_at DESC, w.id DESC LIMIT lim)
     AND m.search_tsv IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('session_replication_role', role_was, true);
  RETURN n;
END $$;
