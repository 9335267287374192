-- A member's pull skips teammates' private change entries cheaply (issue 13, 2026-12-03).
--
-- The change index is read under row-level security: a member reads their own entries, the
-- entries of chats shared with their team, and their team's share and unshare events. A pull
-- reads the index in commit order, so it also passes every teammate's entry after its cursor,
-- and for each one that is not the member's own the policy called sync.may_read_session(): a
-- SECURITY DEFINER function, never inlined, one lookup of the chat per entry. Measured on
-- PostgreSQL 15 with a teammate's 20,801 entries: a pull from the start, and the first sync's
-- count of what is to come, took 220 ms each to find nothing (11 µs an entry). A new device in a
-- team of ten whose members each have 100,000 messages would spend about 20 s of a first sync on
-- that, and every batch pays for the teammates' entries between its own.
--
-- Now the policy asks whether the entry's chat is among the team's shared chats, read once per
-- statement (sync.team_shared_chats(): the shared chats of the caller's team's members, by the
-- chats' owner index) and looked up in a hash from then on; a statement that meets only the
-- member's own entries never reads it (the first condition decides). The rows the policy lets
-- through are the same: a chat is readable by sync.may_read_session() exactly when it is live,
-- shared with the team, and owned by a member of the caller's team, and that is the list.

CREATE FUNCTION sync.team_shared_chats() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
ROWS 1000 AS $$
  SELECT s.id
    FROM sync.users u JOIN public.chat_sessions s ON s.owner_id = u.user_id
   WHERE u.team_id = sync.caller_team() AND s.visibility = 'team' AND s.deleted_at IS NULL
$$;
ALTER FUNCTION sync.team_shared_chats() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.team_shared_chats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.team_shared_chats() TO confab_member;

DROP POLICY changes_member_read ON sync.changes;
CREATE POLICY changes_member_read ON sync.changes FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id())
         OR (tbl IN ('chat_sessions', 'messages', 'attachments') AND session_id IS NOT NULL
             AND session_id IN (SELECT sync.team_shared_chats()))
         OR (op IN ('share', 'unshare') AND sync.team_of(owner_id) = (SELECT sync.caller_team())));
