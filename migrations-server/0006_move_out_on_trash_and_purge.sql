-- Move-out when a shared chat leaves teammates' sight other than by unsharing (found by the
-- convergence proof, tests/sync/convergence.test.ts REGRESSIONS).
--
-- Teammates may read a team chat only while it is not in the trash (the chat_sessions and
-- messages policies), and its change entries are judged on the live row. So when its owner
-- trashed it, the trash's change entry was invisible to them, and when the owner purged it, the
-- purge entries were judged on a session that no longer exists: either way teammates kept their
-- copy forever, and a restore from the trash never came back to them either (their cursor was
-- past the chat's earlier entries). A chat is now "shared" while visibility = 'team' AND it is
-- not trashed: entering that state emits 'share' (teammates backfill it), leaving it by unshare,
-- trash or purge emits 'unshare' (teammates drop their copies; their own forks stay).

CREATE OR REPLACE FUNCTION sync.note_visibility() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
    SELECT 'chat_sessions', jsonb_build_array(o.id), 'unshare', o.owner_id, o.id,
           nullif(current_setting('confab.origin_client', true), '')
      FROM old_rows o
     WHERE o.visibility = 'team' AND o.deleted_at IS NULL;
    RETURN NULL;
  END IF;
  INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
  SELECT 'chat_sessions', jsonb_build_array(n.id), CASE WHEN now_shared THEN 'share' ELSE 'unshare' END,
         n.owner_id, n.id, nullif(current_setting('confab.origin_client', true), '')
    FROM (SELECT n.id, n.owner_id,
                 n.visibility = 'team' AND n.deleted_at IS NULL AS now_shared,
                 o.visibility = 'team' AND o.deleted_at IS NULL AS was_shared
            FROM new_rows n JOIN old_rows o ON o.id = n.id) n
   WHERE now_shared IS DISTINCT FROM was_shared;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.note_visibility() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.note_visibility() FROM PUBLIC;

CREATE TRIGGER chat_sessions_sync_move_out AFTER DELETE ON public.chat_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sync.note_visibility();

-- ---------------------------------------------------------------------------------------------
-- The change trigger without a temporary table (found by the gap proof, tests/sync/gap.test.ts):
-- PostgreSQL refuses to PREPARE a transaction that has operated on temporary objects, so with
-- the temp table every server write inside a two-phase transaction (an XA transaction manager,
-- PREPARE TRANSACTION in admin SQL) failed on a team server. It also created a catalog entry per
-- writing transaction. The transition table is read twice instead: once for the entries to
-- replace, once for the new ones.
CREATE OR REPLACE FUNCTION sync.note_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  origin text := nullif(current_setting('confab.origin_client', true), '');
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO sync.graveyard (tbl, pk, owner_id, session_id)
    SELECT TG_TABLE_NAME, sync.row_pk(TG_TABLE_NAME, to_jsonb(o)), (to_jsonb(o) ->> 'owner_id')::uuid,
           sync.row_session(TG_TABLE_NAME, to_jsonb(o))
      FROM old_rows o
    ON CONFLICT DO NOTHING;
    DELETE FROM sync.changes c
     USING (SELECT sync.row_pk(TG_TABLE_NAME, to_jsonb(o)) AS pk FROM old_rows o) s
     WHERE c.tbl = TG_TABLE_NAME AND c.pk = s.pk AND c.op IN ('upsert', 'purge');
    INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
    SELECT DISTINCT TG_TABLE_NAME, sync.row_pk(TG_TABLE_NAME, to_jsonb(o)), 'purge', (to_jsonb(o) ->> 'owner_id')::uuid,
           sync.row_session(TG_TABLE_NAME, to_jsonb(o)), origin
      FROM old_rows o;
  ELSE
    DELETE FROM sync.changes c
     USING (SELECT sync.row_pk(TG_TABLE_NAME, to_jsonb(n)) AS pk FROM new_rows n) s
     WHERE c.tbl = TG_TABLE_NAME AND c.pk = s.pk AND c.op IN ('upsert', 'purge');
    INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client)
    SELECT DISTINCT TG_TABLE_NAME, sync.row_pk(TG_TABLE_NAME, to_jsonb(n)), 'upsert', (to_jsonb(n) ->> 'owner_id')::uuid,
           sync.row_session(TG_TABLE_NAME, to_jsonb(n)), origin
      FROM new_rows n;
  END IF;
  RETURN NULL;
END
$$;
ALTER FUNCTION sync.note_changes() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.note_changes() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- A chat's messages, runs, tool calls and files belong to the chat's owner (found by the RLS
-- proof, tests/sync/sharing.test.ts). Row-level security checked only the row's own owner_id, so
-- a member could push a message they own into a teammate's chat, shared (read-only by SYNC.md)
-- or even private (the foreign key check does not see row-level security): it landed in the
-- teammate's chat, and the pusher's own devices then failed every pull (the message's chat is
-- not theirs to fetch). Refused now with 42501, which sync.push records as a 'permission'
-- rejection; the rest of the batch applies.
CREATE FUNCTION sync.check_chat_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
  IF NEW.session_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = NEW.session_id AND s.owner_id = NEW.owner_id) THEN
    RAISE EXCEPTION 'a row of % belongs to the owner of its chat', TG_TABLE_NAME USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END
$$;
ALTER FUNCTION sync.check_chat_owner() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.check_chat_owner() FROM PUBLIC;
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['messages', 'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format('CREATE TRIGGER %1$s_chat_owner BEFORE INSERT OR UPDATE OF session_id, owner_id ON public.%1$I '
                   'FOR EACH ROW EXECUTE FUNCTION sync.check_chat_owner()', t);
  END LOOP;
END
$$;
