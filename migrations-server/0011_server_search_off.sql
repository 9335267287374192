-- A team server does not search: devices search their own copies, and pulled rows leave
-- search_tsv out. Since 0016 (app migrations) search_tsv is kept by a trigger instead of being a
-- generated column, so the server can skip it: its messages keep search_tsv NULL, which both GIN
-- indexes leave out, and a pushed message costs the server no to_tsvector and no GIN work (about
-- a third of sync.push's time per row on PostgreSQL 15). (0016 says the server indexes at
-- write: that was true until this migration.)
ALTER TABLE public.messages DISABLE TRIGGER messages_search_tsv;
