-- Two holes left open by the previous reviews (issue 13's notes, "noticed, left alone"):
--
-- 1. A row may name another row only in its own chat. A message's parent, and the message or run
--    that a file, a run or a tool call belongs to, is in the same chat as the row itself. No
--    device writes anything else: replies, edits, regenerations and forks all stay in one chat,
--    and importers keep each conversation in one. The server did not ask. A forged push could
--    hang a reply in a shared chat under a message of the member's private chat, or under
--    another chat's message of the same owner. Every teammate's device then met a row whose
--    parent it could never fetch. Devices park such rows now, but the server should not take
--    them at all. A teammate's row can never be named: a row belongs to its chat's owner (0006),
--    so a reference into another owner's chat is always a reference into another chat.
--
--    Checked once per INSERT or UPDATE statement over its new rows, in both directions. A parent
--    may arrive after its reply: within one push, or in a second push of one transaction, since
--    the keys are deferred. So a new row's references are looked up, and so are the rows already
--    here that name a new row. A reference not here yet is the deferred foreign key's business.
--    An UPDATE is checked too: an upsert with a newer status HLC may change a message's chat or
--    parent, since those are data columns of the merge.
--    A violation fails the statement (23514). sync.push then applies that push one mutation at a
--    time and records the offending one as 'invalid'; the rest apply.
--
-- 2. A teammate sees the graveyard rows only of chats the teammate may read (sync.may_read_session,
--    as for the change index). 0001 showed every team member the purged keys of each other's
--    chats, private ones included: ids, how many, and when. Nothing a device does needs more.
--    A key purged inside a chat that is still shared stays visible, so the snapshot removes it
--    from the teammate's device. A chat that is purged, or made private, leaves a teammate's
--    device by the snapshot's move-out (chats of others it no longer returns).

CREATE FUNCTION sync.check_same_chat_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  -- (the row's table, its column naming another row, that row's table): every synced reference
  -- that carries no chat of its own. session_id itself is checked by the chat-owner trigger.
  refs constant text[][] := ARRAY[
    ARRAY['messages', 'parent_id', 'messages'],
    ARRAY['attachments', 'message_id', 'messages'],
    ARRAY['generation_runs', 'message_id', 'messages'],
    ARRAY['tool_executions', 'message_id', 'messages'],
    ARRAY['tool_executions', 'run_id', 'generation_runs']];
  r text[];
  crossed boolean;
BEGIN
  FOREACH r SLICE 1 IN ARRAY refs LOOP
    crossed := false;
    -- The rows this statement wrote name a row of another chat. A run keeps its row when its
    -- chat is deleted (session_id becomes NULL): it then has no chat to compare.
    IF r[1] = TG_TABLE_NAME THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM new_rows n JOIN public.%I o ON o.id = n.%I '
                     'WHERE n.session_id IS NOT NULL AND o.session_id IS NOT NULL AND o.session_id <> n.session_id)',
                     r[3], r[2])
        INTO crossed;
    END IF;
    -- Rows already here name a row this statement wrote, from another chat (they came first).
    IF NOT crossed AND r[3] = TG_TABLE_NAME THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM new_rows n JOIN public.%I o ON o.%I = n.id '
                     'WHERE n.session_id IS NOT NULL AND o.session_id IS NOT NULL AND o.session_id <> n.session_id)',
                     r[1], r[2])
        INTO crossed;
    END IF;
    IF crossed THEN
      RAISE EXCEPTION 'a row of % names a row of another chat (%.% -> %)', TG_TABLE_NAME, r[1], r[2], r[3]
        USING ERRCODE = 'check_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.check_same_chat_rows() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.check_same_chat_rows() FROM PUBLIC;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['messages', 'attachments', 'generation_runs', 'tool_executions'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_same_chat_insert AFTER INSERT ON public.%1$I '
                   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync.check_same_chat_rows()', t);
    EXECUTE format('CREATE TRIGGER %1$s_same_chat_update AFTER UPDATE ON public.%1$I '
                   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync.check_same_chat_rows()', t);
  END LOOP;
END
$$;

DROP POLICY graveyard_member_read ON sync.graveyard;
CREATE POLICY graveyard_member_read ON sync.graveyard FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id())
         OR (session_id IS NOT NULL AND sync.may_read_session(session_id)));
