-- 0019's same-chat check made a first push five times slower: 14.5 of 17 s of a 20,000-message
-- push on PostgreSQL 15 (`tests/sync/bench/profile.ts --functions`). Its joins of a statement's
-- new rows with the table were planned from the table's statistics, and a table filled by the
-- push itself has none worth the name (26 rows estimated, 4,398 there): the planner chose a nested
-- loop over the whole table for every new row, 19 million comparisons for a batch of 4,398.
--
-- The check now asks per new row, by key, through the indexes every reference has (the primary
-- key one way; messages_parent_idx, generation_runs_message_idx, attachments_message_idx,
-- tool_executions_message_idx and tool_executions_run_idx the other). A scalar subquery is never
-- turned into a join, so the plan cannot fall back to a scan whatever the statistics say: a
-- statement of n rows costs n index probes each way, and nothing grows with the table.
-- What it checks is unchanged (see 0019).

CREATE OR REPLACE FUNCTION sync.check_same_chat_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  -- (the row's table, its column naming another row, that row's table): every synced reference
  -- that carries no chat of its own. session_id itself is checked by the chat-owner trigger.
  refs constant text[][] := ARRAY[
    ARRAY['messages', 'parent_id', 'messages'],
    ARRAY['attachments', 'message_id', 'messages'],
    ARRAY['generation_runs', 'message_id', 'messages'],
    ARRAY['tool_executions', 'message_id', 'messages'],
    ARRAY['tool_executions', 'run_id', 'generation_runs']];
  r text[];
  crossed boolean;
BEGIN
  FOREACH r SLICE 1 IN ARRAY refs LOOP
    crossed := false;
    -- The rows this statement wrote name a row of another chat. A run keeps its row when its
    -- chat is deleted (session_id becomes NULL): it then has no chat to compare. A missing row, or
    -- one without a chat, gives NULL, which is no violation.
    IF r[1] = TG_TABLE_NAME THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM new_rows n '
                     'WHERE n.session_id IS NOT NULL AND n.%2$I IS NOT NULL '
                     'AND (SELECT o.session_id FROM public.%1$I o WHERE o.id = n.%2$I) <> n.session_id)',
                     r[3], r[2])
        INTO crossed;
    END IF;
    -- Rows already here name a row this statement wrote, from another chat (they came first).
    IF NOT crossed AND r[3] = TG_TABLE_NAME THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM new_rows n '
                     'WHERE n.session_id IS NOT NULL '
                     'AND (SELECT true FROM public.%1$I o WHERE o.%2$I = n.id '
                     'AND o.session_id IS NOT NULL AND o.session_id <> n.session_id LIMIT 1))',
                     r[1], r[2])
        INTO crossed;
    END IF;
    IF crossed THEN
      RAISE EXCEPTION 'a row of % names a row of another chat (%.% -> %)', TG_TABLE_NAME, r[1], r[2], r[3]
        USING ERRCODE = 'check_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
