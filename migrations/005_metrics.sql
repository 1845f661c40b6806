-- Metrics windows (SPEC section 10): one row per window [window_start, window_end), written by
-- metricsWindowWorkflow (the `metrics-window` schedule) and read by `ecology metrics`. Operators read
-- it; agents never act on it. Re-aggregating a window replaces its row (keyed by window_start).
CREATE TABLE metrics_windows (
  window_start          timestamptz PRIMARY KEY,
  window_end            timestamptz NOT NULL,
  -- Actions finished in the window (done, failed, and invalid outputs).
  actions               integer NOT NULL CHECK (actions >= 0),
  -- CPU-ms charged to compute buckets in the window.
  compute_spent         bigint NOT NULL CHECK (compute_spent >= 0),
  -- LLM micro-dollars of calls finished in the window, and of every call finished before its end.
  llm_cost_micros       bigint NOT NULL CHECK (llm_cost_micros >= 0),
  llm_cost_total_micros bigint NOT NULL CHECK (llm_cost_total_micros >= 0),
  -- Scrip in circulation at the window's end (minus the mint's balance then).
  scrip_supply          bigint NOT NULL,
  minted                bigint NOT NULL CHECK (minted >= 0),
  transfer_count        integer NOT NULL CHECK (transfer_count >= 0),
  transfer_volume       bigint NOT NULL CHECK (transfer_volume >= 0),
  artifacts_created     integer NOT NULL CHECK (artifacts_created >= 0),
  oracle_resolutions    integer NOT NULL CHECK (oracle_resolutions >= 0),
  -- Principals whose compute bucket was in debt when the window was aggregated (computed_at).
  principals_in_debt    integer NOT NULL CHECK (principals_in_debt >= 0),
  -- The breakdowns: per agent, by action type, debts, transfers by kind, artifacts, oracle results.
  data                  jsonb NOT NULL,
  computed_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start)
);

-- The aggregation reads each source by time range.
CREATE INDEX journal_created_idx ON journal (created_at);
CREATE INDEX resource_effects_kind_created_idx ON resource_effects (kind, created_at);
CREATE INDEX events_type_created_idx ON events (type, created_at);
CREATE INDEX agent_actions_finished_idx ON agent_actions ((COALESCE(acted_at, thought_at)));
