-- LLM spend whose outcome is unknown, and the rights issued, so the books can be checked.

-- The token worst case of a call's current attempt (prompt bound + max_tokens), so an attempt
-- whose worker died can be charged it. Rows from before this migration read 0.
ALTER TABLE llm_calls ADD COLUMN worst_case_tokens bigint NOT NULL DEFAULT 0 CHECK (worst_case_tokens >= 0);

-- An attempt of a call whose outcome is unknown (its worker died with the request in flight, or
-- it never came back): charged its reserved worst case to its payer and the budget, since the
-- provider may have billed it. One row per call key and attempt number (llm_calls.attempts).
CREATE TABLE llm_abandoned_attempts (
  key         text NOT NULL REFERENCES llm_calls (key),
  attempt     integer NOT NULL CHECK (attempt > 0),
  payer_id    text REFERENCES artifacts (id),
  cost_micros bigint NOT NULL CHECK (cost_micros >= 0),
  tokens      bigint NOT NULL CHECK (tokens >= 0),
  reason      text NOT NULL,
  charged_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key, attempt)
);
CREATE INDEX llm_abandoned_attempts_payer_idx ON llm_abandoned_attempts (payer_id);

-- What has been issued of each right (granted to new principals or set by the operator, less what
-- was taken back). Every right is conserved: held by principals plus consumed (LLM dollars paid
-- for calls) equals issued. Seeded from what is held and consumed now.
CREATE TABLE quota_issued (
  resource text PRIMARY KEY,
  amount   bigint NOT NULL
);
INSERT INTO quota_issued (resource, amount)
SELECT resource, sum(amount) + CASE WHEN resource = 'llm_dollars'
    THEN (SELECT COALESCE(sum(cost_micros), 0) FROM llm_calls WHERE payer_id IS NOT NULL) ELSE 0 END
FROM quotas GROUP BY resource;
