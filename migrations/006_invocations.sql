-- Invocations of agent-written code (SPEC section 7): the saga hold -> run in the sandbox -> settle,
-- one row per invocation key. Each step is one transaction keyed by `key`; `status` decides which
-- money leg ran, so pay and refund are mutually exclusive and a retried step changes nothing.

CREATE TABLE invocations (
  key          text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 256),
  invoker_id   text NOT NULL,
  artifact_id  text NOT NULL,
  method       text NOT NULL,
  args         jsonb NOT NULL,
  -- 0 for an invocation made by an actor; n for one made through the bridge n levels down.
  depth        integer NOT NULL CHECK (depth >= 0),
  -- Who is paid the price on success (the artifact's owner, or its seller while escrow holds it), who
  -- pays the CPU (the invoker, or the artifact itself when it has standing), and whose container
  -- runs the code (the owner). Null only for a refused hold that never got that far.
  owner_id     text,
  payee_id     text,
  payer_id     text,
  price        bigint NOT NULL DEFAULT 0 CHECK (price >= 0),
  -- What hold_invoke holds for this invocation right now: the price while held, 0 once settled.
  held         bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  -- held: price taken, waiting for run and settle; paid / refunded: settled; rejected: the hold
  -- itself was refused (nothing moved).
  status       text NOT NULL CHECK (status IN ('held', 'paid', 'refunded', 'rejected')),
  -- What the sandbox reported ({ok, value | error, cpuMs, wallMs, logs}); null until the run ends.
  run_result   jsonb,
  -- CPU-ms charged to the payer at settlement, and the error of a refused or failed invocation.
  cpu_ms       bigint NOT NULL DEFAULT 0 CHECK (cpu_ms >= 0),
  error        jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  ran_at       timestamptz,
  settled_at   timestamptz,
  CHECK (status = 'held' OR held = 0)
);
CREATE INDEX invocations_open_idx ON invocations (created_at) WHERE status = 'held';
CREATE INDEX invocations_artifact_idx ON invocations (artifact_id, created_at);

-- Decisions of custom access contracts (an executable artifact named as another's
-- access_contract_id), keyed by operation key + contract + action + target. Written in a short
-- transaction of its own, with the requester's CPU charge, so that a check is paid for even when
-- the operation that asked rolls back, and a retried operation reuses the decision instead of
-- running the contract (and charging) again. No foreign keys: the operation that asks may hold
-- row locks on those artifacts.
CREATE TABLE contract_checks (
  id           text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 256),
  contract_id  text NOT NULL,
  requester_id text NOT NULL,
  action       text NOT NULL,
  target_id    text NOT NULL,
  allowed      boolean NOT NULL,
  cpu_ms       bigint NOT NULL CHECK (cpu_ms >= 0),
  error        jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
