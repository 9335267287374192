-- A wake-up for listening clients whenever the change index grows, whoever wrote it: a member's
-- sync.push, a share or unshare, an admin's SQL. PostgreSQL folds identical notifications of one
-- transaction into one and delivers it at commit, so a 100k-row push is one wake-up. Clients
-- still poll: LISTEN does not pass PgBouncer or Supavisor in transaction mode, and a wake-up only
-- says "pull now" (the pull horizon decides what is visible).
CREATE FUNCTION sync.notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM pg_notify('confab_sync', '');
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.notify_change() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.notify_change() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.notify_change() TO confab_owner;

CREATE TRIGGER changes_notify AFTER INSERT ON sync.changes
  FOR EACH STATEMENT EXECUTE FUNCTION sync.notify_change();
