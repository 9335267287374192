-- The depth walk of a batch's new messages looks each root's parent up by key (issue 13's bench,
-- 2026-12-03). It joined the batch with the messages table, and the planner chose the join from
-- the table's statistics. On the team server the table is read under row-level security
-- (owner_id = the caller), and a table the push itself is filling has no statistics yet: the
-- planner took 0.5 % of the rows to match the policy, and read the caller's whole table once
-- per root of the batch (a nested loop over a materialized scan: 7.5 million comparisons and
-- 685 ms for 400 roots at 19,000 messages). A first push slowed down batch by batch, 6.2 s of
-- server time for 20,000 messages in batches of 1,000 against 2.7 s in batches of 5,000
-- (`tests/sync/bench/profile.ts --batch 1000 --explain 25`). A subquery with LIMIT is never
-- flattened into a join: whatever the statistics, each root is one probe of the primary key, on
-- the server and in a device's PGlite alike.
--
-- confab_merge(tbl, rows, rows_text) is otherwise 0027's.

CREATE OR REPLACE FUNCTION confab_merge(tbl text, rows jsonb, rows_text json) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  spec         record;
  cols         text[];
  insert_cols  text;
  select_cols  text;
  key_list     text;
  key_match    text;
  stage        text := format('confab_merge_%s', tbl);
  shape        text;
  hlc_cols     text[];
  other_hlcs   text[];
  insert_sql   text;
  update_sql   text;
  inserted     jsonb;
  inserted_n   integer;
  round_all    integer;
  applied      integer := 0;
  n            integer;
  this_round   integer := 1;
  rounds       integer;
  was          text := coalesce(current_setting('confab.applying', true), '');
  max_hlc      text;
  pairs        record;
  depth_ids    uuid[];
  depth_values integer[];
  -- What the batch's new messages need and nobody has (see confab.require_parents below).
  lost_parents uuid[];
  lost_chats   uuid[];
  all_cols     text;
  -- Messages of the batch whose parents lead round in a circle (see the header).
  circled      uuid[];
  whole_n      integer;
  hlc_sql      text;
  odd_ords     bigint[];
  odd_whole    boolean[];
  odd_updated  boolean[];
  odd_bodies   jsonb[];
  odd_hlcs     integer;
  -- The batch as text (see the header): read straight into the typed copy when it is plain.
  plain        boolean := false;
  -- Bulk insert (see the header): the round's new messages, for the triggers' work done once.
  bulk         boolean := false;
  role_was     text;
  bulk_sql     text;
  insert_head  text;
  new_ids      uuid[];
  new_statuses text[];
  new_sessions uuid[];
  live_sessions uuid[];
  live_created timestamptz[];
  live_tin     integer[];
  live_tout    integer[];
