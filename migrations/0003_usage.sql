-- Usage dashboard: model prices, the dashboard's aggregations and the indexes they need. The same
-- file runs on PGlite (PostgreSQL 18) and on a team PostgreSQL 15+.
--
-- Every aggregation is a SQL function taking the owner, a half-open range [from, to) and, where
-- days or months are cut, the user's IANA time zone as a parameter (never spliced into SQL).
-- They are single-statement LANGUAGE sql STABLE functions, so the planner inlines them into the
-- caller's query and plans them with the actual range, as if the SELECT had been written there.
-- Bodies are quoted strings rather than BEGIN ATOMIC, so PG 15 and 18 print them identically.

-- ---------------------------------------------------------------------------------------------
-- model_prices: LOCAL ONLY, never synced, like settings and provider_configs. A price is this
-- user's estimate on this device (list price, a negotiated rate, 0 for a model they run
-- themselves), the seeded defaults come with each app version, and two devices seeding the same
-- model would collide on a synced key. Keyed by the normalised model name, so one row prices
-- every spelling of a model (below); no UUIDv7/owner/tombstone columns for the same reasons.
CREATE FUNCTION confab_price_key(model text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- 'openai/gpt-4o' (OpenRouter), 'gpt-4o-2024-08-06', 'claude-3-5-sonnet-latest' and
  -- 'anthropic/claude-3.5-sonnet' all name a priced model; dots and dashes are one separator.
  SELECT replace(
           regexp_replace(regexp_replace(lower(btrim(model)), '^.*/', ''),
                          '-(latest|[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8})$', ''),
           '.', '-')
$$;

CREATE TABLE model_prices (
  model           text PRIMARY KEY,
  model_key       text GENERATED ALWAYS AS (confab_price_key(model)) STORED,
  -- US dollars per million tokens.
  input_per_mtok  numeric(12, 4) NOT NULL,
  output_per_mtok numeric(12, 4) NOT NULL,
  -- Seeded by Confab (true) or entered by the user (false), so the UI can say which is which.
  is_default      boolean NOT NULL DEFAULT false,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT model_prices_model_key_unique UNIQUE (model_key),
  CONSTRAINT model_prices_model_length CHECK (char_length(btrim(model)) BETWEEN 1 AND 200),
  CONSTRAINT model_prices_nonnegative CHECK (input_per_mtok >= 0 AND output_per_mtok >= 0)
);
CREATE TRIGGER model_prices_touch BEFORE UPDATE ON model_prices
  FOR EACH ROW EXECUTE FUNCTION confab_touch_updated_at();

-- Published list prices (USD per 1M tokens, standard tier, uncached input) as of late 2025.
-- Models run locally (Ollama, LM Studio, llama.cpp) deliberately have no row: "no price" is shown
-- for them, never a made-up zero.
INSERT INTO model_prices (model, input_per_mtok, output_per_mtok, is_default) VALUES
  ('gpt-5',             1.25,  10.00, true),
  ('gpt-5-mini',        0.25,   2.00, true),
  ('gpt-5-nano',        0.05,   0.40, true),
  ('gpt-4.1',           2.00,   8.00, true),
  ('gpt-4.1-mini',      0.40,   1.60, true),
  ('gpt-4.1-nano',      0.10,   0.40, true),
  ('gpt-4o',            2.50,  10.00, true),
  ('gpt-4o-mini',       0.15,   0.60, true),
  ('gpt-4-turbo',      10.00,  30.00, true),
  ('gpt-3.5-turbo',     0.50,   1.50, true),
  ('o1',               15.00,  60.00, true),
  ('o3',                2.00,   8.00, true),
  ('o3-mini',           1.10,   4.40, true),
  ('o4-mini',           1.10,   4.40, true),
  ('claude-opus-4-5',   5.00,  25.00, true),
  ('claude-opus-4-1',  15.00,  75.00, true),
  ('claude-opus-4',    15.00,  75.00, true),
  ('claude-sonnet-4-5', 3.00,  15.00, true),
  ('claude-sonnet-4',   3.00,  15.00, true),
  ('claude-3-7-sonnet', 3.00,  15.00, true),
  ('claude-3-5-sonnet', 3.00,  15.00, true),
  ('claude-haiku-4-5',  1.00,   5.00, true),
  ('claude-3-5-haiku',  0.80,   4.00, true),
  ('claude-3-haiku',    0.25,   1.25, true),
  ('claude-3-opus',    15.00,  75.00, true),
  ('gemini-2.5-pro',    1.25,  10.00, true),
  ('gemini-2.5-flash',  0.30,   2.50, true),
  ('gemini-2.5-flash-lite', 0.10, 0.40, true),
  ('gemini-2.0-flash',  0.10,   0.40, true);

-- ---------------------------------------------------------------------------------------------
-- Rollups. Reading 100k runs costs PGlite about 45 ms for a bare count(*), so a dashboard over
-- 90 days cannot read the runs themselves and stay within 50 ms. Three rollups, kept exact by
-- statement-level triggers on generation_runs (one upsert per rollup per statement, so a bulk
-- insert of 50k runs updates each bucket once):
--   usage_rollup_daily:   per owner, UTC day, provider and model  (totals, models, providers)
--   usage_rollup_quarter: per owner and 15-minute bucket          (the per-day chart)
--   usage_rollup_session: per owner, session and UTC day          (top sessions)
-- A range [from, to) is answered from whole buckets inside it plus the runs themselves in the
-- partial buckets at its two ends, so the answer is exact for any range. Every time zone's offset
-- is a multiple of 15 minutes, so a day cut at local midnight is made of whole quarter buckets.
-- Derived data, local only and never synced: each device rebuilds it from its own runs (a pulled
-- run passes through the same triggers). Rows whose runs fall to 0 stay; readers skip them.
CREATE TABLE usage_rollup_daily (
  owner_id    uuid NOT NULL,
  day         date NOT NULL,
  provider_id text NOT NULL,
  model       text NOT NULL,
  runs        bigint NOT NULL,
  succeeded   bigint NOT NULL,
  failed      bigint NOT NULL,
  cancelled   bigint NOT NULL,
  interrupted bigint NOT NULL,
  tokens_in   bigint NOT NULL,
  tokens_out  bigint NOT NULL,
  PRIMARY KEY (owner_id, day, provider_id, model)
);
CREATE TABLE usage_rollup_quarter (
  owner_id    uuid NOT NULL,
  bucket      timestamptz NOT NULL,
  runs        bigint NOT NULL,
  succeeded   bigint NOT NULL,
  failed      bigint NOT NULL,
  cancelled   bigint NOT NULL,
  tokens_in   bigint NOT NULL,
  tokens_out  bigint NOT NULL,
  PRIMARY KEY (owner_id, bucket)
);
CREATE TABLE usage_rollup_session (
  owner_id    uuid NOT NULL,
  session_id  uuid NOT NULL,
  day         date NOT NULL,
  runs        bigint NOT NULL,
  tokens_in   bigint NOT NULL,
  tokens_out  bigint NOT NULL,
  PRIMARY KEY (owner_id, day, session_id)
);

-- A run's contribution to the rollups, +1 when it counts and -1 when it stops counting.
CREATE TYPE usage_run_delta AS (
  owner_id    uuid,
  session_id  uuid,
  provider_id text,
  model       text,
  status      text,
  started_at  timestamptz,
  tokens_in   bigint,
  tokens_out  bigint,
  sign        integer
);

CREATE FUNCTION usage_quarter_of(p_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_bin('15 minutes', p_at, timestamptz '2000-01-01 00:00:00+00')
$$;

CREATE FUNCTION usage_rollup_merge(p_deltas usage_run_delta[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily AS t
         (owner_id, day, provider_id, model, runs, succeeded, failed, cancelled, interrupted,
          tokens_in, tokens_out)
  SELECT d.owner_id, (d.started_at AT TIME ZONE 'UTC')::date, d.provider_id, d.model, sum(d.sign),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'succeeded'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'failed'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'cancelled'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'interrupted'), 0),
         sum(d.sign * d.tokens_in), sum(d.sign * d.tokens_out)
    FROM unnest(p_deltas) d
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (owner_id, day, provider_id, model) DO UPDATE
     SET runs = t.runs + EXCLUDED.runs, succeeded = t.succeeded + EXCLUDED.succeeded,
         failed = t.failed + EXCLUDED.failed, cancelled = t.cancelled + EXCLUDED.cancelled,
         interrupted = t.interrupted + EXCLUDED.interrupted,
         tokens_in = t.tokens_in + EXCLUDED.tokens_in, tokens_out = t.tokens_out + EXCLUDED.tokens_out;

  INSERT INTO usage_rollup_quarter AS t
         (owner_id, bucket, runs, succeeded, failed, cancelled, tokens_in, tokens_out)
  SELECT d.owner_id, usage_quarter_of(d.started_at), sum(d.sign),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'succeeded'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'failed'), 0),
         coalesce(sum(d.sign) FILTER (WHERE d.status = 'cancelled'), 0),
         sum(d.sign * d.tokens_in), sum(d.sign * d.tokens_out)
    FROM unnest(p_deltas) d
   GROUP BY 1, 2
  ON CONFLICT (owner_id, bucket) DO UPDATE
     SET runs = t.runs + EXCLUDED.runs, succeeded = t.succeeded + EXCLUDED.succeeded,
         failed = t.failed + EXCLUDED.failed, cancelled = t.cancelled + EXCLUDED.cancelled,
         tokens_in = t.tokens_in + EXCLUDED.tokens_in, tokens_out = t.tokens_out + EXCLUDED.tokens_out;

  INSERT INTO usage_rollup_session AS t (owner_id, session_id, day, runs, tokens_in, tokens_out)
  SELECT d.owner_id, d.session_id, (d.started_at AT TIME ZONE 'UTC')::date, sum(d.sign),
         sum(d.sign * d.tokens_in), sum(d.sign * d.tokens_out)
    FROM unnest(p_deltas) d
   WHERE d.session_id IS NOT NULL
   GROUP BY 1, 2, 3
  ON CONFLICT (owner_id, day, session_id) DO UPDATE
     SET runs = t.runs + EXCLUDED.runs, tokens_in = t.tokens_in + EXCLUDED.tokens_in,
         tokens_out = t.tokens_out + EXCLUDED.tokens_out;
