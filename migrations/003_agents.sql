-- Agents: what each iteration of an agent's loop thought and did, and its event subscriptions.

-- One row per iteration, keyed by the iteration's idempotency key `agentId:iteration`. The think
-- activity writes it (the prompt while the call runs, then the parsed action or why the output was
-- not one); the act activity records the result. Workflow history carries only small summaries.
CREATE TABLE agent_actions (
  key          text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 256),
  agent_id     text NOT NULL REFERENCES artifacts (id),
  iteration    bigint NOT NULL CHECK (iteration >= 0),
  -- thinking: the LLM call is under way; ready: a valid action waits to run; invalid: the output
  -- was not one valid action (a failed action); done / failed: the action ran.
  status       text NOT NULL CHECK (status IN ('thinking', 'ready', 'invalid', 'done', 'failed')),
  -- The think attempt the stored prompt belongs to (a retried think re-sends the same prompt).
  attempt      integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
  prompt       jsonb,
  llm_key      text,
  action_type  text,
  action       jsonb,
  reasoning    text,
  raw_output   text,
  error        jsonb,
  result       jsonb,
  summary      text,
  cost_micros  bigint NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  tokens       integer NOT NULL DEFAULT 0 CHECK (tokens >= 0),
  created_at   timestamptz NOT NULL DEFAULT now(),
  thought_at   timestamptz,
  acted_at     timestamptz,
  UNIQUE (agent_id, iteration)
);
CREATE INDEX agent_actions_recent_idx ON agent_actions (agent_id, iteration DESC);

-- `sleep {until_event}`: the event relay signals the workflow when an event of the type arrives
-- after `after_seq`, then deletes the row. Keyed by the sleeping iteration.
CREATE TABLE agent_subscriptions (
  key        text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 256),
  agent_id   text NOT NULL REFERENCES artifacts (id),
  event_type text NOT NULL,
  after_seq  bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_subscriptions_type_idx ON agent_subscriptions (event_type, after_seq);
CREATE INDEX agent_subscriptions_agent_idx ON agent_subscriptions (agent_id);
