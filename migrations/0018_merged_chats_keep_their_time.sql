-- A chat that arrives by a merge (a sync pull, a restore) keeps its own time in the sidebar. Its
-- last_activity_at is derived, so the merge leaves it out and the column's default, now(), gave
-- every chat of a first sync the moment it arrived: a new device listed years of history as
-- "Today", in the order the pull happened to bring it. The chat's creation is the start of its
-- activity; its messages then raise it (the counters trigger takes the greatest).
CREATE FUNCTION confab_merged_chat_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Only where the column took its default (a restore writes the exported value, kept as it is).
  IF confab_applying() AND NEW.last_activity_at = now() THEN
    NEW.last_activity_at := NEW.created_at;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER chat_sessions_merged_activity BEFORE INSERT ON chat_sessions
  FOR EACH ROW EXECUTE FUNCTION confab_merged_chat_activity();
