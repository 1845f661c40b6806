-- LLM calls: the per-call record, the system dollar budget and the system-wide rate limit.

-- One row per caller-made idempotency key. The response text lives here, not in workflow history.
-- payer_id NULL means the system pays (the oracle's scorer); otherwise a principal pays.
CREATE TABLE llm_calls (
  key               text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 256),
  payer_id          text REFERENCES artifacts (id),
  purpose           text,
  model             text NOT NULL,
  status            text NOT NULL CHECK (status IN ('reserved', 'succeeded', 'failed')),
  -- The worst-case cost of the current attempt (estimated prompt bound + max_tokens, at the price).
  worst_case_micros bigint NOT NULL CHECK (worst_case_micros >= 0),
  -- What this call holds against the budget now: the worst case while it runs, 0 once settled.
  reserved_micros   bigint NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
  max_tokens        integer NOT NULL CHECK (max_tokens > 0),
  prompt_tokens     integer NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
  completion_tokens integer NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
  -- true when the provider reported no usage and the tokens were estimated from text length.
  usage_estimated   boolean NOT NULL DEFAULT false,
  cost_micros       bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  latency_ms        integer,
  attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- Who holds the reservation now: a retried activity takes it over from a crashed attempt.
  owner_token       text,
  finish_reason     text,
  content           text,
  error             text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  reserved_at       timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  CHECK (status <> 'reserved' OR finished_at IS NULL),
  CHECK (status = 'reserved' OR reserved_micros = 0)
);
CREATE INDEX llm_calls_open_idx ON llm_calls (payer_id, reserved_at) WHERE status = 'reserved';
CREATE INDEX llm_calls_finished_idx ON llm_calls (finished_at);

-- The system-wide dollar budget, one row, created from configuration on first use.
-- A call reserves its worst case before it runs and settles the actual cost after, so the sum of
-- recorded costs cannot pass the budget while providers stay within the reserved bound.
CREATE TABLE llm_budget (
  id              boolean PRIMARY KEY DEFAULT true CHECK (id),
  budget_micros   bigint NOT NULL CHECK (budget_micros >= 0),
  reserved_micros bigint NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
  spent_micros    bigint NOT NULL DEFAULT 0 CHECK (spent_micros >= 0),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The system-wide requests-per-window and tokens-per-window limit shared by every worker: two
-- token buckets in one row, refilled continuously, updated under FOR UPDATE.
CREATE TABLE llm_rate_limit (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  requests   double precision NOT NULL,
  tokens     double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
