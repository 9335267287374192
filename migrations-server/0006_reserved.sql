-- Placeholder: number 6 is taken by another branch's server migration (0006_team_usage).
-- When that branch is merged this file is deleted (it does nothing and was never released).
SELECT 1;
