-- Team usage (issue 14): tokens, requests and estimated cost per member of the caller's team,
-- computed here from the runs members synced, and only when the admin turned it on with
-- `npm run team -- init <url> --team-usage`. Off by default: a member's usage is private, and
-- row-level security keeps every run readable by its owner only.
--
-- The aggregate is answered by a SECURITY DEFINER function owned by its own role, confab_usage:
-- NOLOGIN, NOBYPASSRLS, and allowed (by policies below) to read the runs and users of the
-- caller's team only. It returns sums per member, never a run, a session or a model, and it
-- answers nothing at all while the setting is off. confab_owner (which sync.push runs as) gets no
-- wider reading rights from this.
ALTER TABLE sync.meta ADD COLUMN IF NOT EXISTS team_usage boolean NOT NULL DEFAULT false;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'confab_usage') THEN
    CREATE ROLE confab_usage NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database of this cluster created it at the same moment
END
$$;

GRANT USAGE ON SCHEMA sync TO confab_usage;
GRANT SELECT ON sync.meta TO confab_usage;
GRANT SELECT ON sync.users TO confab_usage;
GRANT SELECT ON public.generation_runs TO confab_usage;
GRANT SELECT ON public.model_prices TO confab_usage;
GRANT EXECUTE ON FUNCTION sync.caller_team(), sync.team_of(uuid) TO confab_usage;

CREATE POLICY users_usage_read ON sync.users FOR SELECT TO confab_usage
  USING (team_id = (SELECT sync.caller_team()));
CREATE POLICY generation_runs_usage_read ON public.generation_runs FOR SELECT TO confab_usage
  USING ((SELECT team_usage FROM sync.meta) AND sync.team_of(owner_id) = (SELECT sync.caller_team()));

-- {"enabled": bool, "rows": [{user_id, name, requests, tokens_in, tokens_out, cost_usd}]} over
-- runs started in [p_from, p_to). Every member of the team gets a row, with zeros when idle.
-- cost_usd is null for a member none of whose runs has a priced model.
CREATE FUNCTION sync.team_usage(p_from timestamptz, p_to timestamptz) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
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
                FROM public.generation_runs g
               WHERE g.deleted_at IS NULL AND g.started_at >= p_from AND g.started_at < p_to
               GROUP BY g.owner_id) r ON r.owner_id = u.user_id
       WHERE u.team_id = sync.caller_team()), '[]'::jsonb))
  END
$$;
ALTER FUNCTION sync.team_usage(timestamptz, timestamptz) OWNER TO confab_usage;
REVOKE ALL ON FUNCTION sync.team_usage(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync.team_usage(timestamptz, timestamptz) TO confab_member;
