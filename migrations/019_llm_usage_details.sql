-- Every token priced as billed: each LLM call record keeps the provider's usage details, the
-- prompt tokens it served from its cache (priced at the model's cachedInput), the output tokens
-- spent reasoning, and, for the local model, the CPU time its inference took (charged to the
-- payer's compute bucket).
ALTER TABLE llm_calls
  ADD COLUMN cached_tokens    integer NOT NULL DEFAULT 0 CHECK (cached_tokens >= 0),
  ADD COLUMN reasoning_tokens integer NOT NULL DEFAULT 0 CHECK (reasoning_tokens >= 0),
  ADD COLUMN compute_ms       bigint NOT NULL DEFAULT 0 CHECK (compute_ms >= 0),
  -- The provider's `usage` object as it reported it (NULL when it reported none).
  ADD COLUMN usage_details    jsonb,
  ADD CONSTRAINT llm_calls_cached_within_prompt CHECK (cached_tokens <= prompt_tokens);
