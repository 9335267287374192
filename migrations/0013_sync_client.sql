-- Team sync, the desktop client's own state (local-only: never synced, never granted to members
-- on a server): the connection it syncs with, the changes the server refused, and a correction
-- for a device clock that is far off the server's.

-- The connection this device syncs with, as shown (the password removed). The full connection
-- string is sealed by the host cipher and kept in `secrets` under 'sync:url', like API keys.
CREATE TABLE sync_link (
  only_row     boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  display_url  text NOT NULL,
  connected_at timestamptz NOT NULL DEFAULT now()
);

-- Changes the server did not take (SYNC.md: permission, unknown column, buried key...), kept so
-- the user sees why and may take the server's version of the row. A rejection never blocks the
-- queue: the mutation itself is acknowledged and gone from sync_pending.
CREATE TABLE sync_rejected (
  mutation_no bigint PRIMARY KEY,
  tbl         text NOT NULL,
  pk          jsonb NOT NULL,
  session_id  uuid,
  reason      text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);

-- How far this device's wall clock is ahead of the team server's (ms; negative: behind), as last
-- measured by the client. Stamps use wall - offset, so a device clock set a year ahead does not
-- win every merge for a year. Zero on a server and on devices that never synced.
ALTER TABLE confab_hlc.node ADD COLUMN offset_ms bigint NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION confab_hlc_now() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v    bigint := nextval('confab_hlc.clock');
  wall bigint := (floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint
                  - coalesce((SELECT offset_ms FROM confab_hlc.node), 0)) * 100000;
BEGIN
  IF wall > v THEN
    PERFORM setval('confab_hlc.clock', wall);
    v := wall;
  END IF;
  RETURN confab_hlc_pack(v, confab_hlc_node());
END
$$;

-- An HLC this device stamped (its node id) that sorts after `lim`: one to re-stamp. HLCs other
-- devices stamped are theirs: the server took them, so they are never more than its bound ahead.
CREATE FUNCTION confab_hlc_own_after(h text, lim text, node text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT h IS NOT NULL AND h COLLATE "C" > lim COLLATE "C" AND right(h, 16) = node
$$;

-- Every HLC string in `j` (an HLC, or an object of them, nested for settings keys) that this
-- device stamped after `lim` becomes `fresh`.
CREATE FUNCTION confab_hlc_clamp(j jsonb, lim text, node text, fresh text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF jsonb_typeof(j) = 'string' THEN
    RETURN CASE WHEN confab_hlc_own_after(j #>> '{}', lim, node) THEN to_jsonb(fresh) ELSE j END;
  ELSIF jsonb_typeof(j) = 'object' THEN
    RETURN coalesce((SELECT jsonb_object_agg(e.key, confab_hlc_clamp(e.value, lim, node, fresh)) FROM jsonb_each(j) e),
                    '{}'::jsonb);
  END IF;
  RETURN j;
END
$$;

-- Re-stamps every HLC this device stamped later than `lim` with a fresh one and notes those
-- rows for the next push: a clock that ran ahead would otherwise beat every later edit by anyone.
-- Runs with confab.applying on (set here for the call), so the stamping triggers neither undo
-- the new stamps nor note anything themselves.
CREATE FUNCTION confab_restamp_after(lim text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  was    text := coalesce(current_setting('confab.applying', true), '');
  t      text;
  policy text;
  node   text := confab_hlc_node();
  fresh  text := confab_hlc_now();
  n      bigint;
  total  bigint := 0;
  sets   text;
  cond   text;
BEGIN
  PERFORM set_config('confab.applying', 'on', true);
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'generation_runs', 'tool_executions', 'attachments'] LOOP
    policy := (confab_sync_spec(t)).policy;
    CONTINUE WHEN policy IS NULL OR to_regclass(format('public.%I', t)) IS NULL;
    IF policy = 'lww-columns' THEN
      sets := 'col_hlc = confab_hlc_clamp(col_hlc, $1, $3, $2)';
      cond := 'confab_hlc_clamp(col_hlc, $1, $3, $2) IS DISTINCT FROM col_hlc';
    ELSIF policy = 'append-only' THEN
      sets := 'status_hlc = CASE WHEN confab_hlc_own_after(status_hlc, $1, $3) THEN $2 ELSE status_hlc END, '
              'deleted_hlc = CASE WHEN confab_hlc_own_after(deleted_hlc, $1, $3) THEN $2 ELSE deleted_hlc END';
      cond := '(confab_hlc_own_after(status_hlc, $1, $3) OR confab_hlc_own_after(deleted_hlc, $1, $3))';
    ELSE
      sets := 'added_hlc = CASE WHEN confab_hlc_own_after(added_hlc, $1, $3) THEN $2 ELSE added_hlc END, '
              'removed_hlc = CASE WHEN confab_hlc_own_after(removed_hlc, $1, $3) THEN $2 ELSE removed_hlc END';
      cond := '(confab_hlc_own_after(added_hlc, $1, $3) OR confab_hlc_own_after(removed_hlc, $1, $3))';
    END IF;
    EXECUTE format('WITH moved AS (UPDATE %1$I r SET %2$s WHERE %3$s RETURNING to_jsonb(r) AS j) '
                   'INSERT INTO sync_outbox (tbl, pk, op) SELECT %1$L, confab_row_pk(%1$L, j), ''upsert'' FROM moved '
                   'ON CONFLICT (tbl, pk) DO UPDATE SET op = ''upsert'', noted_at = now()', t, sets, cond)
      USING lim, fresh, node;
    GET DIAGNOSTICS n = ROW_COUNT;
    total := total + n;
  END LOOP;
  PERFORM set_config('confab.applying', was, true);
  RETURN total;
END
$$;

-- Sets this device's clock offset from the server (ms) and, when the clock had run more than
-- five minutes past the corrected time (the most the server takes from anyone), winds it back and
-- re-stamps what this device stamped beyond that. Returns how many rows were re-stamped.
CREATE FUNCTION confab_hlc_correct(p_offset_ms bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  corrected bigint;
  lim       text;
BEGIN
  UPDATE confab_hlc.node SET offset_ms = p_offset_ms;
  corrected := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - p_offset_ms;
  IF (SELECT last_value FROM confab_hlc.clock) <= (corrected + 300000) * 100000 THEN
    RETURN 0;
  END IF;
  PERFORM setval('confab_hlc.clock', corrected * 100000);
  lim := confab_hlc_pack((corrected + 300000) * 100000, 'ffffffffffffffff');
  RETURN confab_restamp_after(lim);
END
$$;

-- Pulled rows that carry columns this device's schema does not have yet (the server was migrated
-- by a newer Confab): the known columns are applied at once, and the whole row is parked here
-- until this device's own upgrade knows the rest, so nothing the newer app wrote is lost.
CREATE TABLE sync_parked (
  tbl       text NOT NULL,
  pk        jsonb NOT NULL,
  body      jsonb NOT NULL,
  parked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tbl, pk)
);
