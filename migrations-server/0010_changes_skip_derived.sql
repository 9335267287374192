-- A change entry follows a row's synced state, not every write to it. Each device recomputes the
-- derived columns itself (the table registry's `derived`: a chat's counters and last message
-- time, a message's depth), so a write that changed only those has nothing to send. 0001 noted
-- every UPDATE: the counters trigger that follows each pushed message moved its chat's entry
-- after the message, so in the change index every chat came after all of its messages. A first
-- pull then found each batch's messages ahead of their chats, fetched the chats by key and
-- merged the whole batch again, sometimes several times: 20,000 messages pulled at about 100
-- rows/s. Now an UPDATE notes only the rows whose non-derived columns changed (HLCs included, so
-- every merged edit still counts), and their order in the statement is kept.
CREATE OR REPLACE FUNCTION sync.note_updates() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  origin       text := nullif(current_setting('confab.origin_client', true), '');
  spec         record;
  ignored      text[];
  pk_new       text;
  pk_old       text;
  session_expr text;
  changed      text;
BEGIN
  SELECT * INTO spec FROM public.confab_sync_spec(TG_TABLE_NAME);
  ignored := coalesce(spec.derived, ARRAY[]::text[]);
  IF spec.keys IS NULL THEN
    pk_new := format('sync.row_pk(%L, to_jsonb(n))', TG_TABLE_NAME);
    pk_old := format('sync.row_pk(%L, to_jsonb(o))', TG_TABLE_NAME);
    session_expr := format('sync.row_session(%L, to_jsonb(n))', TG_TABLE_NAME);
  ELSE
    SELECT format('jsonb_build_array(%s)', string_agg(format('to_jsonb(n.%I)', k), ', ' ORDER BY o)),
           format('jsonb_build_array(%s)', string_agg(format('to_jsonb(o.%I)', k), ', ' ORDER BY o))
      INTO pk_new, pk_old FROM unnest(spec.keys) WITH ORDINALITY AS x(k, o);
    session_expr := CASE TG_TABLE_NAME WHEN 'chat_sessions' THEN 'n.id' WHEN 'users' THEN 'NULL::uuid'
                                       ELSE 'n.session_id' END;
  END IF;
  -- One row per key, as it was last in the statement, kept only if it differs from before the
  -- statement in a column that is not derived. Transition tables carry their row counts, so a
  -- large statement is planned as a hash join of the two.
  changed := format(
    'SELECT x.pk, x.owner_id, x.session_id, x.i FROM ('
    '  SELECT DISTINCT ON (r.pk) r.pk, r.owner_id, r.session_id, r.i, r.body FROM ('
    '    SELECT %1$s AS pk, n.owner_id, %2$s AS session_id, row_number() OVER () AS i, to_jsonb(n) - $2 AS body'
    '      FROM new_rows n) r'
    '  ORDER BY r.pk, r.i DESC) x'
    ' LEFT JOIN (SELECT %3$s AS pk, to_jsonb(o) - $2 AS body FROM old_rows o) b ON b.pk = x.pk'
    ' WHERE b.body IS DISTINCT FROM x.body',
    pk_new, session_expr, pk_old);
  EXECUTE format('DELETE FROM sync.changes c WHERE c.tbl = %L AND c.op IN (''upsert'', ''purge'') '
                 'AND c.pk = ANY (ARRAY(SELECT s.pk FROM (%s) s))',
                 TG_TABLE_NAME, changed)
    USING origin, ignored;
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client) '
                 'SELECT %L, y.pk, ''upsert'', y.owner_id, y.session_id, $1 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, changed)
    USING origin, ignored;
  RETURN NULL;
END
$$;

-- The entries a statement replaces are found by key through the change index's (tbl, pk) index,
-- whatever the statistics say. 0007 joined the statement's rows to sync.changes, and before the
-- first ANALYZE after a large first push the planner walked every entry of the table for each
-- insert: one pushed message cost about 50 ms per statement at 20,000 messages.
CREATE OR REPLACE FUNCTION sync.note_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  origin  text := nullif(current_setting('confab.origin_client', true), '');
  keys    text[] := (public.confab_sync_spec(TG_TABLE_NAME)).keys;
  pk_expr text;
  session_expr text;
  source  text := CASE WHEN TG_OP = 'DELETE' THEN 'old_rows' ELSE 'new_rows' END;
  op      text := CASE WHEN TG_OP = 'DELETE' THEN 'purge' ELSE 'upsert' END;
  noted   text;
BEGIN
  IF keys IS NULL THEN
    pk_expr := format('sync.row_pk(%L, to_jsonb(n))', TG_TABLE_NAME);
    session_expr := format('sync.row_session(%L, to_jsonb(n))', TG_TABLE_NAME);
  ELSE
    SELECT format('jsonb_build_array(%s)', string_agg(format('to_jsonb(n.%I)', k), ', ' ORDER BY o))
      INTO pk_expr FROM unnest(keys) WITH ORDINALITY AS x(k, o);
    session_expr := CASE TG_TABLE_NAME WHEN 'chat_sessions' THEN 'n.id' WHEN 'users' THEN 'NULL::uuid'
                                       ELSE 'n.session_id' END;
  END IF;
  -- One row per key, as it was last in the statement, with its place in the statement.
  noted := format('SELECT x.pk, x.owner_id, x.session_id, x.i FROM ('
                  '  SELECT DISTINCT ON (r.pk) r.pk, r.owner_id, r.session_id, r.i FROM ('
                  '    SELECT %s AS pk, n.owner_id, %s AS session_id, row_number() OVER () AS i FROM %I n) r'
                  '  ORDER BY r.pk, r.i DESC) x',
                  pk_expr, session_expr, source);
  IF TG_OP = 'DELETE' THEN
    EXECUTE format('INSERT INTO sync.graveyard (tbl, pk, owner_id, session_id) '
                   'SELECT %L, y.pk, y.owner_id, y.session_id FROM (%s) y ON CONFLICT DO NOTHING',
                   TG_TABLE_NAME, noted);
  END IF;
  EXECUTE format('DELETE FROM sync.changes c WHERE c.tbl = %L AND c.op IN (''upsert'', ''purge'') '
                 'AND c.pk = ANY (ARRAY(SELECT %s FROM %I n))',
                 TG_TABLE_NAME, pk_expr, source);
  EXECUTE format('INSERT INTO sync.changes (tbl, pk, op, owner_id, session_id, origin_client) '
                 'SELECT %L, y.pk, %L, y.owner_id, y.session_id, $1 FROM (%s) y ORDER BY y.i',
                 TG_TABLE_NAME, op, noted)
    USING origin;
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'attachments', 'generation_runs', 'tool_executions'] LOOP
    EXECUTE format('DROP TRIGGER %1$s_sync_update ON public.%1$I', t);
    EXECUTE format('CREATE TRIGGER %1$s_sync_update AFTER UPDATE ON public.%1$I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sync.note_updates()', t);
  END LOOP;
END
$$;

ALTER FUNCTION sync.note_updates() OWNER TO confab_owner;
REVOKE ALL ON FUNCTION sync.note_updates() FROM PUBLIC;
