-- Attachments' bytes on the team server (issue 15 item 7): the rows sync through the protocol
-- (0004); the bytes travel on demand, in 1 MiB chunks, through the functions below.
--
-- Each blob is stored per uploader, keyed by (owner_id, sha256). Not deduplicated across users on
-- purpose: with one global copy per hash, anyone who knew a file's SHA-256 could push an
-- attachment row naming it and then read the file without ever having had it. Here a member
-- reads a blob only through an attachment row they may see whose owner uploaded those bytes
-- (their own, or one on a chat shared with their team), and uploads only bytes that one of their
-- own rows names; the server checks the SHA-256 of the whole blob before anyone may read it.
--
-- Each team has a quota of blob bytes (sync.meta.blob_quota_default_bytes, 1 GiB, or a
-- per-team figure in sync.blob_quotas; `npm run team -- set-quota`). An upload that would pass it
-- is refused before its first chunk is kept, with a sentence saying why.

ALTER TABLE sync.meta ADD COLUMN blob_quota_default_bytes bigint NOT NULL DEFAULT 1073741824
  CHECK (blob_quota_default_bytes >= 0);

CREATE TABLE sync.blob_quotas (
  team_id     text PRIMARY KEY,
  quota_bytes bigint NOT NULL CHECK (quota_bytes >= 0)
);