END
$$;

CREATE FUNCTION usage_runs_after_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM usage_rollup_merge(ARRAY(
    SELECT ROW(n.owner_id, n.session_id, n.provider_id, n.model, n.status, n.started_at,
               n.tokens_in, n.tokens_out, 1)::usage_run_delta
      FROM new_rows n WHERE n.deleted_at IS NULL));
  RETURN NULL;
END
$$;
CREATE TRIGGER generation_runs_rollup_insert AFTER INSERT ON generation_runs
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_runs_after_insert();

CREATE FUNCTION usage_runs_after_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Only rows whose counted fields changed: finishing a run does, clearing its error text does not.
  PERFORM usage_rollup_merge(ARRAY(
    SELECT x.delta
      FROM new_rows n
      JOIN old_rows o ON o.id = n.id
     CROSS JOIN LATERAL (
           SELECT ROW(o.owner_id, o.session_id, o.provider_id, o.model, o.status, o.started_at,
                      o.tokens_in, o.tokens_out, -1)::usage_run_delta AS delta
            WHERE o.deleted_at IS NULL
           UNION ALL
           SELECT ROW(n.owner_id, n.session_id, n.provider_id, n.model, n.status, n.started_at,
                      n.tokens_in, n.tokens_out, 1)::usage_run_delta
            WHERE n.deleted_at IS NULL) x
     WHERE (o.owner_id, o.session_id, o.provider_id, o.model, o.status, o.started_at, o.tokens_in,
            o.tokens_out, o.deleted_at IS NULL)
           IS DISTINCT FROM
           (n.owner_id, n.session_id, n.provider_id, n.model, n.status, n.started_at, n.tokens_in,
            n.tokens_out, n.deleted_at IS NULL)));
  RETURN NULL;
