-- Bounty follow-ups (issue 15).
-- The sha256 of the checker's code when the bounty was posted: a check runs only that code (a
-- checker changed since is not run; NULL for bounties posted before this migration).
ALTER TABLE bounties ADD COLUMN checker_code_hash text;

-- Whose share of the sandbox's containers (sandbox.maxContainersPerOwner) a run counts against:
-- NULL, the code's owner; a bounty's check, its submitter, who asked for it and pays for it.
ALTER TABLE invocations ADD COLUMN container_account text;
