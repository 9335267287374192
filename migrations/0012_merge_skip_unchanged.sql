-- The merge (migrations/0008) no longer writes a row whose merge changes nothing. A device that
-- pulls back the rows it just pushed (every device does, after every push) rewrote each of them,
-- with their full-text and trigram index entries: 2,000 messages cost about 20 s on PGlite. Same
-- result, same function names; 0008 is left as it landed.

-- The merge of one table as (column, expression) pairs, with `src` naming the incoming row.
CREATE FUNCTION confab_merge_exprs(tbl text, src text, OUT cols text[], OUT exprs text[])
LANGUAGE plpgsql STABLE AS $$
DECLARE
  spec  record;
  data_cols text[];
  parts text[] := ARRAY[]::text[];
  col   text;
BEGIN
  SELECT * INTO spec FROM confab_sync_spec(tbl);
  IF spec.policy IS NULL THEN
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  data_cols := confab_sync_data_columns(tbl);
  IF spec.policy = 'lww-columns' THEN
    FOREACH col IN ARRAY data_cols LOOP
      IF col = 'settings' THEN
        parts := parts || format('settings = confab_merge_settings(cur.settings, cur.col_hlc, %1$s.settings, %1$s.col_hlc)', src);
      ELSE
        parts := parts || format(
          '%1$I = CASE WHEN confab_lww_wins(%2$s.col_hlc, cur.col_hlc, %1$L, to_jsonb(%2$s.%1$I), to_jsonb(cur.%1$I)) THEN %2$s.%1$I ELSE cur.%1$I END',
          col, src);
      END IF;
    END LOOP;
    parts := parts || format('col_hlc = confab_hlc_join(cur.col_hlc, %s.col_hlc)', src);
  ELSIF spec.policy = 'append-only' THEN
    FOREACH col IN ARRAY data_cols LOOP
      IF col = 'deleted_at' THEN
        parts := parts || format(
          'deleted_at = CASE WHEN coalesce(%1$s.deleted_hlc, '''') COLLATE "C" > coalesce(cur.deleted_hlc, '''') COLLATE "C" THEN %1$s.deleted_at ELSE cur.deleted_at END',
          src);
      ELSE
        parts := parts || format(
          '%1$I = CASE WHEN coalesce(%2$s.status_hlc, '''') COLLATE "C" > coalesce(cur.status_hlc, '''') COLLATE "C" THEN %2$s.%1$I ELSE cur.%1$I END',
          col, src);
      END IF;
    END LOOP;
    parts := parts || format('status_hlc = confab_hlc_max(cur.status_hlc, %s.status_hlc)', src)
                   || format('deleted_hlc = confab_hlc_max(cur.deleted_hlc, %s.deleted_hlc)', src);
  ELSIF spec.policy = 'tag-set' THEN
    parts := parts || format('added_hlc = confab_hlc_max(cur.added_hlc, %s.added_hlc)', src)
                   || format('removed_hlc = confab_hlc_max(cur.removed_hlc, %s.removed_hlc)', src)
                   || format('deleted_at = greatest(cur.deleted_at, %s.deleted_at)', src);
  ELSE
    RAISE EXCEPTION 'confab_merge: % is not a synced table', tbl USING ERRCODE = '22023';
  END IF;
  parts := parts || format('created_at = least(cur.created_at, %s.created_at)', src)
                 || format('updated_at = greatest(cur.updated_at, %s.updated_at)', src);
  SELECT array_agg(split_part(p, ' = ', 1) ORDER BY o), array_agg(substr(p, length(split_part(p, ' = ', 1)) + 4) ORDER BY o)
    INTO cols, exprs
    FROM unnest(parts) WITH ORDINALITY AS x(p, o);
END
$$;

-- Merges `rows` (a JSON array of row objects) into `tbl`. A row whose key is not here yet is
-- inserted as given, so it must be whole (every column; pulled rows and insert mutations are);
-- any other row object merges into the existing row and may carry only its key and the changed
-- columns with their HLCs (push mutations of updates). A row object for a missing key without
-- created_at is a partial change of a row this database does not hold: it is not applied.
-- Set-based: two statements per round, where a round holds at most one row per key, so a batch
-- that names a row twice (duplicated or collapsed mutations) still merges both. The insert and
-- the merge are separate statements so that the merge sees a row another transaction inserted
-- meanwhile (READ COMMITTED on a server). Returns the number of row objects applied. The
-- caller's transaction sees the change; stamping triggers do not re-stamp it.
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
  SELECT max(confab_merge_rows.round) INTO rounds FROM confab_merge_rows;

  WHILE this_round <= rounds LOOP
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

  -- The receive step: later local writes are stamped after everything seen here.
  SELECT max(h COLLATE "C") INTO max_hlc
    FROM confab_merge_rows m,
         LATERAL (SELECT m.body ->> f AS h FROM unnest(ARRAY['status_hlc', 'deleted_hlc', 'added_hlc', 'removed_hlc']) AS f
                  UNION ALL
                  SELECT s.j #>> '{}' FROM jsonb_path_query(coalesce(m.body -> 'col_hlc', '{}'),
                                                            'strict $.** ? (@.type() == "string")') AS s(j)) x
   WHERE x.h ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{16}$';
  PERFORM confab_hlc_receive(max_hlc);

  PERFORM set_config('confab.applying', was, true);
  RETURN applied;
END
$$;
