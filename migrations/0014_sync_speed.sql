-- Sync speed (issue 13, Figures): the merge drops rows whose merge changes nothing before it
-- parses and compares them, and inserts messages with their depth; the session counters after a
-- bulk insert aggregate the inserted rows once; staging a push joins rows by key and sends
-- parents before replies. Same results, same function names; 0001, 0008, 0011 and 0012 are left
-- as they landed.

CREATE OR REPLACE FUNCTION confab_merge(tbl text, rows jsonb) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  spec        record;
  cols        text[];
  insert_cols text;
  key_list    text;
  key_match   text;
  insert_sql  text;
  update_sql  text;
  inserted    jsonb;
  applied     integer := 0;
  n           integer;
  this_round  integer := 1;
  rounds      integer;
  was         text := coalesce(current_setting('confab.applying', true), '');
  max_hlc     text;
  pairs       record;
BEGIN
  SELECT * INTO spec FROM confab_sync_spec(tbl);
  IF spec.policy IS NULL THEN
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  IF rows IS NULL OR jsonb_typeof(rows) <> 'array' OR jsonb_array_length(rows) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM set_config('confab.applying', 'on', true);

  cols := spec.keys || confab_sync_data_columns(tbl) || ARRAY['created_at', 'updated_at']
          || CASE spec.policy WHEN 'lww-columns' THEN ARRAY['col_hlc']
                              WHEN 'append-only' THEN ARRAY['status_hlc', 'deleted_hlc']
                              ELSE ARRAY['added_hlc', 'removed_hlc'] END;
  SELECT string_agg(format('%I', c), ', ') INTO insert_cols FROM unnest(cols) AS c;
  SELECT string_agg(format('%I', k), ', ') INTO key_list FROM unnest(spec.keys) AS k;
  SELECT string_agg(format('cur.%1$I = r.%1$I', k), ' AND ') INTO key_match FROM unnest(spec.keys) AS k;

  insert_sql := format(
    'WITH ins AS (INSERT INTO public.%1$I AS cur (%2$s) SELECT %2$s FROM jsonb_populate_recordset(NULL::public.%1$I, $1) '
    || 'ON CONFLICT (%3$s) DO NOTHING RETURNING %3$s) SELECT coalesce(jsonb_agg(to_jsonb(ins)), ''[]'') FROM ins',
    tbl, insert_cols, key_list);
  -- A row whose merge changes nothing is not written: pulling back one's own pushed rows (or
  -- a duplicate) must not rewrite them, with their search and trigram index entries.
  SELECT * INTO pairs FROM confab_merge_exprs(tbl, 'r');
  update_sql := format(
    'UPDATE public.%1$I AS cur SET %2$s FROM jsonb_populate_recordset(NULL::public.%1$I, $1) AS r WHERE %3$s '
    || 'AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::public.%1$I, $2) AS i WHERE %4$s) '
    || 'AND (%5$s) IS DISTINCT FROM (%6$s)',
    tbl,
    (SELECT string_agg(format('%s = %s', c, e), ', ') FROM unnest(pairs.cols, pairs.exprs) AS x(c, e)),
    key_match, replace(key_match, 'cur.', 'i.'),
    array_to_string(pairs.exprs, ', '),
    (SELECT string_agg('cur.' || c, ', ') FROM unnest(pairs.cols) AS c));

  -- Rounds: the n-th occurrence of a key goes in round n.
  CREATE TEMP TABLE IF NOT EXISTS confab_merge_rows (round integer, whole boolean, body jsonb) ON COMMIT DROP;
  TRUNCATE confab_merge_rows;
  EXECUTE format(
    'INSERT INTO confab_merge_rows SELECT row_number() OVER (PARTITION BY %s ORDER BY ord), e ? ''created_at'', e '
    || 'FROM jsonb_array_elements($1) WITH ORDINALITY AS x(e, ord)',
    (SELECT string_agg(format('e ->> %L', k), ', ') FROM unnest(spec.keys) AS k))
  USING rows;
  -- The receive step (before rows are dropped below): later local writes are stamped after
  -- everything seen here.
  SELECT max(h COLLATE "C") INTO max_hlc
    FROM confab_merge_rows m,
         LATERAL (SELECT m.body ->> f AS h FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc']) AS f
                  UNION ALL
                  SELECT s.j #>> '{}' FROM jsonb_path_query(coalesce(m.body -> 'col_hlc', '{}'),
                                                            'strict $.** ? (@.type() == "string")') AS s(j)) x
   WHERE x.h ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$';
  PERFORM confab_hlc_receive(max_hlc);

  -- Rows whose merge provably changes nothing leave the batch before the insert and update
  -- statements parse and compare them: the rows a device pulls back after its own push, and
  -- duplicates. Only for append-only rows (the bulk: messages), where it is exact: with equal
  -- status and deletion HLCs every data column keeps its current value, and an incoming
  -- created_at no earlier and updated_at no later keep the times.
  IF spec.policy = 'append-only' THEN
    EXECUTE format(
      'DELETE FROM confab_merge_rows m USING public.%1$I cur '
      || 'WHERE cur.id = (m.body ->> ''id'')::uuid '
      || 'AND (m.body ->> ''status_hlc'') IS NOT DISTINCT FROM cur.status_hlc '
      || 'AND (m.body ->> ''deleted_hlc'') IS NOT DISTINCT FROM cur.deleted_hlc '
      || 'AND (NOT m.body ? ''created_at'' OR (m.body ->> ''created_at'')::timestamptz >= cur.created_at) '
      || 'AND (NOT m.body ? ''updated_at'' OR (m.body ->> ''updated_at'')::timestamptz <= cur.updated_at)',
      tbl);
  END IF;
  -- New messages carry their depth, worked out for the whole batch in one walk from the parents
  -- already here (a reply's parent is usually in the same batch, so the insert trigger cannot
  -- see it); 0012 inserted them at depth 0 and rewrote every reply afterwards, with its search
  -- and trigram index entries and, on a server, its change entry.
  IF tbl = 'messages' THEN
    WITH RECURSIVE b AS MATERIALIZED (
      SELECT DISTINCT ON (body ->> 'id') (body ->> 'id')::uuid AS id, (body ->> 'parent_id')::uuid AS parent_id
        FROM confab_merge_rows WHERE whole
       ORDER BY body ->> 'id', round
    ), tree AS (
      SELECT b.id, CASE WHEN b.parent_id IS NULL THEN 0 ELSE coalesce(p.depth + 1, 0) END AS depth
        FROM b LEFT JOIN messages p ON p.id = b.parent_id
       WHERE b.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM b AS inner_b WHERE inner_b.id = b.parent_id)
      UNION ALL
      SELECT b.id, tree.depth + 1 FROM tree JOIN b ON b.parent_id = tree.id
    )
    UPDATE confab_merge_rows m SET body = m.body || jsonb_build_object('depth', tree.depth)
      FROM tree WHERE m.whole AND (m.body ->> 'id')::uuid = tree.id;
    cols := cols || ARRAY['depth'];
    SELECT string_agg(format('%I', c), ', ') INTO insert_cols FROM unnest(cols) AS c;
    insert_sql := format(
      'WITH ins AS (INSERT INTO public.%1$I AS cur (%2$s) SELECT %2$s FROM jsonb_populate_recordset(NULL::public.%1$I, $1) '
      || 'ON CONFLICT (%3$s) DO NOTHING RETURNING %3$s) SELECT coalesce(jsonb_agg(to_jsonb(ins)), ''[]'') FROM ins',
      tbl, insert_cols, key_list);
  END IF;
  SELECT max(confab_merge_rows.round) INTO rounds FROM confab_merge_rows;

  WHILE this_round <= coalesce(rounds, 0) LOOP
    EXECUTE insert_sql INTO inserted
      USING (SELECT coalesce(jsonb_agg(body), '[]') FROM confab_merge_rows m WHERE m.round = this_round AND m.whole);
    applied := applied + jsonb_array_length(inserted);
    EXECUTE update_sql
      USING (SELECT coalesce(jsonb_agg(body), '[]') FROM confab_merge_rows m WHERE m.round = this_round), inserted;
    GET DIAGNOSTICS n = ROW_COUNT;
    applied := applied + n;
    this_round := this_round + 1;
  END LOOP;

  -- Depth is derived from the parent; a child that arrived before its parent is fixed now. One
  -- walk down each touched chat from its roots (and from replies whose parent is not here yet,
  -- which keep their depth, or lies in another chat), where 0012 repeated a join per level: a
  -- 50-message chain pulled in one batch took 50 passes over the batch's chats.
  IF tbl = 'messages' THEN
    WITH RECURSIVE touched AS MATERIALIZED (
      SELECT DISTINCT (body ->> 'session_id')::uuid AS id FROM confab_merge_rows WHERE whole
    ), tree AS (
      SELECT m.id, coalesce(p.depth + 1, m.depth) AS depth
        FROM messages m
        LEFT JOIN messages p ON p.id = m.parent_id
       WHERE m.session_id IN (SELECT id FROM touched)
         AND (p.id IS NULL OR p.session_id NOT IN (SELECT id FROM touched))
      UNION ALL
      SELECT c.id, t.depth + 1
        FROM tree t
        JOIN messages c ON c.parent_id = t.id
       WHERE c.session_id IN (SELECT id FROM touched)
    )
    UPDATE messages m SET depth = tree.depth FROM tree WHERE m.id = tree.id AND m.depth <> tree.depth;
  END IF;

  PERFORM set_config('confab.applying', was, true);
  RETURN applied;
