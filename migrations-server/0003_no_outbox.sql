-- The desktop's outbox (migrations/0011) has no meaning on a server: its triggers stay off here.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'chat_sessions', 'session_user_state', 'session_tags', 'messages',
                           'generation_runs', 'tool_executions', 'attachments'] LOOP
    EXECUTE format('ALTER TABLE public.%1$I DISABLE TRIGGER %1$s_outbox_insert', t);
    EXECUTE format('ALTER TABLE public.%1$I DISABLE TRIGGER %1$s_outbox_update', t);
    EXECUTE format('ALTER TABLE public.%1$I DISABLE TRIGGER %1$s_outbox_delete', t);
  END LOOP;
END
$$;
