-- A bulk writer that proves its own rows may write messages with the table's triggers off, then
-- do in one call what those triggers would have done for the whole batch (issue 12: an import at
-- or above native PostgreSQL's insert rate).
--
-- Why it is safe: the import writer checks every row it wrote inside the same transaction (its
-- chat exists, its parent is in the same chat one level up, the chat's counter equals its rows)
-- and rolls the batch back on any mismatch. The two deferred foreign-key checks per message that
-- COMMIT ran again were about a fifth of an import's time; the statement triggers' scans of the
-- transition table (counters, change capture, sync outbox), which each deformed every new row
-- with its text, most of the rest of the trigger work. The writer turns triggers off with
-- session_replication_role = replica for its INSERT only (the device's PGlite runs as a
-- superuser; elsewhere it keeps the triggers) and then calls the functions below with what the
-- INSERT returned.
--
-- What the triggers do for new messages, and where it happens instead:
-- - counters (messages_counters_insert): confab_count_messages_in_bulk, which the trigger now calls
--   too, for chats that existed before; a chat the same write creates is given its counters with its
--   row, which spares an UPDATE that fires the chat's own triggers (about 1 ms a chat);
-- - change capture (messages_capture_insert): confab_note_messages_in_bulk, one "reload this
--   chat" per chat, as the trigger does for a statement of more than 200 rows;
-- - sync outbox (messages_outbox_insert): confab_note_messages_in_bulk, only on a device that has
--   connected to a team server: a first connect notes every owned row anyway
--   (confab_outbox_note_owned);
-- - depth (messages_depth): the writer passes every depth, and its check proves them;
-- - search (messages_search_tsv): rows are left unindexed for the indexer, as bulk writers
--   already do (0016);
-- - chosen branch arrival (messages_leaf_arrived): acts only while pulled changes are applied,
--   which never uses this path.

-- Whether this device has ever connected to a team server (its outbox matters only then).
CREATE FUNCTION confab_sync_linked() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM sync_state WHERE server_user_id IS NOT NULL)
$$;

-- Counters of chats that get new messages, as messages_counters_insert adds them: one row of the
-- arrays per new message that is not deleted.
CREATE FUNCTION confab_count_messages_in_bulk(
  session_ids uuid[], created_ats timestamptz[], tokens_in_list integer[], tokens_out_list integer[]
) RETURNS void
LANGUAGE sql AS $$
  WITH d AS MATERIALIZED (
    SELECT r.session_id,
           count(*) AS n,
           coalesce(sum(r.tin), 0) AS tin,
           coalesce(sum(r.tout), 0) AS tout,
           max(r.created_at) AS last_at
      FROM unnest(session_ids, created_ats, tokens_in_list, tokens_out_list) AS r(session_id, created_at, tin, tout)
     GROUP BY r.session_id
  )
  UPDATE chat_sessions s
     SET message_count    = s.message_count + d.n,
         tokens_in        = s.tokens_in + d.tin,
         tokens_out       = s.tokens_out + d.tout,
         last_message_at  = greatest(s.last_message_at, d.last_at),
         last_activity_at = greatest(s.last_activity_at, d.last_at)
    FROM d
   WHERE s.id = d.session_id
$$;

-- The sync outbox and change capture for new messages, as their insert triggers note them: the
-- outbox only on a device that has connected to a team server (the caller may then leave `ids`
-- empty: a first connect notes every owned row anyway), capture as "reload this chat" per chat.
CREATE FUNCTION confab_note_messages_in_bulk(ids uuid[], statuses text[], session_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_applying() AND confab_sync_linked() THEN
    INSERT INTO sync_outbox (tbl, pk, op)
    SELECT 'messages', jsonb_build_array(r.id), 'upsert'
      FROM unnest(ids, statuses) AS r(id, status)
     WHERE r.status NOT IN ('streaming', 'running', 'pending')
    ON CONFLICT (tbl, pk) DO UPDATE SET op = 'upsert', noted_at = now();
  END IF;
  IF confab_capturing() THEN
    -- The capture table is the worker connection's temporary table: named at run time only.
    EXECUTE 'INSERT INTO confab_changed (kind, id, session_id) '
            'SELECT DISTINCT ''message'', NULL::text, s FROM unnest($1::uuid[]) AS s'
      USING session_ids;
  END IF;
END
$$;

-- The insert trigger adds through the same function, so the counters' arithmetic is written once.
CREATE OR REPLACE FUNCTION confab_sessions_after_message_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM confab_count_messages_in_bulk(array_agg(n.session_id), array_agg(n.created_at),
                                        array_agg(n.tokens_in), array_agg(n.tokens_out))
     FROM new_rows n
    WHERE n.deleted_at IS NULL
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;
