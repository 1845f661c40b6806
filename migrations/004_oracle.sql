-- The oracle (SPEC section 9): sealed bids whose amounts sit in the system account hold_oracle,
-- resolutions keyed by their scheduled time, and one row per won slot.
--
-- Money invariant (audit): balance(hold_oracle) = sum(oracle_bids.held). Every statement that moves
-- scrip into or out of hold_oracle changes `held` of the same bids in the same transaction.

-- One row per resolution. `id` is the scheduled time (ISO-8601 UTC, whole seconds): the idempotency
-- key of the resolution, so a repeated run finds and finishes the same record.
CREATE TABLE oracle_resolutions (
  id           text PRIMARY KEY CHECK (id ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$'),
  scheduled_at timestamptz NOT NULL UNIQUE,
  -- Bids placed at or before the cutoff take part.
  cutoff       timestamptz NOT NULL,
  -- scoring: winners chosen and losers refunded, slots being scored and settled; resolved: done.
  status       text NOT NULL CHECK (status IN ('scoring', 'resolved')),
  slots        integer NOT NULL CHECK (slots > 0),
  min_bid      bigint NOT NULL CHECK (min_bid > 0),
  mint_ratio   bigint NOT NULL CHECK (mint_ratio > 0),
  -- The random seed of the tie-break, recorded so the ranking can be re-derived and checked.
  seed         text NOT NULL,
  bid_count    integer NOT NULL CHECK (bid_count >= 0),
  -- The public outcome (winners, prices, scores, minted amounts), written when resolved.
  results      jsonb,
  -- The prices of the scored slots, shared equally among the agents (one transfer per agent per
  -- resolution); what does not divide goes to the treasury. Written when the slots are settled.
  ubi_total     bigint NOT NULL DEFAULT 0 CHECK (ubi_total >= 0),
  ubi_agents    integer NOT NULL DEFAULT 0 CHECK (ubi_agents >= 0),
  ubi_per_agent bigint NOT NULL DEFAULT 0 CHECK (ubi_per_agent >= 0),
  ubi_remainder bigint NOT NULL DEFAULT 0 CHECK (ubi_remainder >= 0),
  opened_at    timestamptz NOT NULL DEFAULT now(),
  settled_at   timestamptz,
  resolved_at  timestamptz,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);

CREATE TABLE oracle_bids (
  id            bigserial PRIMARY KEY,
  bidder_id     text NOT NULL REFERENCES artifacts (id),
  -- Not a foreign key: a bid-on artifact may be deleted; the resolution then refunds the bid.
  artifact_id   text NOT NULL,
  amount        bigint NOT NULL CHECK (amount > 0),
  -- What hold_oracle holds for this bid right now: the amount while open, the price while a won
  -- slot is scored, 0 once refunded, cancelled or paid out.
  held          bigint NOT NULL CHECK (held >= 0 AND held <= amount),
  status        text NOT NULL CHECK (status IN ('open', 'won', 'lost', 'cancelled', 'refunded')),
  -- When the bid took its current amount (an update re-places it): compared with the cutoff.
  placed_at     timestamptz NOT NULL DEFAULT now(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  closed_at     timestamptz,
  resolution_id text REFERENCES oracle_resolutions (id),
  -- 1-based position in the resolution's ranking; NULL for bids that were not eligible any more.
  rank          integer,
  -- What a winner pays (the highest losing bid, at least the minimum bid).
  price         bigint CHECK (price >= 0),
  CHECK ((status = 'open') = (closed_at IS NULL)),
  CHECK ((status IN ('open', 'cancelled')) = (resolution_id IS NULL)),
  CHECK (status <> 'open' OR held = amount),
  CHECK (status NOT IN ('lost', 'cancelled', 'refunded') OR held = 0),
  CHECK (status <> 'won' OR held <= price)
);
-- One open bid per bidder and artifact; a new bid on the same artifact updates it.
CREATE UNIQUE INDEX oracle_one_open_bid ON oracle_bids (bidder_id, artifact_id) WHERE status = 'open';
CREATE INDEX oracle_open_bids_idx ON oracle_bids (placed_at) WHERE status = 'open';
CREATE INDEX oracle_bids_resolution_idx ON oracle_bids (resolution_id, status) WHERE resolution_id IS NOT NULL;
CREATE INDEX oracle_bids_bidder_idx ON oracle_bids (bidder_id, artifact_id, id);

-- One row per won slot: the per-slot outcome. `state` moves once, from pending to minted or
-- refunded, in the same transaction as the slot's transfers (all slots of a resolution settle in
-- one transaction), so the mint and the refund of one slot exclude each other whatever is retried.
CREATE TABLE oracle_slots (
  resolution_id  text NOT NULL REFERENCES oracle_resolutions (id),
  slot           integer NOT NULL CHECK (slot > 0),
  bid_id         bigint NOT NULL UNIQUE REFERENCES oracle_bids (id),
  bidder_id      text NOT NULL,
  artifact_id    text NOT NULL,
  price          bigint NOT NULL CHECK (price >= 0),
  state          text NOT NULL CHECK (state IN ('pending', 'minted', 'refunded')),
  score          integer CHECK (score BETWEEN 0 AND 100),
  reason         text,
  error          text,
  minted         bigint NOT NULL DEFAULT 0 CHECK (minted >= 0),
  settled_at     timestamptz,
  PRIMARY KEY (resolution_id, slot),
  CHECK ((state = 'pending') = (settled_at IS NULL)),
  CHECK (state <> 'minted' OR score IS NOT NULL),
  CHECK (state <> 'refunded' OR minted = 0)
);

-- What `genesis_oracle.status` reports without calling Temporal (dispatch runs in a database
-- transaction): written at bootstrap from the schedule's description and after each resolution.
CREATE TABLE oracle_state (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  next_resolution_at timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
