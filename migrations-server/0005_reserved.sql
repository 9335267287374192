-- Placeholder: number 5 is taken by another branch's server migration, which lands before 0006.
-- When that branch is merged this file is deleted (it does nothing and was never released).
SELECT 1;
