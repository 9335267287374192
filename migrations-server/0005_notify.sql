-- A wake-up for listening clients whenever a member's sync.push grows the change index (edits,
-- shares and unshares all arrive that way). PostgreSQL folds identical notifications of one
-- transaction into one and delivers it at commit, so a 100k-row push is one wake-up. Only inside
-- sync.push (it sets confab.origin_client): a transaction that has sent NOTIFY cannot be
-- prepared, and an admin's own SQL may well use PREPARE TRANSACTION; such writes reach clients
-- at their next poll. Clients poll anyway: LISTEN does not pass PgBouncer or Supavisor in
-- transaction mode, and a wake-up only says "pull now" (the pull horizon decides what is visible).
CREATE FUNCTION sync.notify_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('confab.origin_client', true), '') <> '' THEN
    PERFORM pg_notify('confab_sync', '');
  END IF;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.notify_change() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.notify_change() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.notify_change() TO confab_owner;

CREATE TRIGGER changes_notify AFTER INSERT ON sync.changes
  FOR EACH STATEMENT EXECUTE FUNCTION sync.notify_change();
