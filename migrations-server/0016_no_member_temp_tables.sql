-- A member could make the server's own functions run the member's code.
--
-- sync.push runs as confab_owner (SECURITY DEFINER) and keeps its batch in temporary tables it
-- creates "IF NOT EXISTS": sync_push, sync_push_rows, and the merge's pg_temp.confab_merge_<table>
-- (app migrations 0023 to 0026). PostgreSQL lets PUBLIC create temporary tables in a new
-- database, so a member could create a table of one of those names first, put a trigger on it,
-- and grant it to everyone: sync.push then wrote into the member's table, and the member's
-- trigger ran as confab_owner, the owner of every synced table, who may turn its row-level
-- security off. Tried on PostgreSQL 15 before this migration: the trigger reported current_user
-- confab_owner, session_user the member.
--
-- Two locks, either of which is enough:
-- 1. Nobody but the roles that need it may create temporary objects in this database: TEMPORARY
--    is revoked from PUBLIC (confab_owner keeps its grant from 0001; the database's owner and
--    superusers keep theirs). A dump restored into a new database does not carry database-level
--    privileges, so `team init`, which a restore runs again, applies this revoke on every run
--    (sync.revoke_public_temporary, called by src/main/db/sync/admin/serverMigrations.ts).
-- 2. sync.push refuses to run while the caller's session holds a temporary relation confab_owner
--    does not own, before it touches any: the checks are in a thin sync.push in front of the
--    function that was sync.push (0015's, now sync.push_batch, callable by confab_owner only).

CREATE FUNCTION sync.revoke_public_temporary() RETURNS void
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO confab_owner', current_database());
END
$$;
REVOKE EXECUTE ON FUNCTION sync.revoke_public_temporary() FROM PUBLIC;
SELECT sync.revoke_public_temporary();

-- Whether this session holds a temporary relation (table, view, sequence, index) that the
-- current role does not own: in a SECURITY DEFINER function, one the caller made.
CREATE FUNCTION sync.foreign_temp_relation() RETURNS text
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
  SELECT c.relname::text
    FROM pg_class c
   WHERE c.relnamespace = pg_my_temp_schema()
     AND c.relowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
   LIMIT 1
$$;
ALTER FUNCTION sync.foreign_temp_relation() OWNER TO confab_owner;
REVOKE EXECUTE ON FUNCTION sync.foreign_temp_relation() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.foreign_temp_relation() TO confab_owner;

ALTER FUNCTION sync.push(text, integer, jsonb) RENAME TO push_batch;
REVOKE EXECUTE ON FUNCTION sync.push_batch(text, integer, jsonb) FROM PUBLIC, confab_member;
GRANT EXECUTE ON FUNCTION sync.push_batch(text, integer, jsonb) TO confab_owner;

CREATE FUNCTION sync.push(p_client_id text, p_schema_version integer, p_batch jsonb)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  theirs text := sync.foreign_temp_relation();
BEGIN
  IF theirs IS NOT NULL THEN
    RAISE EXCEPTION 'sync.push: this session holds a temporary table of its own (%); push from a session without one', theirs
      USING ERRCODE = '42501';
  END IF;
  -- The device's change feed (app migration 0005) writes to a temporary table when a session
  -- asks for it; no push on the server has one to write to, whatever the caller set.
  PERFORM set_config('confab.capture', '', true);
  RETURN sync.push_batch(p_client_id, p_schema_version, p_batch);
END
$$;
-- Owned like every sync function (0002): SECURITY DEFINER runs it as confab_owner, not as the
-- admin who ran this migration.
ALTER FUNCTION sync.push(text, integer, jsonb) OWNER TO confab_owner;
REVOKE EXECUTE ON FUNCTION sync.push(text, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.push(text, integer, jsonb) TO confab_member;
