-- A push is staged while the one before it is on the server (issue 13: a first push at 10,000
-- rows/s). Staging a batch is a fifth of a push's time on the device, and the server's apply
-- is most of the rest; the round (src/shared/sync/round.ts) now stages batch n + 1 while the
-- server applies batch n, so the two run side by side on two cores.
--
-- confab_stage_pending(lim, after_no) stages the next `lim` keys of the outbox unless mutations
-- numbered above `after_no` wait already, numbering them after every staged mutation. With
-- after_no = 0 it is the function it was (stage only when nothing waits), which the one-argument
-- form now calls.

CREATE FUNCTION confab_stage_pending(lim integer, after_no bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  -- attachments too: 0011 noted their keys in the outbox but staged no body for them, so a
  -- file's row was taken from the outbox and silently dropped, and never reached the server.
  tables text[] := ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                         'attachments', 'generation_runs', 'tool_executions'];
  t      text;
  n      integer;
  base   bigint;
BEGIN
  -- Mutations after `after_no` are staged already (a push that ended before its ack, a crash
  -- between two staged batches): they are sent again as they are, never staged anew.
  IF EXISTS (SELECT 1 FROM sync_pending WHERE mutation_no > after_no) THEN
    RETURN 0;
  END IF;
  -- Numbered after everything staged, acknowledged or not.
  SELECT greatest((SELECT last_mutation_no FROM sync_state), (SELECT max(mutation_no) FROM sync_pending), 0)
    INTO base;
  CREATE TEMP TABLE IF NOT EXISTS confab_staging (tbl text, pk jsonb, op text, noted_at timestamptz, body jsonb) ON COMMIT DROP;
  TRUNCATE confab_staging;
  -- Messages noted by one statement (an import) share noted_at: parents go first (by depth), so
  -- a push never carries a reply whose parent waits for a later push. Read down the push-order
  -- index: the first `lim` keys, not a sort of the whole outbox (see the top of this file).
  WITH keys AS (
    SELECT o.tbl, o.pk FROM sync_outbox o
     ORDER BY o.tbl_rank, o.noted_at, o.depth, o.pk
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
  SELECT base + row_number() OVER (ORDER BY array_position(tables, tbl), noted_at, pk::text),
         gen_random_uuid(), tbl, op, body
    FROM confab_staging
   WHERE body IS NOT NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION confab_stage_pending(lim integer) RETURNS integer
LANGUAGE sql AS $$
  SELECT confab_stage_pending(lim, 0)
$$;
