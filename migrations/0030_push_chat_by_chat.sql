-- A push goes chat by chat (issue 13's bench, 2026-12-03 evening). The outbox sent messages
-- noted together (a first connect notes a whole history at once) parents first across every
-- chat: depth 0 of every chat, then depth 1, and so on. So each batch of 1,000 touched nearly
-- every chat of the history (400 chats per batch at 20,000 messages), and every write that
-- follows a batch per chat was paid for all of them, on the server and on every device that pulls:
-- - the counters trigger updated 400 chats per batch: on the server 11 ms of a push's 140, and
--   about as much on a pulling device, each leaving 400 dead row versions in chat_sessions per
--   batch for a vacuum to clear;
-- - the same-chat and chat-owner checks looked the same chats up again each batch.
-- In push order the time noted still comes first, and a reply still never goes before its
-- parent: a parent is always in its reply's chat (server migration 0019 refuses anything else),
-- and in a chat the order is still by depth. The change index is written in push order, so pulls
-- go chat by chat too.
--
-- The outbox keeps a message's chat in its row, beside its depth (0022), under the push-order
-- index: a staging call still reads its `lim` keys off the index.

ALTER TABLE sync_outbox ADD COLUMN session_id uuid;

UPDATE sync_outbox o SET session_id = m.session_id
  FROM messages m
 WHERE o.tbl = 'messages' AND m.id = (o.pk ->> 0)::uuid;

-- A message's chat and depth when its key is noted without them (one probe for both); a writer
-- that knows them passes them (confab_outbox_note_owned below). A purged message is gone: no
-- chat, depth 0, first among its peers.
CREATE OR REPLACE FUNCTION confab_outbox_depth() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  found_session uuid;
  found_depth   integer;
BEGIN
  SELECT m.session_id, m.depth INTO found_session, found_depth FROM messages m WHERE m.id = (NEW.pk ->> 0)::uuid;
  NEW.session_id := coalesce(NEW.session_id, found_session);
  IF NEW.depth = 0 THEN
    NEW.depth := coalesce(found_depth, 0);
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER sync_outbox_depth ON sync_outbox;
CREATE TRIGGER sync_outbox_depth BEFORE INSERT ON sync_outbox
  FOR EACH ROW WHEN (NEW.tbl = 'messages' AND (NEW.depth = 0 OR NEW.session_id IS NULL))
  EXECUTE FUNCTION confab_outbox_depth();

DROP INDEX sync_outbox_push_order;
CREATE INDEX sync_outbox_push_order ON sync_outbox (tbl_rank, noted_at, session_id, depth, pk);

-- Staging writes each row once (the same evening's profile of a first push of 20,000 messages,
-- `confab_stage_pending` timed step by step: 4.5 s of staging in all). It built each row's JSON
-- into a temporary copy of the batch (an UPDATE that wrote every row a second time) and then
-- copied it into sync_pending, and made that temporary table anew at every call (8 ms a call in
-- catalog writes). Now the taken keys go into a table kept for the session and emptied at each
-- commit, and the rows' JSON is built by the statement that numbers them into sync_pending, one
-- SELECT per table the batch holds. What is staged, and its numbering, are 0024's.
CREATE OR REPLACE FUNCTION confab_stage_pending(lim integer, after_no bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  tables  text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                          'attachments', 'generation_runs', 'tool_executions'];
  t       text;
  n       integer;
  base    bigint;
  present text[];
  parts   text[] := ARRAY[]::text[];
BEGIN
  -- Mutations after `after_no` are staged already (a push that ended before its ack, a crash
  -- between two staged batches): they are sent again as they are, never staged anew.
  IF EXISTS (SELECT 1 FROM sync_pending WHERE mutation_no > after_no) THEN
    RETURN 0;
  END IF;
  -- Numbered after everything staged, acknowledged or not.
  SELECT greatest((SELECT last_mutation_no FROM sync_state), (SELECT max(mutation_no) FROM sync_pending), 0)
    INTO base;
  CREATE TEMP TABLE IF NOT EXISTS confab_staged_keys (tbl text, pk jsonb, op text, noted_at timestamptz)
    ON COMMIT DELETE ROWS;
  -- Emptied at each commit; a second call in one transaction finds the first one's keys.
  DELETE FROM confab_staged_keys;
  -- Messages noted by one statement (an import) share noted_at: they go chat by chat, and in a
  -- chat parents first (by depth), so a push never carries a reply whose parent waits for a
  -- later push. Read down the push-order index: the first `lim` keys, not a sort of the whole
  -- outbox.
  WITH keys AS (
    SELECT o.tbl, o.pk FROM sync_outbox o
     ORDER BY o.tbl_rank, o.noted_at, o.session_id, o.depth, o.pk
     LIMIT lim
  )
  , taken AS (
    DELETE FROM sync_outbox o USING keys k WHERE o.tbl = k.tbl AND o.pk = k.pk
    RETURNING o.tbl, o.pk, o.op, o.noted_at
  )
  INSERT INTO confab_staged_keys (tbl, pk, op, noted_at)
  SELECT d.tbl, d.pk, d.op, d.noted_at FROM taken d;
  SELECT array_agg(DISTINCT k.tbl) INTO present FROM confab_staged_keys k WHERE k.op = 'upsert';
  -- A purge carries its key only.
  parts := array_append(parts, 'SELECT s.tbl, s.op, s.noted_at, s.pk, confab_pk_object(s.tbl, s.pk) AS body '
                                'FROM confab_staged_keys s WHERE s.op = ''purge''');
  FOREACH t IN ARRAY tables LOOP
    CONTINUE WHEN NOT t = ANY (coalesce(present, ARRAY[]::text[]));
    IF (confab_sync_spec(t)).keys = ARRAY['id'] THEN
      -- One join by the typed key; the row is built from its stored, non-derived columns only
      -- (turning a message's tsvector into JSON only to drop it cost more than the rest). A key
      -- whose row is gone finds nothing: it was deleted after it was noted, and its purge is
      -- noted too.
      parts := parts || format(
        'SELECT s.tbl, s.op, s.noted_at, s.pk, (SELECT to_jsonb(c) FROM (SELECT %2$s) c) AS body '
        'FROM confab_staged_keys s JOIN %1$I x ON x.id = (s.pk ->> 0)::uuid WHERE s.tbl = %1$L AND s.op = ''upsert''',
        t,
        (SELECT string_agg(format('x.%1$I', a.attname), ', ' ORDER BY a.attnum)
           FROM pg_attribute a
          WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND NOT a.attname = ANY ((confab_sync_spec(t)).derived)));
    ELSE
      parts := parts || format(
        'SELECT s.tbl, s.op, s.noted_at, s.pk, (SELECT to_jsonb(x) - %3$L::text[] FROM %1$I x, '
        'jsonb_populate_record(NULL::%1$I, confab_pk_object(%1$L, s.pk)) r WHERE %2$s) AS body '
        'FROM confab_staged_keys s WHERE s.tbl = %1$L AND s.op = ''upsert''',
        t, (SELECT string_agg(format('x.%1$I = r.%1$I', k), ' AND ') FROM unnest((confab_sync_spec(t)).keys) AS k),
        (confab_sync_spec(t)).derived);
    END IF;
  END LOOP;
  EXECUTE format(
    'INSERT INTO sync_pending (mutation_no, mutation_id, tbl, op, body) '
    'SELECT $1 + row_number() OVER (ORDER BY array_position($2, b.tbl), b.noted_at, b.pk::text), '
    '       gen_random_uuid(), b.tbl, b.op, b.body '
    '  FROM (%s) b WHERE b.body IS NOT NULL',
    array_to_string(parts, ' UNION ALL '))
    USING base, tables;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- Noting a whole history (first connect, server_regressed): each message with its chat and depth
-- from its columns. Otherwise 0022's.
CREATE OR REPLACE FUNCTION confab_outbox_note_owned(uid uuid) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  t text;
  n bigint;
  total bigint := 0;
BEGIN
  INSERT INTO sync_outbox (tbl, pk, op, session_id, depth)
  SELECT 'messages', jsonb_build_array(m.id), 'upsert', m.session_id, m.depth FROM messages m
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
