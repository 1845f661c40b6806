-- The market for rights (SPEC section 8): a principal offers an amount of a quota, or of its compute
-- balance, for a scrip price. While an offer is open its amount is out of the seller's hands:
-- quotas are held by genesis_escrow (rows of quotas), compute balance by the offer row itself.
CREATE TABLE right_offers (
  id           bigserial PRIMARY KEY,
  seller_id    text NOT NULL REFERENCES artifacts (id),
  resource     text NOT NULL CHECK (resource IN ('compute_rate', 'compute_capacity', 'llm_token_rate', 'llm_token_capacity', 'disk_bytes', 'llm_dollars', 'compute')),
  amount       bigint NOT NULL CHECK (amount > 0),
  price        bigint NOT NULL CHECK (price > 0),
  buyer_id     text REFERENCES artifacts (id),
  status       text NOT NULL CHECK (status IN ('open', 'sold', 'cancelled')),
  purchaser_id text REFERENCES artifacts (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz
);
CREATE INDEX right_offers_open ON right_offers (id) WHERE status = 'open';
