-- The change feed's source: statement-level triggers note which rows each statement touched, so
-- that every write (a view's call, the chat engine, an import, a sync apply, the retention job)
-- is announced the same way and none can be forgotten. The same file runs on PGlite and on a team
-- PostgreSQL 15+.
--
-- The triggers only write while `confab.capture` is 'on', which the app's DB worker sets on its
-- own connection after creating the temporary table confab_changed; everywhere else (a team
-- server, scripts, tests that open a database directly) they return at once.
--
-- One statement may touch 100k messages (an import): above 200 rows, a statement notes each
-- session once with no message id, which views read as "reload this chat".

CREATE FUNCTION confab_capturing() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('confab.capture', true), '') = 'on'
$$;

CREATE FUNCTION confab_capture_sessions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_capturing() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO confab_changed (kind, id) SELECT 'session', o.id::text FROM old_rows o;
  ELSE
    INSERT INTO confab_changed (kind, id) SELECT 'session', n.id::text FROM new_rows n;
    IF TG_OP = 'UPDATE' THEN
      -- The branch shown moved. The worker reads this as "reload the chat" unless the new leaf
      -- is a message written by the same call (a reply appended at the end of the branch).
      INSERT INTO confab_changed (kind, id, session_id)
      SELECT 'leaf', n.current_leaf_id::text, n.id
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE o.current_leaf_id IS DISTINCT FROM n.current_leaf_id;
    END IF;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER chat_sessions_capture_insert AFTER INSERT ON chat_sessions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_sessions();
CREATE TRIGGER chat_sessions_capture_update AFTER UPDATE ON chat_sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_sessions();
CREATE TRIGGER chat_sessions_capture_delete AFTER DELETE ON chat_sessions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_sessions();

CREATE FUNCTION confab_capture_messages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_capturing() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    INSERT INTO confab_changed (kind, id, session_id) SELECT DISTINCT 'message', NULL::text, o.session_id FROM old_rows o;
  ELSIF TG_OP = 'INSERT' THEN
    IF (SELECT count(*) FROM new_rows) > 200 THEN
      INSERT INTO confab_changed (kind, id, session_id) SELECT DISTINCT 'message', NULL::text, n.session_id FROM new_rows n;
    ELSE
      INSERT INTO confab_changed (kind, id, session_id) SELECT 'message', n.id::text, n.session_id FROM new_rows n;
    END IF;
  ELSIF (SELECT count(*) FROM new_rows) > 200 THEN
    INSERT INTO confab_changed (kind, id, session_id) SELECT DISTINCT 'message', NULL::text, n.session_id FROM new_rows n;
  ELSE
    -- A reply's periodic saves while it streams are announced by chat.delta, not here; its
    -- start and its end (a status change) are.
    INSERT INTO confab_changed (kind, id, session_id)
    SELECT 'message', n.id::text, n.session_id
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE NOT (o.status = 'streaming' AND n.status = 'streaming' AND o.deleted_at IS NOT DISTINCT FROM n.deleted_at);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_capture_insert AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_messages();
CREATE TRIGGER messages_capture_update AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_messages();
CREATE TRIGGER messages_capture_delete AFTER DELETE ON messages
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_messages();

-- Providers, app settings and prices: few rows, noted one by one. A price change is announced as
-- the 'prices' setting, since views show costs wherever they show settings.
CREATE FUNCTION confab_capture_keyed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT confab_capturing() THEN
    RETURN NULL;
  END IF;
  IF TG_TABLE_NAME = 'provider_configs' THEN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
      INSERT INTO confab_changed (kind, id) SELECT 'provider', o.id::text FROM old_rows o;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
      INSERT INTO confab_changed (kind, id) SELECT 'provider', n.id::text FROM new_rows n;
    END IF;
  ELSIF TG_TABLE_NAME = 'settings' THEN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
      INSERT INTO confab_changed (kind, id) SELECT 'setting', o.key FROM old_rows o;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
      INSERT INTO confab_changed (kind, id) SELECT 'setting', n.key FROM new_rows n;
    END IF;
  ELSE
    INSERT INTO confab_changed (kind, id) VALUES ('setting', 'prices');
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER provider_configs_capture_insert AFTER INSERT ON provider_configs
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
CREATE TRIGGER provider_configs_capture_update AFTER UPDATE ON provider_configs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
CREATE TRIGGER provider_configs_capture_delete AFTER DELETE ON provider_configs
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
CREATE TRIGGER settings_capture_insert AFTER INSERT ON settings
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
CREATE TRIGGER settings_capture_update AFTER UPDATE ON settings
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
CREATE TRIGGER settings_capture_delete AFTER DELETE ON settings
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
CREATE TRIGGER model_prices_capture AFTER INSERT OR UPDATE OR DELETE ON model_prices
  FOR EACH STATEMENT EXECUTE FUNCTION confab_capture_keyed();
