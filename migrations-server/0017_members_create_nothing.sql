-- A member may create nothing in the team database that the server's own functions could run or
-- wait for. Found by a review after 0016, each tried on PostgreSQL 15:
--
-- 1. CREATE on schema public. PostgreSQL 15 no longer grants it to PUBLIC in a new database, but
--    a database upgraded from 14 or earlier (pg_upgrade) or restored from such a dump keeps the
--    grant. There a member could create public.to_jsonb(uuid): the definer functions search
--    pg_catalog first, yet an exact-type function in public beats pg_catalog's
--    to_jsonb(anyelement), so sync.note_changes (the change trigger) ran the member's code as
--    confab_owner, and in a teammate's push with the teammate's session_user, which row-level
--    security took for the teammate: it rewrote the teammate's chats.
-- 2. Session-level advisory locks. pg_advisory_lock is PUBLIC's by default; a member holding the
--    blob quota's key (hashtextextended('confab-blob-quota:' || team, 0)) idle in a session stops
--    every upload of the team, and the watchdog, which ends transactions holding the horizon, does
--    not see a lock held by a session without a transaction id. The same with `team init`'s key.
-- 3. Large objects. lo_from_bytea is PUBLIC's: unbounded disk outside every quota, and a role that
--    owns one cannot be dropped (`team remove-user` failed after it had deleted the user's row).
--
-- sync.lock_down_database() replaces 0016's sync.revoke_public_temporary() and takes all of these
-- away from PUBLIC; `team init` runs it on every run (a dump restored into a new database brings
-- the database's defaults back, and a database upgraded from 14 brings public's). It then checks
-- what matters most and fails loudly rather than leave a member able to create objects or
-- temporary tables.
--
-- Revoking a pg_catalog function's EXECUTE needs its owner, a superuser. An admin who is not one
-- (a managed server's database owner) gets a warning for those, not an error: the quota's lock
-- can then still be held by a member, which the status command's stalls do not show.

CREATE FUNCTION sync.lock_down_database() RETURNS void
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  f regprocedure;
  superuser boolean := current_setting('is_superuser') = 'on';
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO confab_owner', current_database());
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  IF superuser THEN
    FOR f IN
      SELECT p.oid::regprocedure FROM pg_proc p
       WHERE p.pronamespace = 'pg_catalog'::regnamespace
         AND (p.proname LIKE 'pg\_advisory\_%' OR p.proname LIKE 'pg\_try\_advisory\_%'
              OR p.proname IN ('lo_create', 'lo_creat', 'lo_from_bytea', 'lo_import'))
    LOOP
      EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
    -- The blob quota's lock (0008) is a transaction lock taken inside a confab_owner function.
    GRANT EXECUTE ON FUNCTION pg_advisory_xact_lock(bigint) TO confab_owner;
  ELSE
    RAISE WARNING 'not a superuser: members keep advisory locks and large objects (PUBLIC''s by default); run team init as a superuser to take them away';
  END IF;
  IF has_schema_privilege('confab_member', 'public', 'CREATE')
     OR has_database_privilege('confab_member', current_database(), 'CREATE')
     OR has_database_privilege('confab_member', current_database(), 'TEMPORARY') THEN
    RAISE EXCEPTION 'confab_member may still create objects in database % (a grant to PUBLIC or to confab_member this admin cannot revoke)', current_database()
      USING ERRCODE = '42501';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION sync.lock_down_database() FROM PUBLIC;
SELECT sync.lock_down_database();

DROP FUNCTION sync.revoke_public_temporary();
