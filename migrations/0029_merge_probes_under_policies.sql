-- The merge's two steps that compare a batch with the messages table look each batch row up by
-- key on the team server too (issue 13's bench, 2026-12-03 evening). 0025 made them key lookups by
-- turning hash and merge joins off, only where no row-level security applies (a device), because
-- under the team server's policies the planner found no key lookup for those joins. There they
-- stayed joins of the batch with the caller's whole history: every push of a first sync read all
-- of the member's messages twice (the rows that change nothing, then the depth repair), and the
-- push slowed down batch by batch as the server filled (`tests/sync/bench/profile.ts --messages
-- 60000 --batch 1000 --functions`: confab_merge_by_key 8.7 ms a call on average, 16 ms at 100k).
--
-- A scalar subquery, and a LATERAL subquery with OFFSET 0, are never flattened into a join: each
-- batch row is one probe of an index (the key, the parent index) whatever the statistics, the
-- policies, or the planner's settings, on the server and in a device's PGlite alike. So neither
-- step needs confab_merge_by_key's planner settings any more.
--
-- The depth repair also runs its UPDATE only when it found something to repair: an UPDATE of no
-- rows still fires the table's statement triggers (the counters, and on the server the change
-- index and the same-chat check), once per batch of every push. And it is never compiled by JIT:
-- the planner prices a recursive walk as if each level could reach every message, so on a
-- PostgreSQL with JIT on (the default since 12) a walk that finds nothing in 5 ms was compiled for
-- 160 ms first, once per batch of every push (auto_explain, `profile.ts --explain 30`).

CREATE OR REPLACE FUNCTION confab_merge_drop_unchanged(tbl text, stage text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'DELETE FROM pg_temp.%1$I m '
    || 'WHERE (SELECT m.status_hlc IS NOT DISTINCT FROM cur.status_hlc '
    || '          AND m.deleted_hlc IS NOT DISTINCT FROM cur.deleted_hlc '
    || '          AND (NOT m._whole OR m.created_at >= cur.created_at) '
    || '          AND (NOT m._has_updated OR m.updated_at <= cur.updated_at) '
    || '         FROM public.%2$I cur WHERE cur.id = m.id)',
    stage, tbl);
END
$$;

-- The children of the batch's rows that were here before them (they arrived first, as orphans,
-- and took a depth as roots), and their subtrees, as in 0025: from the walk's depths, following
-- only children whose depth is wrong.
CREATE OR REPLACE FUNCTION confab_merge_repair_depth(ids uuid[], depths integer[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
  fix_ids    uuid[];
  fix_depths integer[];
BEGIN
  WITH RECURSIVE fix AS (
    SELECT c.id, a.depth + 1 AS depth
      FROM unnest(ids, depths) AS a(id, depth),
           LATERAL (SELECT k.id, k.depth FROM public.messages k WHERE k.parent_id = a.id OFFSET 0) c
     WHERE c.depth <> a.depth + 1
    UNION ALL
    SELECT c.id, f.depth + 1
      FROM fix f,
           LATERAL (SELECT k.id, k.depth FROM public.messages k WHERE k.parent_id = f.id OFFSET 0) c
     WHERE c.depth <> f.depth + 1
  )
  SELECT array_agg(fix.id), array_agg(fix.depth) INTO fix_ids, fix_depths FROM fix;
  IF fix_ids IS NULL THEN
    RETURN;
  END IF;
  -- By key too (a join with the list was planned as a scan of the table for a list it took for
  -- a hundred rows); the list is as long as the subtrees that were wrong, usually a few rows.
  UPDATE public.messages m SET depth = fix_depths[array_position(fix_ids, m.id)]
   WHERE m.id = ANY (fix_ids);
END
$$;