BEGIN
  SELECT * INTO spec FROM confab_sync_spec(tbl);
  IF spec.policy IS NULL THEN
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  IF rows_text IS NOT NULL THEN
    IF json_typeof(rows_text) IS DISTINCT FROM 'array' THEN
      RETURN 0;
    END IF;
  ELSIF rows IS NULL OR jsonb_typeof(rows) <> 'array' OR jsonb_array_length(rows) = 0 THEN
    RETURN 0;
  END IF;
  PERFORM set_config('confab.applying', 'on', true);

  cols := spec.keys || confab_sync_data_columns(tbl) || ARRAY['created_at', 'updated_at']
          || CASE spec.policy WHEN 'lww-columns' THEN ARRAY['col_hlc']
                              WHEN 'append-only' THEN ARRAY['status_hlc', 'deleted_hlc']
                              ELSE ARRAY['added_hlc', 'removed_hlc'] END;
  hlc_cols := CASE spec.policy WHEN 'lww-columns' THEN ARRAY['col_hlc']
                               WHEN 'append-only' THEN ARRAY['status_hlc', 'deleted_hlc']
                               ELSE ARRAY['added_hlc', 'removed_hlc'] END;
  SELECT array_agg(f) INTO other_hlcs
    FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc', 'col_hlc']) AS f
   WHERE NOT f = ANY (hlc_cols);
  SELECT string_agg(format('%I', k), ', ') INTO key_list FROM unnest(spec.keys) AS k;
  SELECT string_agg(format('cur.%1$I = r.%1$I', k), ' AND ') INTO key_match FROM unnest(spec.keys) AS k;

  -- The batch is read from JSON once, into a typed copy: every later step reads columns. 0015
  -- kept each row as JSON and turned the batch back into rows for the insert and again for the
  -- update (and rewrote every message's JSON to add its depth).
  SELECT string_agg(format('r.%I', a.attname), ', ' ORDER BY a.attnum),
         md5('0027 ' || string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum))
    INTO all_cols, shape
    FROM pg_attribute a
   WHERE a.attrelid = format('public.%I', tbl)::regclass AND a.attnum > 0 AND NOT a.attisdropped;
  -- The typed copy is kept for the session, emptied at each commit (see the header). Made again
  -- when the table's columns are not those it was made with (a migration since); emptied first
  -- when an earlier merge of this transaction filled it.
  IF current_setting(format('confab.stage_shape_%s', tbl), true) IS DISTINCT FROM shape THEN
    EXECUTE format('DROP TABLE IF EXISTS pg_temp.%I', stage);
    PERFORM set_config(format('confab.stage_shape_%s', tbl), shape, false);
  END IF;
  EXECUTE format(
    'CREATE TEMP TABLE IF NOT EXISTS %I ON COMMIT DELETE ROWS AS '
    || 'SELECT 0::bigint AS _ord, 0::bigint AS _round, true AS _whole, true AS _has_updated, NULL::jsonb AS _odd, r.* '
    || 'FROM jsonb_populate_record(NULL::public.%I, ''{}'') AS r WITH NO DATA', stage, tbl);
  IF current_setting(format('confab.stage_used_%s', tbl), true) = 'on' THEN
    EXECUTE format('TRUNCATE pg_temp.%I', stage);
  END IF;
  PERFORM set_config(format('confab.stage_used_%s', tbl), 'on', true);
  -- A batch given as text is read straight into the typed copy (json_populate_recordset reads
  -- the text once; turning it into jsonb first and then into rows cost twice as much). That is
  -- exact when the batch is plain: every row whole with its updated_at, and no HLC field this
  -- table has no column for (the key in quotes appears nowhere in the text, or the string does
  -- not occur at all). Otherwise the copy is dropped and the batch takes the path below.
  IF rows_text IS NOT NULL THEN
    -- Whether every row has both times is read from the insert's own rows (a second pass over
    -- the copy cost a tenth of the copy).
    EXECUTE format(
      'WITH ins AS (INSERT INTO pg_temp.%1$I SELECT r.ordinality, row_number() OVER (PARTITION BY %2$s ORDER BY r.ordinality), '
      || 'true, true, NULL, %3$s FROM json_populate_recordset(NULL::public.%4$I, $1) WITH ORDINALITY AS r '
      || 'RETURNING created_at IS NULL OR updated_at IS NULL AS partial) '
      || 'SELECT NOT coalesce(bool_or(partial), false) FROM ins',
      stage, (SELECT string_agg(format('r.%I', k), ', ') FROM unnest(spec.keys) AS k), all_cols, tbl)
    USING rows_text INTO plain;
    plain := plain AND NOT EXISTS (SELECT 1 FROM unnest(other_hlcs) AS f WHERE strpos(rows_text::text, '"' || f || '"') > 0);
    IF plain THEN
      odd_hlcs := 0;
    ELSE
      EXECUTE format('DELETE FROM pg_temp.%I', stage);
      rows := rows_text::jsonb;
    END IF;
  END IF;
  IF NOT plain THEN
  -- Rows that lack created_at (not whole: merged into a row already here, never inserted) or
  -- updated_at, or that name an HLC field this table has no column for (the clock still
  -- receives it, as in 0015), are noted in one pass over the JSON; a first pull has none. The
  -- typed copy then comes from one jsonb_populate_recordset (reading each element separately
  -- cost twice as much). Rounds: the n-th occurrence of a key goes in round n.
  SELECT array_agg(x.ord), array_agg(x.e ? 'created_at'), array_agg(x.e ? 'updated_at'),
         array_agg(CASE WHEN x.e ?| other_hlcs THEN x.e END), count(*) FILTER (WHERE x.e ?| other_hlcs)
    INTO odd_ords, odd_whole, odd_updated, odd_bodies, odd_hlcs
    FROM jsonb_array_elements(rows) WITH ORDINALITY AS x(e, ord)
   WHERE NOT (x.e ? 'created_at' AND x.e ? 'updated_at') OR x.e ?| other_hlcs;
  EXECUTE format(
    'INSERT INTO pg_temp.%1$I SELECT r.ordinality, row_number() OVER (PARTITION BY %2$s ORDER BY r.ordinality), '
    || 'coalesce(o.whole, true), coalesce(o.has_updated, true), o.body, %3$s '
    || 'FROM jsonb_populate_recordset(NULL::public.%4$I, $1) WITH ORDINALITY AS r '
    || 'LEFT JOIN unnest($2::bigint[], $3::boolean[], $4::boolean[], $5::jsonb[]) AS o(ord, whole, has_updated, body) '
    || 'ON o.ord = r.ordinality',
    stage, (SELECT string_agg(format('r.%I', k), ', ') FROM unnest(spec.keys) AS k), all_cols, tbl)
  USING rows, odd_ords, odd_whole, odd_updated, odd_bodies;
  END IF;

  -- The receive step (before rows are dropped below): later local writes are stamped after
  -- everything seen here. The same HLCs as 0015 read from each row's JSON: the table's own HLC
  -- columns, and any other HLC field of the rows kept in _odd. Only well-formed HLCs count; the
  -- pattern is tried on the greatest value first (matching it on every value was a tenth of the
  -- merge), and on all of them only when that one is not an HLC.
  hlc_sql := 'SELECT %s FROM ('
    || CASE WHEN spec.policy = 'lww-columns'
            THEN 'SELECT s.j #>> ''{}'' AS h FROM pg_temp.%2$I m, jsonb_path_query(m.col_hlc, ''strict $.** ? (@.type() == "string")'') AS s(j) '
            ELSE format('SELECT m.%1$I AS h FROM pg_temp.%%2$I m UNION ALL SELECT m.%2$I FROM pg_temp.%%2$I m ', hlc_cols[1], hlc_cols[2]) END
    || CASE WHEN odd_hlcs > 0
            THEN 'UNION ALL SELECT m._odd ->> f FROM pg_temp.%2$I m, '
                 || 'unnest(ARRAY[''status_hlc'', ''deleted_hlc'', ''added_hlc'', ''removed_hlc'']) AS f WHERE m._odd IS NOT NULL '
                 || 'UNION ALL SELECT s.j #>> ''{}'' FROM pg_temp.%2$I m, '
                 || 'jsonb_path_query(coalesce(m._odd -> ''col_hlc'', ''{}''), ''strict $.** ? (@.type() == "string")'') AS s(j) '
                 || 'WHERE m._odd IS NOT NULL'
            ELSE '' END
    || ') x %s';
  EXECUTE format(hlc_sql, 'max(x.h COLLATE "C")', stage, '') INTO max_hlc;
  IF max_hlc !~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$' THEN
    EXECUTE format(hlc_sql, 'max(x.h COLLATE "C")', stage, 'WHERE x.h ~ ''^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$''') INTO max_hlc;
  END IF;
  PERFORM confab_hlc_receive(max_hlc);

  -- Rows whose merge provably changes nothing leave the batch (as in 0015): the rows a device
  -- pulls back after its own push, and duplicates. Only for append-only rows, where it is exact.
  -- One key lookup per batch row (confab_merge_drop_unchanged), not a pass over the table.
  IF spec.policy = 'append-only' THEN
    PERFORM confab_merge_drop_unchanged(tbl, stage);
  END IF;

  SELECT string_agg(format('%I', c), ', '), string_agg(format('r.%I', c), ', ')
    INTO insert_cols, select_cols FROM unnest(cols) AS c;
  -- New messages carry their depth, worked out for the whole batch in one walk from the parents
  -- already here (0014); the walk's answer is kept in two arrays and joined by the insert.
  IF tbl = 'messages' THEN
    WITH RECURSIVE b AS MATERIALIZED (
      SELECT DISTINCT ON (m.id) m.id, m.parent_id
        FROM pg_temp.confab_merge_messages m WHERE m._whole
       ORDER BY m.id, m._round
    ), tree AS (
      SELECT b.id, CASE WHEN b.parent_id IS NULL THEN 0 ELSE coalesce(p.depth + 1, 0) END AS depth,
             CASE WHEN b.parent_id IS NOT NULL AND p.id IS NULL THEN b.parent_id END AS lost_parent
        FROM b LEFT JOIN LATERAL (SELECT p.id, p.depth FROM messages p WHERE p.id = b.parent_id LIMIT 1) p ON true
       WHERE b.parent_id IS NULL OR NOT EXISTS (SELECT 1 FROM b AS inner_b WHERE inner_b.id = b.parent_id)
      UNION ALL
      SELECT b.id, tree.depth + 1, NULL::uuid FROM tree JOIN b ON b.parent_id = tree.id
    )
    SELECT array_agg(tree.id), array_agg(tree.depth), array_agg(DISTINCT tree.lost_parent) FILTER (WHERE tree.lost_parent IS NOT NULL),
           (SELECT count(*) FROM b)
      INTO depth_ids, depth_values, lost_parents, whole_n FROM tree;
    -- A device's applier (sync/local.ts, applyBatch) asks that every new message find its chat
    -- and its parent here or among the batch's whole rows, before anything is inserted: the
    -- walk above has looked every parent up already, and the chats (merged before the messages)
    -- are a few hundred lookups. The keys come back in the error, to be fetched from the server
    -- and offered again with the batch. This replaces a check before the merge and another after
    -- it, in all 70 ms of a 5,000-message batch at the end of a 100k pull.
    IF current_setting('confab.require_parents', true) = 'on' THEN
      -- New whole messages the walk never reached have a parent in the batch that is not under
      -- any root: their parents go round in a circle (only a forged push makes one: a message's
      -- parent never changes). The branch walks would never end on them, so they are parked
      -- apart (sync_parked, orphan), where they wait for a parent that cannot come, and the rest
      -- of the batch applies.
      -- The walk reaches each message once; fewer than the batch's means some are in a circle.
      IF whole_n > coalesce(cardinality(depth_ids), 0) THEN
        SELECT array_agg(DISTINCT m.id) INTO circled
          FROM pg_temp.confab_merge_messages m LEFT JOIN unnest(depth_ids) AS d(id) ON d.id = m.id
         WHERE m._whole AND d.id IS NULL
           AND NOT EXISTS (SELECT 1 FROM public.messages cur WHERE cur.id = m.id);
      END IF;
      IF circled IS NOT NULL THEN
        INSERT INTO sync_parked (tbl, pk, body, orphan)
        SELECT DISTINCT ON (m.id) 'messages', jsonb_build_array(m.id),
               to_jsonb(m) - '_ord' - '_round' - '_whole' - '_has_updated' - '_odd', true
          FROM pg_temp.confab_merge_messages m WHERE m.id = ANY (circled)
         ORDER BY m.id, m._round DESC
        ON CONFLICT ON CONSTRAINT sync_parked_pkey DO UPDATE SET body = EXCLUDED.body, orphan = true, parked_at = now();
        DELETE FROM pg_temp.confab_merge_messages m WHERE m.id = ANY (circled);
      END IF;
      SELECT array_agg(b.session_id) INTO lost_chats
        FROM (SELECT DISTINCT m.session_id FROM pg_temp.confab_merge_messages m WHERE m._whole) b
       WHERE NOT EXISTS (SELECT 1 FROM public.chat_sessions s WHERE s.id = b.session_id);
      IF lost_parents IS NOT NULL OR lost_chats IS NOT NULL THEN
        RAISE EXCEPTION 'confab_merge: the batch lacks rows its messages need'
          USING ERRCODE = 'foreign_key_violation',
                DETAIL = jsonb_build_object('chat_sessions', coalesce(to_jsonb(lost_chats), '[]'),
                                            'messages', coalesce(to_jsonb(lost_parents), '[]'))::text;
      END IF;
    END IF;
    insert_cols := insert_cols || ', depth';
    -- A row outside the walk (only a cycle of parents within the batch) gets 0: with the
    -- triggers off, nothing else would give it one.
    select_cols := select_cols || ', coalesce(d.depth, r.depth, 0)';
    bulk := current_setting('confab.bulk_apply', true) = 'on' AND current_setting('is_superuser') = 'on';
  END IF;

  -- The insert of a round's new rows; the trigger path and the bulk path return different things.
  insert_head := format(
    'INSERT INTO public.%1$I AS cur (%2$s) SELECT %3$s FROM pg_temp.%4$I r %5$s '
    || 'WHERE r._round = $1 AND r._whole ON CONFLICT (%6$s) DO NOTHING',
    tbl, insert_cols, select_cols, stage,
    CASE WHEN tbl = 'messages' THEN 'LEFT JOIN unnest($2::uuid[], $3::integer[]) AS d(id, depth) ON d.id = r.id' ELSE '' END,
    key_list);
  insert_sql := format(
    'WITH ins AS (%s RETURNING %s) SELECT count(*)::integer, coalesce(jsonb_agg(to_jsonb(ins)), ''[]'') FROM ins',
    insert_head, key_list);
  IF bulk THEN
    -- Messages only: the same insert, returning what the insert triggers' work needs.
    bulk_sql := 'WITH ins AS (' || insert_head
      || ' RETURNING id, session_id, status, deleted_at, created_at, tokens_in, tokens_out) '
      || 'SELECT count(*)::integer, array_agg(id), array_agg(status), array_agg(session_id), '
      || 'array_agg(session_id) FILTER (WHERE deleted_at IS NULL), array_agg(created_at) FILTER (WHERE deleted_at IS NULL), '
      || 'array_agg(tokens_in) FILTER (WHERE deleted_at IS NULL), array_agg(tokens_out) FILTER (WHERE deleted_at IS NULL) '
      || 'FROM ins';
    role_was := current_setting('session_replication_role');
  END IF;
  EXECUTE format('SELECT max(_round) FROM pg_temp.%I', stage) INTO rounds;
  WHILE this_round <= coalesce(rounds, 0) LOOP
    EXECUTE format('SELECT count(*)::integer FROM pg_temp.%I WHERE _round = $1', stage) INTO round_all USING this_round;
    IF bulk AND round_all > 200 THEN
      PERFORM set_config('session_replication_role', 'replica', true);
      EXECUTE bulk_sql INTO inserted_n, new_ids, new_statuses, new_sessions,
                            live_sessions, live_created, live_tin, live_tout
        USING this_round, depth_ids, depth_values;
      PERFORM set_config('session_replication_role', role_was, true);
      -- What the insert triggers would have done, once for the round (0021's functions, as the
      -- import writer calls them). The outbox notes nothing while pulled changes are applied.
      IF live_sessions IS NOT NULL THEN
        PERFORM confab_count_messages_in_bulk(live_sessions, live_created, live_tin, live_tout);
      END IF;
      IF new_ids IS NOT NULL THEN
        PERFORM confab_note_messages_in_bulk(new_ids, new_statuses, new_sessions);
        -- messages_leaf_arrived: a chat shows the branch this user last chose once its leaf is here.
        -- A join, as the trigger's (every chat's leaf tested against a 5,000-key array is not).
        UPDATE chat_sessions s SET current_leaf_id = st.current_leaf_id
          FROM session_user_state st JOIN unnest(new_ids) AS n(id) ON n.id = st.current_leaf_id
         WHERE st.owner_id = confab_device_user() AND s.id = st.session_id
           AND s.current_leaf_id IS DISTINCT FROM st.current_leaf_id;
      END IF;
    ELSE
      EXECUTE insert_sql INTO inserted_n, inserted USING this_round, depth_ids, depth_values;
    END IF;
    applied := applied + inserted_n;
    -- Every row of the round was new (a first pull): nothing is left for the update to merge.
    IF inserted_n < round_all THEN
      IF bulk AND round_all > 200 THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('id', i)), '[]') INTO inserted FROM unnest(new_ids) AS i;
      END IF;
      IF update_sql IS NULL THEN
        -- A row whose merge changes nothing is not written: pulling back one's own pushed rows (or
        -- a duplicate) must not rewrite them, with their search and trigram index entries.
        SELECT * INTO pairs FROM confab_merge_exprs(tbl, 'r');
        update_sql := format(
          'UPDATE public.%1$I AS cur SET %2$s FROM pg_temp.%7$I AS r WHERE r._round = $1 AND %3$s '
          || 'AND NOT EXISTS (SELECT 1 FROM jsonb_populate_recordset(NULL::public.%1$I, $2) AS i WHERE %4$s) '
          || 'AND (%5$s) IS DISTINCT FROM (%6$s)',
          tbl,
          (SELECT string_agg(format('%s = %s', c, e), ', ') FROM unnest(pairs.cols, pairs.exprs) AS x(c, e)),
          key_match, replace(key_match, 'cur.', 'i.'),
          array_to_string(pairs.exprs, ', '),
          (SELECT string_agg('cur.' || c, ', ') FROM unnest(pairs.cols) AS c),
          stage);
      END IF;
      EXECUTE update_sql USING this_round, inserted;
      GET DIAGNOSTICS n = ROW_COUNT;
      applied := applied + n;
    END IF;
    this_round := this_round + 1;
  END LOOP;

  -- Depth repair (0023's walk, as confab_merge_repair_depth: key lookups), for children that
  -- were here before their parent. A device's applier, which asks for every parent
  -- (confab.require_parents), has none: the device's parent key is checked at every commit, so
  -- no message is here without its parent, and this batch brought none (see the header).
  IF tbl = 'messages' AND depth_ids IS NOT NULL AND current_setting('confab.require_parents', true) IS DISTINCT FROM 'on' THEN
    PERFORM confab_merge_repair_depth(depth_ids, depth_values);
  END IF;

  PERFORM set_config('confab.applying', was, true);
  RETURN applied;
END
$$;
