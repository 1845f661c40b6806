-- 012: three holes an attacker found.

-- 1. Ids callers choose may no longer contain ':' nor be a word the system derives keys from
-- (SPEC section 3: derived ids such as `<agent>:<n>` or `oracle:<resolution>:ubi:<agent>` contain
-- ':', so no caller can pre-claim one). Artifacts without standing that have such an id are
-- renamed: ':' becomes '_', a reserved word gets '_' appended, and '_2', '_3', ... is added when
-- the new id is taken; every reference that follows the artifact moves with it (access contracts,
-- listings, bids, won slots). Principals with such an id are refused, by name: their id is in the
-- append-only journal and event log, and in their agent workflow's id and keys.
DO $$
DECLARE
  bad text;
  a record;
  base text;
  candidate text;
  n int;
  renamed boolean := false;
BEGIN
  SELECT string_agg(id, ', ' ORDER BY id) INTO bad FROM (
    SELECT id FROM artifacts
     WHERE NOT genesis AND has_standing AND (id LIKE '%:%' OR id IN ('oracle', 'issue', 'spawn', 'cli', 'adhoc', 'artifact'))
     ORDER BY id LIMIT 50
  ) x;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'migration 012: these principals have ids that contain ":" or are reserved words (oracle, issue, spawn, cli, adhoc, artifact), which keys the system derives use, so they could pre-claim those keys: %. Start a fresh world (a new database), or move what they hold to principals with other ids and stop them with the previous version, then migrate again.', bad
      USING ERRCODE = 'check_violation';
  END IF;

  FOR a IN SELECT id FROM artifacts
            WHERE NOT genesis AND NOT has_standing AND (id LIKE '%:%' OR id IN ('oracle', 'issue', 'spawn', 'cli', 'adhoc', 'artifact'))
            ORDER BY id LOOP
    base := CASE WHEN a.id LIKE '%:%' THEN replace(a.id, ':', '_') ELSE a.id || '_' END;
    candidate := base;
    n := 1;
    WHILE EXISTS (SELECT 1 FROM artifacts WHERE id = candidate) LOOP
      n := n + 1;
      candidate := left(base, 128 - length('_' || n)) || '_' || n;
    END LOOP;
    -- The copy first (the references are checked at once), then the references, then the original.
    INSERT INTO artifacts (id, type, content, code, owner_id, access_contract_id, has_standing, can_execute, price, size_bytes,
                           genesis, managed_by, created_by, created_at, updated_at)
    SELECT candidate, type, content, code, owner_id,
           CASE WHEN access_contract_id = a.id THEN candidate ELSE access_contract_id END,
           has_standing, can_execute, price, size_bytes, genesis, managed_by, created_by, created_at, now()
      FROM artifacts WHERE id = a.id;
    UPDATE artifacts SET access_contract_id = candidate WHERE access_contract_id = a.id;
    UPDATE escrow_listings SET artifact_id = candidate WHERE artifact_id = a.id;
    UPDATE oracle_bids SET artifact_id = candidate WHERE artifact_id = a.id;
    UPDATE oracle_slots SET artifact_id = candidate WHERE artifact_id = a.id;
    DELETE FROM artifacts WHERE id = a.id;
    RAISE NOTICE 'migration 012: artifact % is now %', a.id, candidate;
    renamed := true;
  END LOOP;
  -- The owner and contract references are checked at commit; check the copies now, so that the
  -- ALTER TABLE below finds no pending checks.
  IF renamed THEN
    SET CONSTRAINTS artifacts_owner_id_fkey, artifacts_access_contract_id_fkey IMMEDIATE;
  END IF;
END $$;
-- No artifact id contains ':' any more (none of the ids the system makes as artifacts does).
ALTER TABLE artifacts DROP CONSTRAINT artifacts_id_check;
ALTER TABLE artifacts ADD CONSTRAINT artifacts_id_check CHECK (id ~ '^[A-Za-z0-9_.-]{1,128}$');

-- 2. The world's identity: created once, carried by its workflows, so that a worker of another
-- world on the same Temporal namespace and task queue refuses their work instead of ending them.
CREATE TABLE world_identity (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  world_id   text NOT NULL DEFAULT gen_random_uuid()::text,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO world_identity DEFAULT VALUES;

-- 3. Which agents' workflows actually run: written by the agent workflow's own activities (its
-- readiness check marks it running, its end marks it stopped). Only running agents share UBI.
CREATE TABLE agent_runs (
  agent_id    text PRIMARY KEY REFERENCES artifacts (id),
  started_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at  timestamptz,
  stop_reason text
);
-- Agents that have acted before this migration ran in a workflow; their next readiness check keeps the mark.
INSERT INTO agent_runs (agent_id)
SELECT DISTINCT agent_id FROM agent_actions
ON CONFLICT DO NOTHING;
