-- Tool authority (SPEC sections 6 and 7): an invocation of code without standing runs with a grant.
-- Its code may spend in its invoker's name only within the allowance the invoker stated (nested
-- prices and compute, transfers, purchases, bids, LLM dollars); every spend is counted, atomically,
-- on the invocation itself and on every invocation whose grant it runs under (grant_chain). The
-- code hash pins the code the price was held for: a run whose artifact changed since fails CONFLICT.
-- All columns are new and optional, so rows written before this migration read as "no grant".

ALTER TABLE invocations
  -- What the invoker stated: the most it would pay, and the code it expected (sha256 hex).
  ADD COLUMN max_price            bigint CHECK (max_price >= 0),
  ADD COLUMN expected_code_hash   text,
  -- sha256 hex of the code as the hold read it, in the statement that read the price.
  ADD COLUMN code_hash            text,
  -- Keys of the invocations whose allowances bound what this invocation's code spends: itself, then
  -- its parent's chain when the parent spends for the same invoker. Null: the code acts as itself
  -- (it has standing), or the row predates this migration.
  ADD COLUMN grant_chain          text[],
  -- The chain the hold charged this invocation's price and compute reservation to (its caller's).
  ADD COLUMN parent_chain         text[],
  ADD COLUMN allowance_scrip      bigint NOT NULL DEFAULT 0 CHECK (allowance_scrip >= 0),
  ADD COLUMN allowance_compute    bigint NOT NULL DEFAULT 0 CHECK (allowance_compute >= 0),
  ADD COLUMN allowance_llm_micros bigint NOT NULL DEFAULT 0 CHECK (allowance_llm_micros >= 0),
  -- Genesis methods no allowance covers that the grant allows by name ('genesis_store.write', ...).
  ADD COLUMN allow_methods        text[] NOT NULL DEFAULT '{}',
  -- What code under this grant spent (this invocation's and everything nested under it).
  ADD COLUMN spent_scrip          bigint NOT NULL DEFAULT 0,
  ADD COLUMN spent_compute        bigint NOT NULL DEFAULT 0,
  ADD COLUMN spent_llm_micros     bigint NOT NULL DEFAULT 0,
  -- CPU-ms of the parent chain's compute allowance held for this run; settle trues it up.
  ADD COLUMN compute_reserved     bigint NOT NULL DEFAULT 0 CHECK (compute_reserved >= 0);