END
$$;
CREATE TRIGGER generation_runs_rollup_update AFTER UPDATE ON generation_runs
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_runs_after_update();

CREATE FUNCTION usage_runs_after_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM usage_rollup_merge(ARRAY(
    SELECT ROW(o.owner_id, o.session_id, o.provider_id, o.model, o.status, o.started_at,
               o.tokens_in, o.tokens_out, -1)::usage_run_delta
      FROM old_rows o WHERE o.deleted_at IS NULL));
  RETURN NULL;
END
$$;
CREATE TRIGGER generation_runs_rollup_delete AFTER DELETE ON generation_runs
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION usage_runs_after_delete();

-- Runs made before this migration.
SELECT usage_rollup_merge(ARRAY(
  SELECT ROW(r.owner_id, r.session_id, r.provider_id, r.model, r.status, r.started_at, r.tokens_in,
             r.tokens_out, 1)::usage_run_delta
    FROM generation_runs r WHERE r.deleted_at IS NULL));

-- ---------------------------------------------------------------------------------------------
-- Indexes on the runs: the partial buckets at a range's ends, the newest succeeded runs of a
-- model (latency), failed runs of the last day, and the retention job's oldest-first scans.
CREATE INDEX generation_runs_owner_started_idx ON generation_runs (owner_id, started_at)
  WHERE deleted_at IS NULL;
