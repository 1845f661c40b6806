-- Bounties (SPEC section 7, genesis_bounty): a poster holds a reward in hold_bounty against a
-- private checker artifact; submissions are checked in the sandbox in the submitter's name; the
-- first passing one (mode first) or the best one by the deadline (mode best) wins the reward, and
-- an unsolved bounty is refunded at its deadline. While a bounty is open, hold_bounty holds its reward.
CREATE TABLE bounties (
  id               text PRIMARY KEY,
  poster           text NOT NULL REFERENCES artifacts (id),
  description      text NOT NULL,
  checker_id       text NOT NULL,
  reward           bigint NOT NULL CHECK (reward > 0),
  deadline         timestamptz NOT NULL,
  mode             text NOT NULL CHECK (mode IN ('first', 'best')),
  status           text NOT NULL CHECK (status IN ('open', 'solved', 'refunded', 'cancelled')),
  winner           text,
  winning_artifact text,
  score            int,
  post_key         text NOT NULL,
  posted_at        timestamptz NOT NULL DEFAULT now(),
  closed_at        timestamptz,
  CHECK ((status = 'open') = (closed_at IS NULL)),
  CHECK ((status = 'solved') = (winner IS NOT NULL))
);
CREATE INDEX bounties_open ON bounties (deadline) WHERE status = 'open';
CREATE INDEX bounties_closed ON bounties (closed_at DESC) WHERE status <> 'open';

-- One row per submission; `check_key` is the key of the checker's invocation (invocations.key),
-- derived by the system (it starts with "bounty:", which no caller can choose).
CREATE TABLE bounty_submissions (
  id           bigserial PRIMARY KEY,
  bounty_id    text NOT NULL REFERENCES bounties (id),
  submitter    text NOT NULL REFERENCES artifacts (id),
  artifact_id  text NOT NULL,
  submit_key   text NOT NULL UNIQUE,
  check_key    text NOT NULL UNIQUE,
  status       text NOT NULL CHECK (status IN ('checking', 'passed', 'failed', 'late')),
  score        int,
  cpu_ms       bigint NOT NULL DEFAULT 0,
  error_code   text,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  checked_at   timestamptz
);
CREATE INDEX bounty_submissions_bounty ON bounty_submissions (bounty_id, id);
CREATE INDEX bounty_submissions_submitter ON bounty_submissions (submitter, bounty_id);