END
$$;

-- Session counters after an insert: the inserted rows are aggregated once. The transition table
-- has no statistics, so 0001's join was planned as a nested loop that sorted every inserted row
-- again for each session (a 5,000-message pull touching 100 chats sorted 500,000 rows).
CREATE OR REPLACE FUNCTION confab_sessions_after_message_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS MATERIALIZED (
    SELECT session_id,
           count(*) AS n,
           coalesce(sum(tokens_in), 0) AS tin,
           coalesce(sum(tokens_out), 0) AS tout,
           max(created_at) AS last_at
      FROM new_rows
     WHERE deleted_at IS NULL
     GROUP BY session_id
  )
  UPDATE chat_sessions s
     SET message_count    = s.message_count + d.n,
         tokens_in        = s.tokens_in + d.tin,
         tokens_out       = s.tokens_out + d.tout,
         last_message_at  = greatest(s.last_message_at, d.last_at),
         last_activity_at = greatest(s.last_activity_at, d.last_at)
    FROM d
   WHERE s.id = d.session_id;
  RETURN NULL;
END
$$;

-- Staging a push: parents before replies, and tables keyed by id join the outbox keys to their rows once (0011 ran a
-- subquery per key through confab_pk_object and built each row's JSON with its derived columns
-- only to drop them). Same bodies, same numbering.
CREATE OR REPLACE FUNCTION confab_stage_pending(lim integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  -- attachments too: 0011 noted their keys in the outbox but staged no body for them, so a
  -- file's row was taken from the outbox and silently dropped, and never reached the server.
  tables text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                         'attachments', 'generation_runs', 'tool_executions'];
  t      text;
  n      integer;
