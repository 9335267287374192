-- Team usage answers over whole days (UTC), at least one. 0009 took any window, so a member
-- could narrow it around one teammate's run (a millisecond wide) and read that run's start,
-- tokens and cost, and from the cost against the price list its model: the run itself, which
-- 0009 promised never to give. The window [p_from, p_to) is widened to the UTC days it touches;
-- the app asks for whole local days (the usage view's ranges), which the UTC days they touch hold,
-- so away from UTC its totals can take in up to a day's edge more than the range says.

CREATE OR REPLACE FUNCTION sync.team_usage(p_from timestamptz, p_to timestamptz) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
  WITH day_window AS (
    SELECT lo, greatest(hi, lo + interval '1 day') AS hi
      FROM (SELECT date_trunc('day', p_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS lo,
                   CASE WHEN date_trunc('day', p_to AT TIME ZONE 'UTC') = p_to AT TIME ZONE 'UTC'
                        THEN p_to
                        ELSE (date_trunc('day', p_to AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC' END AS hi) w
  )
  SELECT CASE
    WHEN NOT (SELECT team_usage FROM sync.meta) OR sync.caller_team() IS NULL
      THEN jsonb_build_object('enabled', false, 'rows', '[]'::jsonb)
    ELSE jsonb_build_object('enabled', true, 'rows', coalesce((
      SELECT jsonb_agg(jsonb_build_object(
               'user_id', u.user_id, 'name', u.display_name, 'requests', coalesce(r.requests, 0),
               'tokens_in', coalesce(r.tokens_in, 0), 'tokens_out', coalesce(r.tokens_out, 0),
               'cost_usd', r.cost_usd)
             ORDER BY coalesce(r.tokens_in + r.tokens_out, 0) DESC, u.display_name, u.user_id)
        FROM sync.users u
        LEFT JOIN (
              SELECT g.owner_id, count(*) AS requests, sum(g.tokens_in) AS tokens_in, sum(g.tokens_out) AS tokens_out,
                     sum(usage_cost(g.model, g.tokens_in, g.tokens_out)) AS cost_usd
                FROM public.generation_runs g, day_window d
               WHERE g.deleted_at IS NULL AND g.started_at >= d.lo AND g.started_at < d.hi
               GROUP BY g.owner_id) r ON r.owner_id = u.user_id
       WHERE u.team_id = sync.caller_team()), '[]'::jsonb))
  END
$$;
