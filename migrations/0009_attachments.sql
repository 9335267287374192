-- Attachments: files and images on a message. The same file runs on PGlite (PostgreSQL 18) and on
-- a team PostgreSQL 15+.
--
-- The bytes are not in the database: they live once per content in the data folder's
-- content-addressed store (blobs/<sha256>), so the same file attached twice is stored once and a
-- backup of the database stays small. A row is the file as attached to one message: its name, the
-- type detected from its bytes, its size and hash, and what was read out of it (text, image size).
--
-- A row starts as a draft (message_id NULL) while the composer holds it and is bound to the user
-- message when that is sent. bytes_present is false for rows whose bytes this device has not got
-- (an import that only referenced a file, or a teammate's file not fetched yet).
CREATE TABLE attachments (
  id             uuid PRIMARY KEY,
  owner_id       uuid NOT NULL REFERENCES users (id),
  session_id     uuid NOT NULL REFERENCES chat_sessions (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  message_id     uuid REFERENCES messages (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  -- Order on the message, as the user added them.
  position       integer NOT NULL DEFAULT 0,
  file_name      text NOT NULL,
  media_type     text NOT NULL,
  size_bytes     bigint NOT NULL,
  sha256         text NOT NULL,
  status         text NOT NULL DEFAULT 'processing',
  error          text,
  extracted_text text,
  width          integer,
  height         integer,
  bytes_present  boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  deleted_at     timestamptz,
  search_tsv     tsvector GENERATED ALWAYS AS (
                   to_tsvector('english'::regconfig, file_name || ' ' || left(coalesce(extracted_text, ''), 200000))
                 ) STORED,
  CONSTRAINT attachments_status_check CHECK (status IN ('processing', 'ready', 'failed')),
  CONSTRAINT attachments_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  CONSTRAINT attachments_size_check CHECK (size_bytes >= 0 AND size_bytes <= 209715200),
  CONSTRAINT attachments_name_length CHECK (char_length(file_name) BETWEEN 1 AND 255),
  CONSTRAINT attachments_text_length CHECK (extracted_text IS NULL OR char_length(extracted_text) <= 5000000),
  CONSTRAINT attachments_dimensions_check CHECK ((width IS NULL OR width > 0) AND (height IS NULL OR height > 0))
);
CREATE INDEX attachments_message_idx ON attachments (message_id, position) WHERE message_id IS NOT NULL;
CREATE INDEX attachments_session_idx ON attachments (session_id);
-- The blob collector asks "does any row still name this hash?".
CREATE INDEX attachments_sha256_idx ON attachments (sha256);
-- Drafts never sent are collected after a day.
CREATE INDEX attachments_drafts_idx ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_search_tsv_idx ON attachments USING gin (search_tsv);
CREATE INDEX attachments_file_name_trgm_idx ON attachments USING gin (file_name gin_trgm_ops);
CREATE TRIGGER attachments_touch BEFORE UPDATE ON attachments
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- The change feed (migration 0005): an attachment that is bound, read or removed changes how its
-- message looks, so it is announced as that message.
CREATE FUNCTION confab_capture_attachments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_capturing() THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO confab_changed (kind, id, session_id)
    SELECT DISTINCT 'message', o.message_id::text, o.session_id FROM old_rows o WHERE o.message_id IS NOT NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO confab_changed (kind, id, session_id)
    SELECT DISTINCT 'message', n.message_id::text, n.session_id FROM new_rows n WHERE n.message_id IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER attachments_capture_insert AFTER INSERT ON attachments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_attachments();
CREATE TRIGGER attachments_capture_update AFTER UPDATE ON attachments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_attachments();
CREATE TRIGGER attachments_capture_delete AFTER DELETE ON attachments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_attachments();

-- Team sync (migration 0008): attachments sync as append-only rows, like messages. The owner may
-- be a teammate whose users row this database never saw, so no foreign key on owner_id; the
-- status group and the deletion are stamped with their own HLCs; search_tsv is derived locally.
ALTER TABLE attachments DROP CONSTRAINT IF EXISTS attachments_owner_id_fkey;
ALTER TABLE attachments ADD COLUMN status_hlc text;
ALTER TABLE attachments ADD COLUMN deleted_hlc text;
ALTER TABLE attachments ALTER COLUMN status_hlc SET DEFAULT confab_hlc_now();
ALTER TABLE attachments ALTER COLUMN deleted_hlc SET DEFAULT confab_hlc_now();
CREATE TRIGGER attachments_stamp BEFORE UPDATE ON attachments
  FOR EACH ROW EXECUTE FUNCTION confab_stamp_append_only();

CREATE OR REPLACE FUNCTION confab_sync_spec(tbl text, OUT policy text, OUT keys text[], OUT derived text[])
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
      ('tool_executions', 'append-only', ARRAY['id'], ARRAY[]::text[]),
      ('attachments', 'append-only', ARRAY['id'], ARRAY['search_tsv'])
    ) AS s(tbl, policy, keys, derived)
   WHERE s.tbl = $1
$$;