CREATE INDEX generation_runs_latency_idx ON generation_runs (owner_id, provider_id, model, started_at DESC)
  INCLUDE (ttft_ms, total_ms)
  WHERE status = 'succeeded' AND deleted_at IS NULL;
CREATE INDEX generation_runs_failed_idx ON generation_runs (owner_id, started_at DESC)
  WHERE status IN ('failed', 'interrupted') AND deleted_at IS NULL;
CREATE INDEX generation_runs_details_idx ON generation_runs (started_at)
  WHERE error_message IS NOT NULL;
CREATE INDEX tool_executions_started_idx ON tool_executions (started_at);
CREATE INDEX chat_sessions_inactive_idx ON chat_sessions (last_activity_at)
  WHERE status = 'active' AND NOT pinned AND deleted_at IS NULL;

-- ---------------------------------------------------------------------------------------------
-- Reading a range.

-- Where the whole buckets of a range begin and end. A range [from, to) is read as: the runs in
-- [from, ceil(from)), whole buckets in [ceil(from), floor(to)), the runs in [floor(to), to);
-- when no whole bucket fits, ceil(from) >= to and the first part is the whole range. Written
-- directly on the parameters (no join, no OR) so the planner sees each end as a value and
-- reads the runs by index; immutable where the arithmetic allows, so it folds at plan time.
CREATE FUNCTION usage_utc_day_floor(p timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT date_trunc('day', p AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;
CREATE FUNCTION usage_utc_day_ceil(p timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p AT TIME ZONE 'UTC' = date_trunc('day', p AT TIME ZONE 'UTC') THEN p
              ELSE ((p AT TIME ZONE 'UTC')::date + 1)::timestamp AT TIME ZONE 'UTC' END
$$;
-- Interval arithmetic on timestamptz is only STABLE; the planner still estimates with its value.
CREATE FUNCTION usage_quarter_ceil(p timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p = usage_quarter_of(p) THEN p ELSE usage_quarter_of(p) + interval '15 minutes' END
$$;

-- Per provider and model, the range's runs as rows to be summed: one row per whole UTC day from
-- the daily rollup, one per run in the partial days at either end.
CREATE FUNCTION usage_model_parts(p_owner uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (provider_id text, model text, runs bigint, succeeded bigint, failed bigint,
               cancelled bigint, interrupted bigint, tokens_in bigint, tokens_out bigint)
LANGUAGE sql STABLE AS $$
  SELECT d.provider_id, d.model, d.runs, d.succeeded, d.failed, d.cancelled, d.interrupted,
         d.tokens_in, d.tokens_out
    FROM usage_rollup_daily d
   WHERE d.owner_id = p_owner AND d.runs <> 0
     AND d.day >= (usage_utc_day_ceil(p_from) AT TIME ZONE 'UTC')::date
     AND d.day < (usage_utc_day_floor(p_to) AT TIME ZONE 'UTC')::date
  UNION ALL
  SELECT r.provider_id, r.model, 1, (r.status = 'succeeded')::int, (r.status = 'failed')::int,
         (r.status = 'cancelled')::int, (r.status = 'interrupted')::int, r.tokens_in, r.tokens_out
    FROM generation_runs r
   WHERE r.owner_id = p_owner AND r.deleted_at IS NULL
     AND r.started_at >= p_from AND r.started_at < least(usage_utc_day_ceil(p_from), p_to)
  UNION ALL
  SELECT r.provider_id, r.model, 1, (r.status = 'succeeded')::int, (r.status = 'failed')::int,
         (r.status = 'cancelled')::int, (r.status = 'interrupted')::int, r.tokens_in, r.tokens_out
    FROM generation_runs r
   WHERE r.owner_id = p_owner AND r.deleted_at IS NULL
     AND r.started_at >= greatest(usage_utc_day_floor(p_to), usage_utc_day_ceil(p_from))
     AND r.started_at < p_to
$$;

-- Input and output tokens and requests per day in the user's zone, every day of the range
-- present (zeros included) so that a chart has no holes. From the quarter-hour rollup, plus the
-- runs themselves in partial quarters at the ends (none when the range starts and ends at a
-- local midnight, as the view's ranges do).
CREATE FUNCTION usage_daily(p_owner uuid, p_from timestamptz, p_to timestamptz, p_tz text)
RETURNS TABLE (day date, runs bigint, succeeded bigint, failed bigint, cancelled bigint,
               tokens_in bigint, tokens_out bigint)
LANGUAGE sql STABLE AS $$
  WITH parts AS (
    SELECT b.bucket AS at, b.runs, b.succeeded, b.failed, b.cancelled, b.tokens_in, b.tokens_out
      FROM usage_rollup_quarter b
     WHERE b.owner_id = p_owner AND b.runs <> 0
       AND b.bucket >= usage_quarter_ceil(p_from) AND b.bucket < usage_quarter_of(p_to)
    UNION ALL
    SELECT r.started_at, 1, (r.status = 'succeeded')::int, (r.status = 'failed')::int,
           (r.status = 'cancelled')::int, r.tokens_in, r.tokens_out
      FROM generation_runs r
     WHERE r.owner_id = p_owner AND r.deleted_at IS NULL
       AND r.started_at >= p_from AND r.started_at < least(usage_quarter_ceil(p_from), p_to)
    UNION ALL
    SELECT r.started_at, 1, (r.status = 'succeeded')::int, (r.status = 'failed')::int,
           (r.status = 'cancelled')::int, r.tokens_in, r.tokens_out
      FROM generation_runs r
     WHERE r.owner_id = p_owner AND r.deleted_at IS NULL
       AND r.started_at >= greatest(usage_quarter_of(p_to), usage_quarter_ceil(p_from))
       AND r.started_at < p_to
  ), per_day AS (
    SELECT (p.at AT TIME ZONE p_tz)::date AS d, sum(p.runs) AS runs, sum(p.succeeded) AS succeeded,
           sum(p.failed) AS failed, sum(p.cancelled) AS cancelled, sum(p.tokens_in) AS tokens_in,
           sum(p.tokens_out) AS tokens_out
      FROM parts p
     GROUP BY 1
  )
  SELECT g.d::date, coalesce(p.runs, 0)::bigint, coalesce(p.succeeded, 0)::bigint,
         coalesce(p.failed, 0)::bigint, coalesce(p.cancelled, 0)::bigint,
         coalesce(p.tokens_in, 0)::bigint, coalesce(p.tokens_out, 0)::bigint
    -- timestamp, not timestamptz: a series of calendar days, untouched by DST or session zone.
    FROM generate_series((p_from AT TIME ZONE p_tz)::date::timestamp,
                         ((p_to - interval '1 microsecond') AT TIME ZONE p_tz)::date::timestamp,
                         interval '1 day') AS g(d)
    LEFT JOIN per_day p ON p.d = g.d::date
   WHERE p_to > p_from
   ORDER BY 1
$$;

-- The estimated cost of some tokens of a model, or NULL when the model has no price. NULL, not 0,
-- so that sums skip it and callers can count what is unpriced.
CREATE FUNCTION usage_cost(p_model text, p_tokens_in numeric, p_tokens_out numeric) RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (p_tokens_in * p.input_per_mtok + p_tokens_out * p.output_per_mtok) / 1000000
    FROM model_prices p
   WHERE p.model_key = confab_price_key(p_model)
$$;

-- Requests, outcomes, tokens and estimated cost per provider and model, biggest first.
CREATE FUNCTION usage_by_model(p_owner uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (provider_id text, model text, runs bigint, succeeded bigint, failed bigint,
               cancelled bigint, interrupted bigint, tokens_in bigint, tokens_out bigint,
               cost_usd numeric)
LANGUAGE sql STABLE AS $$
  SELECT g.provider_id, g.model, g.runs, g.succeeded, g.failed, g.cancelled, g.interrupted,
         g.tokens_in, g.tokens_out, usage_cost(g.model, g.tokens_in, g.tokens_out)
    FROM (SELECT m.provider_id, m.model, sum(m.runs)::bigint AS runs,
                 sum(m.succeeded)::bigint AS succeeded, sum(m.failed)::bigint AS failed,
                 sum(m.cancelled)::bigint AS cancelled, sum(m.interrupted)::bigint AS interrupted,
                 sum(m.tokens_in)::bigint AS tokens_in, sum(m.tokens_out)::bigint AS tokens_out
            FROM usage_model_parts(p_owner, p_from, p_to) m
           GROUP BY m.provider_id, m.model
          HAVING sum(m.runs) > 0) g
   ORDER BY g.tokens_in + g.tokens_out DESC, g.provider_id, g.model
$$;

-- The same per provider. Cost sums priced models only; what has no price is counted apart.
CREATE FUNCTION usage_by_provider(p_owner uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (provider_id text, runs bigint, succeeded bigint, failed bigint, cancelled bigint,
               interrupted bigint, tokens_in bigint, tokens_out bigint, cost_usd numeric,
               unpriced_runs bigint, unpriced_tokens bigint)
LANGUAGE sql STABLE AS $$
  SELECT m.provider_id, sum(m.runs)::bigint, sum(m.succeeded)::bigint, sum(m.failed)::bigint,
         sum(m.cancelled)::bigint, sum(m.interrupted)::bigint, sum(m.tokens_in)::bigint,
         sum(m.tokens_out)::bigint, sum(m.cost_usd),
         coalesce(sum(m.runs) FILTER (WHERE m.cost_usd IS NULL), 0)::bigint,
         coalesce(sum(m.tokens_in + m.tokens_out) FILTER (WHERE m.cost_usd IS NULL), 0)::bigint
    FROM usage_by_model(p_owner, p_from, p_to) m
   GROUP BY m.provider_id
   ORDER BY sum(m.tokens_in + m.tokens_out) DESC, m.provider_id
$$;

-- Totals of a range (also this month's, for the budget).
CREATE FUNCTION usage_totals(p_owner uuid, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (runs bigint, succeeded bigint, failed bigint, cancelled bigint, interrupted bigint,
               tokens_in bigint, tokens_out bigint, cost_usd numeric, unpriced_runs bigint,
               unpriced_tokens bigint)
LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(p.runs), 0)::bigint, coalesce(sum(p.succeeded), 0)::bigint,
         coalesce(sum(p.failed), 0)::bigint, coalesce(sum(p.cancelled), 0)::bigint,
         coalesce(sum(p.interrupted), 0)::bigint, coalesce(sum(p.tokens_in), 0)::bigint,
         coalesce(sum(p.tokens_out), 0)::bigint, sum(p.cost_usd),
         coalesce(sum(p.unpriced_runs), 0)::bigint, coalesce(sum(p.unpriced_tokens), 0)::bigint
    FROM usage_by_provider(p_owner, p_from, p_to) p
$$;

-- The calendar month holding p_now in the user's zone: [start, end) as instants.
CREATE FUNCTION usage_month_bounds(p_now timestamptz, p_tz text)
RETURNS TABLE (month_start timestamptz, month_end timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT date_trunc('month', p_now AT TIME ZONE p_tz) AT TIME ZONE p_tz,
         (date_trunc('month', p_now AT TIME ZONE p_tz) + interval '1 month') AT TIME ZONE p_tz
$$;

-- Time to first token and total time, p50 and p95 (percentile_cont), per model, over its newest
-- p_sample succeeded runs in the range. A failed or cancelled run's time says how soon it
-- stopped, not how fast the model answers. The sample bounds the cost (an exact percentile
-- must sort every value, 90k of them over 90 days) and weights what the model does lately;
-- `samples` says how many runs a figure stands on.
CREATE FUNCTION usage_latency_by_model(p_owner uuid, p_from timestamptz, p_to timestamptz, p_sample integer)
RETURNS TABLE (provider_id text, model text, samples bigint, ttft_p50_ms double precision,
               ttft_p95_ms double precision, total_p50_ms double precision,
               total_p95_ms double precision)
LANGUAGE sql STABLE AS $$
  SELECT m.provider_id, m.model, count(*),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ttft_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY s.ttft_ms),
         percentile_cont(0.5) WITHIN GROUP (ORDER BY s.total_ms),
         percentile_cont(0.95) WITHIN GROUP (ORDER BY s.total_ms)
    FROM (SELECT p.provider_id, p.model
            FROM usage_model_parts(p_owner, p_from, p_to) p
           GROUP BY p.provider_id, p.model
          HAVING sum(p.succeeded) > 0) m
   CROSS JOIN LATERAL (
         SELECT r.ttft_ms, r.total_ms
           FROM generation_runs r
          WHERE r.owner_id = p_owner AND r.provider_id = m.provider_id AND r.model = m.model
            AND r.status = 'succeeded' AND r.deleted_at IS NULL
            AND r.started_at >= p_from AND r.started_at < p_to
          ORDER BY r.started_at DESC
          LIMIT p_sample) s
   GROUP BY m.provider_id, m.model
   ORDER BY count(*) DESC, m.provider_id, m.model
$$;

-- Sessions by tokens used in the range (session rollup for whole UTC days, runs at the ends),
-- then the estimated cost of just those sessions from their runs, per model.
CREATE FUNCTION usage_top_sessions(p_owner uuid, p_from timestamptz, p_to timestamptz, p_limit integer)
RETURNS TABLE (session_id uuid, title text, in_trash boolean, runs bigint, tokens_in bigint,
               tokens_out bigint, cost_usd numeric, unpriced_tokens bigint)
LANGUAGE sql STABLE AS $$
  WITH parts AS (
    SELECT d.session_id, d.runs, d.tokens_in, d.tokens_out
      FROM usage_rollup_session d
     WHERE d.owner_id = p_owner AND d.runs <> 0
       AND d.day >= (usage_utc_day_ceil(p_from) AT TIME ZONE 'UTC')::date
       AND d.day < (usage_utc_day_floor(p_to) AT TIME ZONE 'UTC')::date
    UNION ALL
    SELECT r.session_id, 1, r.tokens_in, r.tokens_out
      FROM generation_runs r
     WHERE r.owner_id = p_owner AND r.deleted_at IS NULL AND r.session_id IS NOT NULL
       AND r.started_at >= p_from AND r.started_at < least(usage_utc_day_ceil(p_from), p_to)
    UNION ALL
    SELECT r.session_id, 1, r.tokens_in, r.tokens_out
      FROM generation_runs r
     WHERE r.owner_id = p_owner AND r.deleted_at IS NULL AND r.session_id IS NOT NULL
       AND r.started_at >= greatest(usage_utc_day_floor(p_to), usage_utc_day_ceil(p_from))
       AND r.started_at < p_to
  ), top AS (
    SELECT p.session_id, sum(p.runs)::bigint AS runs, sum(p.tokens_in)::bigint AS tokens_in,
           sum(p.tokens_out)::bigint AS tokens_out
      FROM parts p
     GROUP BY p.session_id
    HAVING sum(p.runs) > 0
     ORDER BY sum(p.tokens_in + p.tokens_out) DESC, p.session_id
     LIMIT p_limit
  ), costs AS (
    SELECT c.session_id, sum(c.cost) AS cost_usd,
           coalesce(sum(c.tokens) FILTER (WHERE c.cost IS NULL), 0)::bigint AS unpriced_tokens
      FROM (SELECT r.session_id, usage_cost(r.model, sum(r.tokens_in), sum(r.tokens_out)) AS cost,
                   sum(r.tokens_in + r.tokens_out) AS tokens
              FROM generation_runs r
             WHERE r.session_id IN (SELECT t.session_id FROM top t)
               AND r.owner_id = p_owner AND r.deleted_at IS NULL
               AND r.started_at >= p_from AND r.started_at < p_to
             GROUP BY r.session_id, r.model) c
     GROUP BY c.session_id
  )
  SELECT t.session_id, s.title, s.deleted_at IS NOT NULL, t.runs, t.tokens_in, t.tokens_out,
         c.cost_usd, coalesce(c.unpriced_tokens, 0)::bigint
    FROM top t
    JOIN chat_sessions s ON s.id = t.session_id
    LEFT JOIN costs c ON c.session_id = t.session_id
   ORDER BY t.tokens_in + t.tokens_out DESC, t.session_id
$$;

-- Failed (and interrupted) runs, newest first, with what is needed to jump to their message.
CREATE FUNCTION usage_failed_runs(p_owner uuid, p_from timestamptz, p_to timestamptz, p_limit integer)
RETURNS TABLE (id uuid, session_id uuid, message_id uuid, session_title text, provider_id text,
               model text, status text, error_code text, error_message text,
               started_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT r.id, r.session_id, r.message_id, s.title, r.provider_id, r.model, r.status,
         r.error_code, r.error_message, r.started_at
    FROM generation_runs r
    LEFT JOIN chat_sessions s ON s.id = r.session_id
   WHERE r.owner_id = p_owner AND r.deleted_at IS NULL AND r.status IN ('failed', 'interrupted')
     AND r.started_at >= p_from AND r.started_at < p_to
   ORDER BY r.started_at DESC, r.id DESC
   LIMIT p_limit
$$;

-- One session's usage over its whole life: for the session info panel.
CREATE FUNCTION usage_session(p_owner uuid, p_session uuid)
RETURNS TABLE (runs bigint, succeeded bigint, failed bigint, tokens_in bigint, tokens_out bigint,
               cost_usd numeric, unpriced_tokens bigint, models text[])
LANGUAGE sql STABLE AS $$
  WITH per_model AS (
    SELECT r.model, count(*) AS runs,
           count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
           count(*) FILTER (WHERE r.status = 'failed') AS failed,
           sum(r.tokens_in) AS tokens_in, sum(r.tokens_out) AS tokens_out
      FROM generation_runs r
     WHERE r.owner_id = p_owner AND r.session_id = p_session AND r.deleted_at IS NULL
     GROUP BY r.model
  )
  SELECT coalesce(sum(pm.runs), 0)::bigint, coalesce(sum(pm.succeeded), 0)::bigint,
         coalesce(sum(pm.failed), 0)::bigint, coalesce(sum(pm.tokens_in), 0)::bigint,
         coalesce(sum(pm.tokens_out), 0)::bigint,
         sum(usage_cost(pm.model, pm.tokens_in, pm.tokens_out)),
         coalesce(sum(pm.tokens_in + pm.tokens_out)
                    FILTER (WHERE usage_cost(pm.model, pm.tokens_in, pm.tokens_out) IS NULL), 0)::bigint,
         coalesce(array_agg(pm.model ORDER BY pm.model), '{}')
    FROM per_model pm
$$;

-- The CSV export: one row per day (in the user's zone), provider and model that had runs.
CREATE FUNCTION usage_daily_by_model(p_owner uuid, p_from timestamptz, p_to timestamptz, p_tz text)
RETURNS TABLE (day date, provider_id text, model text, runs bigint, succeeded bigint, failed bigint,
               cancelled bigint, interrupted bigint, tokens_in bigint, tokens_out bigint,
               cost_usd numeric)
LANGUAGE sql STABLE AS $$
  SELECT g.d, g.provider_id, g.model, g.runs, g.succeeded, g.failed, g.cancelled, g.interrupted,
         g.tokens_in, g.tokens_out, usage_cost(g.model, g.tokens_in, g.tokens_out)
    FROM (SELECT (r.started_at AT TIME ZONE p_tz)::date AS d, r.provider_id, r.model,
                 count(*) AS runs,
                 count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
                 count(*) FILTER (WHERE r.status = 'failed') AS failed,
                 count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
                 count(*) FILTER (WHERE r.status = 'interrupted') AS interrupted,
                 sum(r.tokens_in) AS tokens_in,
                 sum(r.tokens_out) AS tokens_out
            FROM generation_runs r
           WHERE r.owner_id = p_owner AND r.deleted_at IS NULL
             AND r.started_at >= p_from AND r.started_at < p_to
           GROUP BY 1, r.provider_id, r.model) g
   ORDER BY g.d, g.provider_id, g.model
$$;
