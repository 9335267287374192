-- Sync speed (issue 13, Figures): the merge drops rows whose merge changes nothing before it
-- parses and compares them, and the session counters after a bulk insert aggregate the inserted
-- rows once. Same results, same function names; 0001, 0008 and 0012 are left as they landed.

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

  -- Depth is derived from the parent; a child that arrived before its parent is fixed now.
  IF tbl = 'messages' THEN
    LOOP
      UPDATE messages c SET depth = p.depth + 1
        FROM messages p
       WHERE c.parent_id = p.id AND c.depth <> p.depth + 1
         AND c.session_id IN (SELECT DISTINCT (body ->> 'session_id')::uuid FROM confab_merge_rows WHERE whole);
      GET DIAGNOSTICS n = ROW_COUNT;
      EXIT WHEN n = 0;
    END LOOP;
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
