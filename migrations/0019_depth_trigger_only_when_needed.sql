-- The depth trigger runs only for a row that needs it. Bulk writers (import, restore, the sync
-- merge, the seed) pass each message's depth, yet the trigger's PL/pgSQL function was still
-- called for every row only to return it unchanged: about a fifth of what inserting a message
-- cost in an import (issue 12). A WHEN condition is checked without calling the function. The
-- function's rule is unchanged: a root is at depth 0, and a reply given depth 0 ("not given")
-- takes its parent's depth + 1.
CREATE OR REPLACE TRIGGER messages_depth BEFORE INSERT ON messages
  FOR EACH ROW
  WHEN ((NEW.parent_id IS NULL AND NEW.depth IS DISTINCT FROM 0)
        OR (NEW.parent_id IS NOT NULL AND NEW.depth IS NOT DISTINCT FROM 0))
  EXECUTE FUNCTION confab_message_depth();
