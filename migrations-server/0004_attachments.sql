-- Attachments (app migration 0009) sync like messages: their changes go to the change index, and
-- row-level security lets a member read their own files and those on chats shared with their team
-- (the bytes travel separately; the rows say which files exist). Written only through sync.push.
CREATE TRIGGER attachments_sync_insert AFTER INSERT ON public.attachments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sync.note_changes();
CREATE TRIGGER attachments_sync_update AFTER UPDATE ON public.attachments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sync.note_changes();
CREATE TRIGGER attachments_sync_delete AFTER DELETE ON public.attachments REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION sync.note_changes();

ALTER TABLE public.attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY attachments_owner_write ON public.attachments FOR ALL TO confab_owner
  USING (owner_id = (SELECT sync.caller_id())) WITH CHECK (owner_id = (SELECT sync.caller_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON public.attachments TO confab_owner;
GRANT SELECT ON public.attachments TO confab_member;
CREATE POLICY attachments_member_read ON public.attachments FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id()) OR sync.may_read_session(session_id));

-- Teammates see the change entries of a shared chat's files as they see its messages'.
DROP POLICY changes_member_read ON sync.changes;
CREATE POLICY changes_member_read ON sync.changes FOR SELECT TO confab_member
  USING (owner_id = (SELECT sync.caller_id())
         OR (tbl IN ('chat_sessions', 'messages', 'attachments') AND session_id IS NOT NULL
             AND sync.may_read_session(session_id))
         OR (op IN ('share', 'unshare') AND sync.team_of(owner_id) = (SELECT sync.caller_team())));
