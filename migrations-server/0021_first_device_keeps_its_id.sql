-- The first device of a new member keeps its own user id (SYNC.md's identity adoption, amended).
--
-- A device's history is written under the local user id it made at its first start. At its first
-- connect it took the server's id for the member instead, and rewrote owner_id on every row it
-- had before anything was sent: on a desktop with 20,000 messages about a sixth of the first push,
-- and every message left for the search indexer again. For a member whom `add-user` has just
-- made, the server's id names nothing yet, so the member may take the device's id in its place,
-- once, and the device then has nothing to rewrite. Later devices of the member adopt that id as
-- before; they are usually empty, or bring little.
--
-- Who may claim, and which id: a member takes an id by sync.claim_user_id(id), and the server
-- refuses (answering with the member's id as it stands) unless
-- - add-user made the member's row (id_claimable, set at the row's insert only; every member
--   made before this migration is not claimable), and nothing settled the flag since: the claim
--   settles it, whatever it answers, and so does the member's first client (the first push);
-- - the member has no client and no chat on the server (belt and braces: the flag says as much);
-- - no other member has the id, and no member ever had it: a removed member's rows stay on the
--   server under their id (remove-user keeps the team's history), and whoever took that id would
--   become their owner. sync.retired_user_ids keeps every id a member stopped having, by removal
--   or by a claim; this migration fills it from every owner and user column of the data.
-- The id is the device's random v4 uuid: a member cannot learn a teammate's id other than from
-- the team's rows and sync.team_members, and both are covered above.
--
-- A race: a member's two devices connect for the first time at once, one of them a Confab from
-- before this change, which never claims. Its first push reads the member's id, then inserts its
-- client; if the other device's claim commits in between, the push would write rows under the
-- retired id. The client's insert therefore locks the member's row, settles the flag, and fails
-- the push (40001, retried by the next round under the new id) if the id it was given is no
-- longer the member's. A claim that comes after that insert waits for the push and is refused.

ALTER TABLE sync.users ADD COLUMN id_claimable boolean NOT NULL DEFAULT false;

CREATE TABLE sync.retired_user_ids (
  user_id    uuid PRIMARY KEY,
  retired_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE sync.retired_user_ids ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync.retired_user_ids FORCE ROW LEVEL SECURITY;
CREATE POLICY retired_user_ids_owner_all ON sync.retired_user_ids FOR ALL TO confab_owner USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON sync.retired_user_ids TO confab_owner;

-- Every id the data names that is no member's now: members removed before this migration. This
-- runs as the admin of `team init`, who reads every row (row-level security does not bind a
-- superuser or the tables' owner role when it runs init).
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT table_schema, table_name, column_name
             FROM information_schema.columns col
            WHERE table_schema IN ('public', 'sync') AND column_name IN ('owner_id', 'user_id')
              AND data_type = 'uuid'
              AND (table_schema, table_name) NOT IN (('sync', 'users'), ('sync', 'retired_user_ids'))
              AND EXISTS (SELECT 1 FROM information_schema.tables t
                           WHERE t.table_schema = col.table_schema AND t.table_name = col.table_name
                             AND t.table_type = 'BASE TABLE')
  LOOP
    EXECUTE format('INSERT INTO sync.retired_user_ids (user_id) SELECT DISTINCT x.%3$I FROM %1$I.%2$I x '
                   'WHERE x.%3$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sync.users u WHERE u.user_id = x.%3$I) '
                   'ON CONFLICT DO NOTHING',
                   c.table_schema, c.table_name, c.column_name);
  END LOOP;
END
$$;

-- An id a member stops having is retired: at remove-user (the row goes) and at a claim.
CREATE FUNCTION sync.retire_user_id() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
    INSERT INTO sync.retired_user_ids (user_id) VALUES (OLD.user_id) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.retire_user_id() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.retire_user_id() FROM PUBLIC;
CREATE TRIGGER users_retire_id AFTER UPDATE OF user_id OR DELETE ON sync.users
  FOR EACH ROW EXECUTE FUNCTION sync.retire_user_id();

-- The owner role changes the caller's own row only, and of it only these two columns.
CREATE POLICY users_owner_claim ON sync.users FOR UPDATE TO confab_owner
  USING (role_name = session_user::text) WITH CHECK (role_name = session_user::text);
GRANT UPDATE (user_id, id_claimable) ON sync.users TO confab_owner;

CREATE FUNCTION sync.claim_user_id(p_id uuid) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  mine sync.users;
BEGIN
  -- Locked: two devices claiming at once are served one after the other, the second refused.
  SELECT * INTO mine FROM sync.users WHERE role_name = session_user::text FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF NOT mine.id_claimable OR p_id IS NULL OR p_id = mine.user_id THEN
    RETURN mine.user_id;
  END IF;
  UPDATE sync.users SET id_claimable = false WHERE role_name = mine.role_name;
  IF EXISTS (SELECT 1 FROM sync.clients WHERE user_id = mine.user_id)
     OR EXISTS (SELECT 1 FROM public.chat_sessions WHERE owner_id = mine.user_id)
     OR EXISTS (SELECT 1 FROM sync.users WHERE user_id = p_id)
     OR EXISTS (SELECT 1 FROM sync.retired_user_ids WHERE user_id = p_id) THEN
    RETURN mine.user_id;
  END IF;
  UPDATE sync.users SET user_id = p_id WHERE role_name = mine.role_name;
  RETURN p_id;
END
$$;
ALTER FUNCTION sync.claim_user_id(uuid) OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.claim_user_id(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.claim_user_id(uuid) TO confab_member;

-- A member's first client settles the flag, and fails if the id its push read is gone (above).
CREATE FUNCTION sync.settle_claim_on_first_client() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  current_id uuid;
BEGIN
  -- Settles the flag and locks the row until the push commits, in one statement.
  UPDATE sync.users SET id_claimable = false WHERE role_name = session_user::text
  RETURNING user_id INTO current_id;
  IF NOT FOUND THEN
    RETURN NEW;
  END IF;
  IF current_id IS DISTINCT FROM NEW.user_id THEN
    RAISE EXCEPTION 'this member''s user id changed during the push; sync again'
      USING ERRCODE = 'serialization_failure';
  END IF;
  RETURN NEW;
END
$$;
ALTER FUNCTION sync.settle_claim_on_first_client() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.settle_claim_on_first_client() FROM PUBLIC;
CREATE TRIGGER clients_settle_claim BEFORE INSERT ON sync.clients
  FOR EACH ROW EXECUTE FUNCTION sync.settle_claim_on_first_client();
