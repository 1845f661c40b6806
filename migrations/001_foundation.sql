-- The economy's foundation: artifacts, the double-entry scrip ledger, token buckets, quotas,
-- idempotent operations, escrow, debt contracts and the event log.

CREATE TABLE artifacts (
  id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.:-]{1,128}$'),
  type               text NOT NULL CHECK (length(type) BETWEEN 1 AND 64),
  content            jsonb NOT NULL DEFAULT '{}'::jsonb,
  code               text,
  owner_id           text NOT NULL REFERENCES artifacts (id) DEFERRABLE INITIALLY DEFERRED,
  access_contract_id text NOT NULL REFERENCES artifacts (id) DEFERRABLE INITIALLY DEFERRED,
  has_standing       boolean NOT NULL DEFAULT false,
  can_execute        boolean NOT NULL DEFAULT false,
  price              bigint NOT NULL DEFAULT 0 CHECK (price >= 0),
  size_bytes         bigint NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
  -- Genesis artifacts are system services and accounts: readable and invocable, never modifiable.
  genesis            boolean NOT NULL DEFAULT false,
  -- Set when a genesis service owns the content (debt contracts): owners may trade, never edit.
  managed_by         text,
  created_by         text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artifacts_owner_idx ON artifacts (owner_id, id);
CREATE INDEX artifacts_type_idx ON artifacts (type, id);

-- Balances per principal and asset; balance = credits - debits of the journal.
CREATE TABLE accounts (
  principal_id text NOT NULL REFERENCES artifacts (id),
  asset        text NOT NULL,
  balance      bigint NOT NULL DEFAULT 0,
  is_system    boolean NOT NULL DEFAULT false,
  PRIMARY KEY (principal_id, asset),
  CONSTRAINT non_system_balance_non_negative CHECK (is_system OR balance >= 0)
);

-- Append-only journal. `id` is the caller-made idempotency key of the transfer.
CREATE TABLE journal (
  seq              bigserial UNIQUE,
  id               text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 300),
  debit_principal  text NOT NULL,
  credit_principal text NOT NULL,
  asset            text NOT NULL,
  amount           bigint NOT NULL CHECK (amount > 0),
  kind             text NOT NULL,
  reference        text,
  memo             text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (debit_principal, asset) REFERENCES accounts (principal_id, asset),
  FOREIGN KEY (credit_principal, asset) REFERENCES accounts (principal_id, asset),
  CHECK (debit_principal <> credit_principal)
);
CREATE INDEX journal_debit_idx ON journal (debit_principal, seq);
CREATE INDEX journal_credit_idx ON journal (credit_principal, seq);

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal
  FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Results of dispatched operations, keyed by the caller-made idempotency key.
CREATE TABLE operations (
  key         text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 256),
  caller_id   text NOT NULL,
  artifact_id text NOT NULL,
  method      text NOT NULL,
  args        jsonb NOT NULL,
  ok          boolean NOT NULL,
  result      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Rights registry: rates, capacities and stocks each principal holds.
CREATE TABLE quotas (
  principal_id text NOT NULL REFERENCES artifacts (id),
  resource     text NOT NULL,
  amount       bigint NOT NULL CHECK (amount >= 0),
  PRIMARY KEY (principal_id, resource)
);

-- Token buckets (compute, llm_tokens). available = min(capacity, balance + rate * elapsed);
-- balance may be negative (debt).
CREATE TABLE buckets (
  principal_id text NOT NULL REFERENCES artifacts (id),
  resource     text NOT NULL,
  balance      bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (principal_id, resource)
);

-- Idempotency record of every bucket effect (charges, grants, transfers) and quota transfer.
CREATE TABLE resource_effects (
  id         text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 300),
  kind       text NOT NULL,
  payload    jsonb NOT NULL,
  result     jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE escrow_listings (
  id           bigserial PRIMARY KEY,
  artifact_id  text NOT NULL REFERENCES artifacts (id),
  seller_id    text NOT NULL REFERENCES artifacts (id),
  price        bigint NOT NULL CHECK (price > 0),
  buyer_id     text REFERENCES artifacts (id),
  status       text NOT NULL CHECK (status IN ('open', 'sold', 'cancelled')),
  purchaser_id text REFERENCES artifacts (id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  closed_at    timestamptz
);
CREATE UNIQUE INDEX escrow_one_open_listing ON escrow_listings (artifact_id) WHERE status = 'open';

CREATE TABLE debts (
  id          text PRIMARY KEY REFERENCES artifacts (id),
  debtor_id   text NOT NULL REFERENCES artifacts (id),
  creditor_id text NOT NULL REFERENCES artifacts (id),
  amount      bigint NOT NULL CHECK (amount > 0),
  repaid      bigint NOT NULL DEFAULT 0 CHECK (repaid >= 0 AND repaid <= amount),
  due         timestamptz NOT NULL,
  status      text NOT NULL CHECK (status IN ('offered', 'active', 'repaid')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz
);

-- Every state change emits a typed event in the same transaction.
CREATE TABLE events (
  seq        bigserial PRIMARY KEY,
  type       text NOT NULL,
  actor_id   text,
  subject_id text,
  data       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_type_idx ON events (type, seq);
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
