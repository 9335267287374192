-- Reserved for another engineer's migration 0007 (the loader requires numbers without gaps).
-- When the real 0007 lands on main, this file is deleted in the same merge; it does nothing.
SELECT 1;
