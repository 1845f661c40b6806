-- 012: three holes an attacker found.

-- 1. Ids callers choose may no longer contain ':' nor be a word the system derives keys from
-- (SPEC section 3: derived ids such as `<agent>:<n>` or `oracle:<resolution>:ubi:<agent>` contain
-- ':', so no caller can pre-claim one). Such an id already in use is refused here, by name: the
-- principals among them appear in the append-only journal and event log, which a rename would
-- have to rewrite.
DO $$
DECLARE
  bad text;
BEGIN
  SELECT string_agg(id, ', ' ORDER BY id) INTO bad FROM (
    SELECT id FROM artifacts
     WHERE NOT genesis AND (id LIKE '%:%' OR id IN ('oracle', 'issue', 'spawn', 'cli', 'adhoc', 'artifact'))
     ORDER BY id LIMIT 50
  ) x;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'migration 012: these artifact ids contain ":" or are reserved words (oracle, issue, spawn, cli, adhoc, artifact), which ids the system derives use, so they could pre-claim those ids: %. Start a fresh world (a new database), or delete or re-create these artifacts under new ids with the previous version, then migrate again.', bad
      USING ERRCODE = 'check_violation';
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
