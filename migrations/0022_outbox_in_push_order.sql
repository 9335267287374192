-- Staging a push sorted the whole outbox to take its first keys: each call joined every noted
-- message to read its depth and sorted them all, to keep `lim` of them. A first push notes the
-- whole history at once and is staged a thousand keys at a time, so its cost grew with the square
-- of the history (at 20,000 messages about 0.1-0.2 s of each 0.2-0.4 s staging call here, and
-- ten times that per call at 100,000). The outbox now keeps what the order needs in its own row,
-- the table's place in push order and a message's depth, under an index in that order, so a
-- staging call reads its `lim` keys off the index.
--
-- The order is the same as before: tables in push order, then the time noted, then depth (a
-- reply never waits for a later push than its parent), then the key (jsonb order instead of its
-- text: any fixed tie-break will do).

ALTER TABLE sync_outbox
  ADD COLUMN tbl_rank integer GENERATED ALWAYS AS (
    array_position(ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                         'attachments', 'generation_runs', 'tool_executions']::text[], tbl)) STORED,
  ADD COLUMN depth integer NOT NULL DEFAULT 0;

UPDATE sync_outbox o SET depth = m.depth
  FROM messages m
 WHERE o.tbl = 'messages' AND m.id = (o.pk ->> 0)::uuid;

-- A message's depth when its key is first noted without one (a purged message is gone: 0, first
-- among its peers). A writer that knows the depth passes it (confab_outbox_note_owned below); a
-- root looked up again finds 0.
CREATE FUNCTION confab_outbox_depth() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.depth := coalesce((SELECT m.depth FROM messages m WHERE m.id = (NEW.pk ->> 0)::uuid), 0);
  RETURN NEW;
END
$$;
CREATE TRIGGER sync_outbox_depth BEFORE INSERT ON sync_outbox
  FOR EACH ROW WHEN (NEW.tbl = 'messages' AND NEW.depth = 0) EXECUTE FUNCTION confab_outbox_depth();

CREATE INDEX sync_outbox_push_order ON sync_outbox (tbl_rank, noted_at, depth, pk);

CREATE OR REPLACE FUNCTION confab_stage_pending(lim integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  -- attachments too: 0011 noted their keys in the outbox but staged no body for them, so a
  -- file's row was taken from the outbox and silently dropped, and never reached the server.
  tables text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                         'attachments', 'generation_runs', 'tool_executions'];
  t      text;
  n      integer;
BEGIN
  IF EXISTS (SELECT 1 FROM sync_pending) THEN
    RETURN 0;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS confab_staging (tbl text, pk jsonb, op text, noted_at timestamptz, body jsonb) ON COMMIT DROP;
  TRUNCATE confab_staging;
  -- Messages noted by one statement (an import) share noted_at: parents go first (by depth), so
  -- a push never carries a reply whose parent waits for a later push. Read down the push-order
  -- index: the first `lim` keys, not a sort of the whole outbox (see the top of this file).
  WITH keys AS (
    SELECT o.tbl, o.pk FROM sync_outbox o
     ORDER BY o.tbl_rank, o.noted_at, o.depth, o.pk
     LIMIT lim
  )
  , taken AS (
    DELETE FROM sync_outbox o USING keys k WHERE o.tbl = k.tbl AND o.pk = k.pk
    RETURNING o.tbl, o.pk, o.op, o.noted_at
  )
  INSERT INTO confab_staging (tbl, pk, op, noted_at)
  SELECT d.tbl, d.pk, d.op, d.noted_at FROM taken d;
  UPDATE confab_staging SET body = confab_pk_object(tbl, pk) WHERE op = 'purge';
  FOREACH t IN ARRAY tables LOOP
    IF (confab_sync_spec(t)).keys = ARRAY['id'] THEN
      -- One join by the typed key; the row is built from its stored, non-derived columns only
      -- (turning a message's tsvector into JSON only to drop it cost more than the rest).
      EXECUTE format(
        'UPDATE confab_staging s SET body = (SELECT to_jsonb(c) FROM (SELECT %2$s) c) '
        'FROM %1$I x WHERE s.tbl = %1$L AND s.op = ''upsert'' AND x.id = (s.pk ->> 0)::uuid',
        t,
        (SELECT string_agg(format('x.%1$I', a.attname), ', ' ORDER BY a.attnum)
           FROM pg_attribute a
          WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND NOT a.attname = ANY ((confab_sync_spec(t)).derived)));
    ELSE
      EXECUTE format(
        'UPDATE confab_staging s SET body = (SELECT to_jsonb(x) - $1 FROM %1$I x, '
        'jsonb_populate_record(NULL::%1$I, confab_pk_object(%1$L, s.pk)) r WHERE %2$s) '
        'WHERE s.tbl = %1$L AND s.op = ''upsert''',
        t, (SELECT string_agg(format('x.%1$I = r.%1$I', k), ' AND ') FROM unnest((confab_sync_spec(t)).keys) AS k))
        USING (confab_sync_spec(t)).derived;
    END IF;
  END LOOP;
  -- A key whose row is gone was deleted after it was noted; its purge is noted too.
  INSERT INTO sync_pending (mutation_no, mutation_id, tbl, op, body)
  SELECT (SELECT last_mutation_no FROM sync_state)
           + row_number() OVER (ORDER BY array_position(tables, tbl), noted_at, pk::text),
         gen_random_uuid(), tbl, op, body
    FROM confab_staging
   WHERE body IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- Noting a whole history (first connect, server_regressed): messages, most of it, with their key
-- and depth read from their columns instead of from a JSON copy of each whole row, text and all.
-- The other tables as before.
CREATE OR REPLACE FUNCTION confab_outbox_note_owned(uid uuid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  t text;
  n bigint;
  total bigint := 0;
BEGIN
  INSERT INTO sync_outbox (tbl, pk, op, depth)
  SELECT 'messages', jsonb_build_array(m.id), 'upsert', m.depth FROM messages m
   WHERE m.owner_id = uid AND coalesce(m.status, '') NOT IN ('streaming', 'running', 'pending')
  ON CONFLICT (tbl, pk) DO NOTHING;
  GET DIAGNOSTICS total = ROW_COUNT;
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags',
                           'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format(
      'INSERT INTO sync_outbox (tbl, pk, op) SELECT %1$L, confab_row_pk(%1$L, to_jsonb(r)), ''upsert'' FROM %1$I r '
      'WHERE r.owner_id = $1 AND coalesce(to_jsonb(r) ->> ''status'', '''') NOT IN (''streaming'', ''running'', ''pending'') '
      'ON CONFLICT (tbl, pk) DO NOTHING', t)
      USING uid;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  RETURN total;
END
$$;