CREATE TABLE sync.blobs (
  owner_id     uuid NOT NULL,
  sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- The team charged for it (the uploader's team when it was started).
  team_id      text NOT NULL,
  size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
  chunk_count  integer NOT NULL CHECK (chunk_count >= 0),
  -- True once every chunk is here and the whole hashes to sha256: only then may anyone read it.
  complete     boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (owner_id, sha256)
);
CREATE INDEX blobs_sha256_idx ON sync.blobs (sha256) WHERE complete;
CREATE INDEX blobs_team_idx ON sync.blobs (team_id);

CREATE TABLE sync.blob_chunks (
  owner_id uuid NOT NULL,
  sha256   text NOT NULL,
  n        integer NOT NULL CHECK (n >= 0),
  data     bytea NOT NULL,
  PRIMARY KEY (owner_id, sha256, n),
  FOREIGN KEY (owner_id, sha256) REFERENCES sync.blobs (owner_id, sha256) ON DELETE CASCADE
);
-- Chunks are already-compressed bytes as often as not (images, PDFs): no TOAST compression.
ALTER TABLE sync.blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Only the functions below touch these tables (they run as confab_owner); members have no grant.
ALTER TABLE sync.blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.blobs FORCE ROW LEVEL SECURITY;
ALTER TABLE sync.blob_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.blob_chunks FORCE ROW LEVEL SECURITY;
ALTER TABLE sync.blob_quotas ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.blob_quotas FORCE ROW LEVEL SECURITY;
CREATE POLICY blobs_owner_all ON sync.blobs FOR ALL TO confab_owner USING (true) WITH CHECK (true);
CREATE POLICY blob_chunks_owner_all ON sync.blob_chunks FOR ALL TO confab_owner USING (true) WITH CHECK (true);
CREATE POLICY blob_quotas_owner_read ON sync.blob_quotas FOR SELECT TO confab_owner USING (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON sync.blobs, sync.blob_chunks TO confab_owner;
GRANT SELECT ON sync.blob_quotas TO confab_owner;

-- The functions judge attachment rows as the caller could see them: their own (the owner-write
-- policy of 0004) and those on chats shared with their team (this one). No more than a member's
-- own read policy allows, so no definer function can see a row its caller could not.
CREATE POLICY attachments_owner_judge ON public.attachments FOR SELECT TO confab_owner
  USING (sync.may_read_session(session_id));

CREATE FUNCTION sync.blob_chunk_bytes() RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$ SELECT 1048576 $$;

CREATE FUNCTION sync.blob_quota(p_team text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT q.quota_bytes FROM sync.blob_quotas q WHERE q.team_id = p_team),
                  (SELECT m.blob_quota_default_bytes FROM sync.meta m))
$$;

CREATE FUNCTION sync.blob_usage(p_team text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(sum(b.size_bytes), 0)::bigint FROM sync.blobs b WHERE b.team_id = p_team
$$;

-- Whose copy of a blob the caller may read: a complete upload by the owner of an attachment row
-- the caller can see that names it (their own copy first).
CREATE FUNCTION sync.readable_blob_owner(p_sha text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  SELECT b.owner_id
    FROM sync.blobs b
   WHERE b.sha256 = p_sha AND b.complete
     AND EXISTS (SELECT 1 FROM public.attachments a
                  WHERE a.sha256 = b.sha256 AND a.owner_id = b.owner_id AND a.deleted_at IS NULL
                    AND (a.owner_id = sync.caller_id() OR sync.may_read_session(a.session_id)))
   ORDER BY (b.owner_id = sync.caller_id()) DESC, b.completed_at
   LIMIT 1
$$;

-- What the server holds of a blob, for this caller:
--   {"status": "complete" | "partial" | "absent", "size": n, "chunk_bytes": n, "chunks": n,
--    "have": [chunk numbers already here, for the caller's own unfinished upload],
--    "may_upload": bool (one of the caller's own rows names it), "quota": n, "used": n}
--   or {"status": "forbidden"} when no attachment row the caller may see names it, and
--   {"status": "not_a_member"}.
CREATE FUNCTION sync.blob_status(p_sha text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me      uuid := sync.caller_id();
  team    text := sync.caller_team();
  own_size bigint;
  mine    sync.blobs;
  readable uuid;
  seen    boolean;
BEGIN
  IF me IS NULL THEN
    RETURN jsonb_build_object('status', 'not_a_member');
  END IF;
  SELECT max(a.size_bytes) INTO own_size FROM public.attachments a
   WHERE a.sha256 = p_sha AND a.owner_id = me AND a.deleted_at IS NULL;
  SELECT EXISTS (SELECT 1 FROM public.attachments a
                  WHERE a.sha256 = p_sha AND a.deleted_at IS NULL
                    AND (a.owner_id = me OR sync.may_read_session(a.session_id))) INTO seen;
  IF NOT seen THEN
    RETURN jsonb_build_object('status', 'forbidden');
  END IF;
  readable := sync.readable_blob_owner(p_sha);
  IF readable IS NOT NULL THEN
    SELECT * INTO mine FROM sync.blobs b WHERE b.owner_id = readable AND b.sha256 = p_sha;
    RETURN jsonb_build_object('status', 'complete', 'size', mine.size_bytes, 'chunk_bytes', sync.blob_chunk_bytes(),
                              'chunks', mine.chunk_count, 'may_upload', own_size IS NOT NULL, 'have', '[]'::jsonb,
                              'quota', sync.blob_quota(team), 'used', sync.blob_usage(team));
  END IF;
  SELECT * INTO mine FROM sync.blobs b WHERE b.owner_id = me AND b.sha256 = p_sha;
  RETURN jsonb_build_object(
    'status', CASE WHEN mine.sha256 IS NULL THEN 'absent' ELSE 'partial' END,
    'size', coalesce(mine.size_bytes, own_size),
    'chunk_bytes', sync.blob_chunk_bytes(),
    'chunks', coalesce(mine.chunk_count, (ceil(coalesce(own_size, 0)::numeric / sync.blob_chunk_bytes()))::integer),
    'may_upload', own_size IS NOT NULL,
    'have', coalesce((SELECT jsonb_agg(c.n ORDER BY c.n) FROM sync.blob_chunks c
                       WHERE c.owner_id = me AND c.sha256 = p_sha), '[]'::jsonb),
    'quota', sync.blob_quota(team),
    'used', sync.blob_usage(team));
END
$$;

-- One chunk of the caller's upload of a blob one of their own attachment rows names. Chunk n
-- holds bytes [n * chunk_bytes, (n + 1) * chunk_bytes); every chunk but the last is full. A chunk
-- already here is left as it was (a resumed upload may resend it). When the last missing chunk
-- arrives, the whole is hashed: a mismatch drops the upload (status "corrupt").
-- Answers {"status": "ok" | "complete" | "corrupt" | "quota_exceeded" | "forbidden" | "bad_chunk"
--          | "not_a_member", "message": "..."}.
CREATE FUNCTION sync.put_blob_chunk(p_sha text, p_size bigint, p_n integer, p_data bytea) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me      uuid := sync.caller_id();
  team    text := sync.caller_team();
  size_each integer := sync.blob_chunk_bytes();
  count_all integer;
  blob    sync.blobs;
  quota   bigint;
  used    bigint;
  have    integer;
  expected bigint;
  whole   text;
BEGIN
  IF me IS NULL THEN
    RETURN jsonb_build_object('status', 'not_a_member', 'message', 'This login is not a member of the team.');
  END IF;
  IF p_sha IS NULL OR p_sha !~ '^[0-9a-f]{64}$' OR p_size IS NULL OR p_size < 0 THEN
    RETURN jsonb_build_object('status', 'bad_chunk', 'message', 'The file''s hash or size is not valid.');
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.attachments a
                  WHERE a.owner_id = me AND a.sha256 = p_sha AND a.size_bytes = p_size AND a.deleted_at IS NULL) THEN
    RETURN jsonb_build_object('status', 'forbidden',
      'message', 'None of your attachments on the server is this file, so its bytes cannot be uploaded.');
  END IF;
  count_all := ceil(p_size::numeric / size_each)::integer;
  -- Every chunk is full but the last; an empty file is one empty chunk.
  expected := least(size_each::bigint, p_size - coalesce(p_n, 0)::bigint * size_each);
  IF p_n IS NULL OR p_n < 0 OR p_n >= greatest(count_all, 1) OR p_data IS NULL OR length(p_data) <> expected THEN
    RETURN jsonb_build_object('status', 'bad_chunk', 'message', format('Chunk %s of this file has the wrong length.', p_n));
  END IF;
  -- One upload of a blob at a time per owner: the row lock orders concurrent resumes.
  SELECT * INTO blob FROM sync.blobs b WHERE b.owner_id = me AND b.sha256 = p_sha FOR UPDATE;
  IF blob.sha256 IS NULL THEN
    -- The whole file is charged when its upload starts, so a team cannot creep past its quota
    -- through many half-finished uploads. Teams are serialised on an advisory lock meanwhile.
    PERFORM pg_advisory_xact_lock(hashtextextended('confab-blob-quota:' || team, 0));
    quota := sync.blob_quota(team);
    used := sync.blob_usage(team);
    IF used + p_size > quota THEN
      RETURN jsonb_build_object('status', 'quota_exceeded', 'quota', quota, 'used', used,
        'message', format('The team''s file storage is full: %s MB of %s MB used, and this file needs %s MB more. Ask the team admin to raise the quota (npm run team -- set-quota).',
                          ceil(used / 1048576.0), floor(quota / 1048576.0), ceil(p_size / 1048576.0)));
    END IF;
    INSERT INTO sync.blobs (owner_id, sha256, team_id, size_bytes, chunk_count)
    VALUES (me, p_sha, team, p_size, count_all)
    ON CONFLICT DO NOTHING;
    SELECT * INTO blob FROM sync.blobs b WHERE b.owner_id = me AND b.sha256 = p_sha FOR UPDATE;
  END IF;
  IF blob.complete THEN
    RETURN jsonb_build_object('status', 'complete');
  END IF;
  IF count_all > 0 THEN
    INSERT INTO sync.blob_chunks (owner_id, sha256, n, data) VALUES (me, p_sha, p_n, p_data) ON CONFLICT DO NOTHING;
  END IF;
  SELECT count(*) INTO have FROM sync.blob_chunks c WHERE c.owner_id = me AND c.sha256 = p_sha;
  IF have < count_all THEN
    RETURN jsonb_build_object('status', 'ok', 'have', have, 'chunks', count_all);
  END IF;
  -- Every chunk is here: the whole must hash to its name before anyone may read it. (This holds
  -- the blob in the server's memory once, up to the 200 MB a file may be.)
  SELECT encode(sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c.n), ''::bytea)), 'hex') INTO whole
    FROM sync.blob_chunks c WHERE c.owner_id = me AND c.sha256 = p_sha;
  IF whole <> p_sha THEN
    DELETE FROM sync.blobs b WHERE b.owner_id = me AND b.sha256 = p_sha;
    RETURN jsonb_build_object('status', 'corrupt',
      'message', 'The uploaded bytes do not match the file''s SHA-256; nothing was kept.');
  END IF;
  UPDATE sync.blobs b SET complete = true, completed_at = now() WHERE b.owner_id = me AND b.sha256 = p_sha;
  RETURN jsonb_build_object('status', 'complete');
END
$$;

-- Chunk n of a blob the caller may read (see readable_blob_owner). Refused with SQLSTATE 42501
-- when the caller may not read it, and P0002 when no complete copy is here.
CREATE FUNCTION sync.get_blob_chunk(p_sha text, p_n integer) RETURNS bytea
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  me     uuid := sync.caller_id();
  source uuid;
  chunk  bytea;
BEGIN
  IF me IS NULL OR NOT EXISTS (SELECT 1 FROM public.attachments a
                                WHERE a.sha256 = p_sha AND a.deleted_at IS NULL
                                  AND (a.owner_id = me OR sync.may_read_session(a.session_id))) THEN
    RAISE EXCEPTION 'You may not read this file: no attachment you can see names it.' USING ERRCODE = '42501';
  END IF;
  source := sync.readable_blob_owner(p_sha);
  IF source IS NULL THEN
    RAISE EXCEPTION 'The team server does not have this file''s bytes yet.' USING ERRCODE = 'P0002';
  END IF;
  SELECT c.data INTO chunk FROM sync.blob_chunks c WHERE c.owner_id = source AND c.sha256 = p_sha AND c.n = p_n;
  IF chunk IS NULL THEN
    IF p_n = 0 AND (SELECT b.size_bytes FROM sync.blobs b WHERE b.owner_id = source AND b.sha256 = p_sha) = 0 THEN
      RETURN ''::bytea;
    END IF;
    RAISE EXCEPTION 'This file has no chunk %.', p_n USING ERRCODE = 'P0002';
  END IF;
  RETURN chunk;
END
$$;

-- The admin's view of blob storage per team (team status).
CREATE FUNCTION sync.blob_storage() RETURNS TABLE (team_id text, used_bytes bigint, quota_bytes bigint, blobs bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.team_id, sync.blob_usage(t.team_id), sync.blob_quota(t.team_id),
         (SELECT count(*) FROM sync.blobs b WHERE b.team_id = t.team_id)
    FROM (SELECT DISTINCT u.team_id FROM sync.users u UNION SELECT q.team_id FROM sync.blob_quotas q) t
   ORDER BY t.team_id
$$;

DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.pronamespace = 'sync'::regnamespace
              AND p.proname IN ('blob_chunk_bytes', 'blob_quota', 'blob_usage', 'readable_blob_owner',
                                'blob_status', 'put_blob_chunk', 'get_blob_chunk', 'blob_storage') LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO confab_owner', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION sync.blob_chunk_bytes(), sync.blob_quota(text), sync.blob_usage(text),
  sync.readable_blob_owner(text) TO confab_owner;
GRANT EXECUTE ON FUNCTION sync.blob_status(text), sync.put_blob_chunk(text, bigint, integer, bytea),
  sync.get_blob_chunk(text, integer) TO confab_member;