BEGIN
  IF EXISTS (SELECT 1 FROM sync_pending) THEN
    RETURN 0;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS confab_staging (tbl text, pk jsonb, op text, noted_at timestamptz, body jsonb) ON COMMIT DROP;
  TRUNCATE confab_staging;
  -- Messages noted by one statement (an import) share noted_at: parents go first (by depth), so
  -- a push never carries a reply whose parent waits for a later push (0011 cut such a batch by
  -- key order, and the server refused the reply at its foreign key).
  WITH keys AS (
    SELECT o.tbl, o.pk FROM sync_outbox o
      LEFT JOIN messages m ON m.id = CASE WHEN o.tbl = 'messages' THEN (o.pk ->> 0)::uuid END
     ORDER BY array_position(tables, o.tbl), o.noted_at, m.depth, o.pk::text
     LIMIT lim
  )
  , taken AS (
    DELETE FROM sync_outbox o USING keys k WHERE o.tbl = k.tbl AND o.pk = k.pk
    RETURNING o.tbl, o.pk, o.op, o.noted_at
  )
  INSERT INTO confab_staging (tbl, pk, op, noted_at)
  SELECT d.tbl, d.pk, d.op, d.noted_at FROM taken d;
  UPDATE confab_staging SET body = confab_pk_object(tbl, pk) WHERE op = 'purge';
  FOREACH t IN ARRAY tables LOOP
    IF (confab_sync_spec(t)).keys = ARRAY['id'] THEN
      -- One join by the typed key; the row is built from its stored, non-derived columns only
      -- (turning a message's tsvector into JSON only to drop it cost more than the rest).
      EXECUTE format(
        'UPDATE confab_staging s SET body = (SELECT to_jsonb(c) FROM (SELECT %2$s) c) '
        'FROM %1$I x WHERE s.tbl = %1$L AND s.op = ''upsert'' AND x.id = (s.pk ->> 0)::uuid',
        t,
        (SELECT string_agg(format('x.%1$I', a.attname), ', ' ORDER BY a.attnum)
           FROM pg_attribute a
          WHERE a.attrelid = format('public.%I', t)::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND NOT a.attname = ANY ((confab_sync_spec(t)).derived)));
    ELSE
      EXECUTE format(
        'UPDATE confab_staging s SET body = (SELECT to_jsonb(x) - $1 FROM %1$I x, '
        'jsonb_populate_record(NULL::%1$I, confab_pk_object(%1$L, s.pk)) r WHERE %2$s) '
        'WHERE s.tbl = %1$L AND s.op = ''upsert''',
        t, (SELECT string_agg(format('x.%1$I = r.%1$I', k), ' AND ') FROM unnest((confab_sync_spec(t)).keys) AS k))
        USING (confab_sync_spec(t)).derived;
    END IF;
  END LOOP;
  -- A key whose row is gone was deleted after it was noted; its purge is noted too.
  INSERT INTO sync_pending (mutation_no, mutation_id, tbl, op, body)
  SELECT (SELECT last_mutation_no FROM sync_state)
           + row_number() OVER (ORDER BY array_position(tables, tbl), noted_at, pk::text),
         gen_random_uuid(), tbl, op, body
    FROM confab_staging
   WHERE body IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
