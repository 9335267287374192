-- The merge touches only what a batch brings (issue 13, incremental latency). Same function
-- as 0014 but for the depth repair at its end, which walked every touched chat and, planned
-- without statistics on the batch, read the whole messages table once per level: the cost of
-- applying one pulled or pushed message grew with the size of the history (about 0.3 s per
-- round at 20,000 messages, on the device and on the server alike).

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
  all_inserted jsonb := '[]';
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
    all_inserted := all_inserted || inserted;
    EXECUTE update_sql
      USING (SELECT coalesce(jsonb_agg(body), '[]') FROM confab_merge_rows m WHERE m.round = this_round), inserted;
    GET DIAGNOSTICS n = ROW_COUNT;
    applied := applied + n;
    this_round := this_round + 1;
  END LOOP;

  -- Depth is derived from the parent. Rows inserted here already carry theirs (above); what can
  -- be stale is a message that arrived before its parent (kept at depth 0) and the replies under
  -- it. So the walk starts from the children of this batch's rows that were here before it, and
  -- goes down by the parent index. 0014 walked every touched chat from its roots, and without
  -- statistics on the batch the planner scanned the whole messages table at each level of the
  -- walk: one new message pushed into a 20,000-message history cost about half a second.
  IF tbl = 'messages' THEN
    WITH RECURSIVE arrived AS MATERIALIZED (
      SELECT DISTINCT (body ->> 'id')::uuid AS id FROM confab_merge_rows WHERE whole
    ), fresh AS MATERIALIZED (
      SELECT (e ->> 'id')::uuid AS id FROM jsonb_array_elements(all_inserted) AS e
    ), fix AS (
      SELECT c.id, p.depth + 1 AS depth
        FROM arrived a
        JOIN messages p ON p.id = a.id
        JOIN messages c ON c.parent_id = p.id
       -- NOT IN is hashed whatever the batch's estimated size (NOT EXISTS was planned as a
       -- nested loop over a batch taken for 100 rows).
       WHERE c.id NOT IN (SELECT id FROM fresh)
      UNION ALL
      SELECT c.id, f.depth + 1
        FROM fix f
        JOIN messages c ON c.parent_id = f.id
    )
    UPDATE messages m SET depth = fix.depth FROM fix WHERE m.id = fix.id AND m.depth <> fix.depth;
  END IF;

  PERFORM set_config('confab.applying', was, true);
  RETURN applied;
END
$$;
