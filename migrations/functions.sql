-- The CURRENT definition of every function, trigger function and view of the schema (no views yet).
--
-- Numbered migrations (NNN_name.sql) are append-only and hold the tables, columns, indexes and
-- triggers; this file is edited in place. `migrate` applies it after the numbered migrations, in the
-- same transaction and under the same lock, whenever its sha256 differs from the one it last
-- applied (table schema_functions), so every database, fresh or upgraded, runs the definitions
-- below. Hence CREATE OR REPLACE throughout (a change of a function's result type or arguments, or
-- of a view's columns other than adding some at the end, needs a DROP first, here). Older
-- migrations keep their historic CREATE FUNCTIONs; a new trigger's migration creates the first
-- version of its function itself (it must exist before the trigger), and the function then lives here.

-- Trigger function of the append-only tables (journal, events): no UPDATE, DELETE or TRUNCATE.
CREATE OR REPLACE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

-- src/buckets/math.ts settle(), in the same integers: whole units accrue, the time behind a fraction
-- of a unit is kept, a balance at or above capacity stops accruing. Returns (balance, updated_us).
-- Raises dispatch_transfer's hand-over when the product would exceed 2^53, where settle()'s
-- floating point could round differently.
CREATE OR REPLACE FUNCTION bucket_settle(balance bigint, updated_us bigint, rate bigint, capacity bigint, now_us bigint,
                              OUT settled_balance bigint, OUT settled_us bigint)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  elapsed bigint := greatest(0, now_us - updated_us);
  accrued bigint;
BEGIN
  IF rate <= 0 OR balance >= capacity THEN
    settled_balance := balance;
    settled_us := greatest(now_us, updated_us);
    RETURN;
  END IF;
  IF elapsed::numeric * rate > 9007199254740991 THEN
    RAISE EXCEPTION 'bucket arithmetic beyond 2^53' USING ERRCODE = 'EC001';
  END IF;
  accrued := (elapsed * rate) / 1000000;
  IF balance + accrued >= capacity THEN
    settled_balance := capacity;
    settled_us := now_us;
  ELSE
    settled_balance := balance + accrued;
    settled_us := updated_us + ceil((accrued * 1000000)::numeric / rate)::bigint;
  END IF;
END $$;

-- The usual case of a dispatched genesis_ledger.transfer in one call: the caller pays from its own
-- account, everything is in order, and the compute charge (a positive cost) leaves it out of debt. It writes exactly
-- what src/genesis/dispatch.ts writes for that case (the operation and its outcome, the journal
-- row, both balances, the `transfer` event, the compute charge's claim and
-- the bucket), in the same lock order, so one statement does what otherwise takes six round trips.
-- Anything else, it leaves to dispatch: it returns NULL when it wrote nothing, and raises SQLSTATE
-- 'EC001' (rolling back its statement) when it finds out after writing, or a unique violation when
-- the journal id or the charge's id is taken (ids that only a hand-made key collides with). dispatch then
-- runs the operation the general way, which gives the answer (a replay, a refusal, a typed error)
-- or, when nothing was wrong, the same writes. fastTransfer.test.ts holds the two paths to the same
-- results.
CREATE OR REPLACE FUNCTION dispatch_transfer(p_key text, p_caller text, p_to text, p_amount bigint, p_memo text,
                                  p_args jsonb, p_compute bigint, p_treasury text)
RETURNS bigint -- the journal row's seq
LANGUAGE plpgsql AS $$
DECLARE
  now_us bigint := (extract(epoch FROM now()) * 1000000)::bigint;
  entry_seq bigint;
  rate bigint;
  capacity bigint;
  charged bigint;
BEGIN
  IF p_caller = p_to OR p_amount <= 0 OR p_compute <= 0 THEN RETURN NULL; END IF;

  -- Only if the caller is a principal that may act and the payee one that may receive (genesis
  -- accounts only through their own operations, the treasury by donation): else dispatch's business.
  IF (SELECT count(*) FROM artifacts a
      WHERE a.id IN (p_caller, p_to) AND a.has_standing AND (NOT a.genesis OR a.id = p_treasury AND a.id = p_to)) <> 2 THEN
    RETURN NULL;
  END IF;

  -- Record the operation, finished (all of this rolls back if anything below hands over). No row:
  -- the key is used (a twin in flight is waited for here, as the general path waits for it);
  -- dispatch takes over.
  entry_seq := nextval('journal_seq_seq'::regclass);
  INSERT INTO operations (key, caller_id, artifact_id, method, args, ok, result)
    VALUES (p_key, p_caller, 'genesis_ledger', 'transfer', p_args, true, jsonb_build_object(
      'result', jsonb_build_object('transfer_id', p_key, 'seq', entry_seq, 'from', p_caller, 'to', p_to, 'asset', 'scrip',
                                   'amount', p_amount, 'replayed', false),
      'compute_charged', p_compute))
    ON CONFLICT (key) DO NOTHING;
  IF NOT FOUND THEN RETURN NULL; END IF;

  -- Both balances, in id order as the ledger locks them (each UPDATE locks its row), before the
  -- journal row's foreign keys take their KEY SHARE locks on them, as in the ledger's statement.
  -- A missing account or too little scrip: dispatch's business.
  IF p_to < p_caller THEN
    UPDATE accounts SET balance = balance + p_amount WHERE principal_id = p_to AND asset = 'scrip';
    IF NOT FOUND THEN RAISE EXCEPTION 'no scrip account' USING ERRCODE = 'EC001'; END IF;
  END IF;
  UPDATE accounts SET balance = balance - p_amount WHERE principal_id = p_caller AND asset = 'scrip' AND balance >= p_amount;
  IF NOT FOUND THEN RAISE EXCEPTION 'no scrip account or too little scrip' USING ERRCODE = 'EC001'; END IF;
  IF p_to > p_caller THEN
    UPDATE accounts SET balance = balance + p_amount WHERE principal_id = p_to AND asset = 'scrip';
    IF NOT FOUND THEN RAISE EXCEPTION 'no scrip account' USING ERRCODE = 'EC001'; END IF;
  END IF;
  INSERT INTO journal (seq, id, debit_principal, credit_principal, asset, amount, kind, memo)
    VALUES (entry_seq, p_key, p_caller, p_to, 'scrip', p_amount, 'transfer', p_memo);
  INSERT INTO events (type, actor_id, subject_id, data)
    VALUES ('transfer', p_caller, p_to, jsonb_build_object('transfer_id', p_key, 'from', p_caller, 'to', p_to, 'asset', 'scrip',
                                                           'amount', p_amount, 'kind', 'transfer', 'reference', NULL));

  -- The compute charge: the bucket brought forward at the caller's rights, less the charge. The
  -- rights are read again once the bucket is locked: a change of rights settles the bucket first,
  -- so a change that committed while this waited for the lock shows there, and dispatch takes over.
  UPDATE buckets bk SET (balance, updated_at) = (
      SELECT st.settled_balance - p_compute, 'epoch'::timestamptz + st.settled_us * interval '1 microsecond'
      FROM bucket_settle(bk.balance, (extract(epoch FROM bk.updated_at) * 1000000)::bigint, r.rate, r.capacity, now_us) st)
    FROM (SELECT COALESCE(max(q.amount) FILTER (WHERE q.resource = 'compute_rate'), 0) AS rate,
                 COALESCE(max(q.amount) FILTER (WHERE q.resource = 'compute_capacity'), 0) AS capacity
          FROM quotas q WHERE q.principal_id = p_caller AND q.resource IN ('compute_rate', 'compute_capacity')) r
    WHERE bk.principal_id = p_caller AND bk.resource = 'compute'
    RETURNING bk.balance, r.rate, r.capacity INTO charged, rate, capacity;
  -- No bucket; in debt already (dispatch refuses); or the charge makes it so (its view then needs a
  -- recovery time): dispatch's business.
  IF charged IS NULL OR charged < 0 THEN RAISE EXCEPTION 'compute debt' USING ERRCODE = 'EC001'; END IF;
  IF (SELECT COALESCE(max(q.amount) FILTER (WHERE q.resource = 'compute_rate'), 0) <> rate
          OR COALESCE(max(q.amount) FILTER (WHERE q.resource = 'compute_capacity'), 0) <> capacity
      FROM quotas q WHERE q.principal_id = p_caller AND q.resource IN ('compute_rate', 'compute_capacity')) THEN
    RAISE EXCEPTION 'rights changed' USING ERRCODE = 'EC001';
  END IF;
  INSERT INTO resource_effects (id, kind, payload, result) VALUES (
    p_key || ':compute', 'spend:compute',
    jsonb_build_object('id', p_key || ':compute', 'principal', p_caller, 'resource', 'compute', 'amount', p_compute, 'kind', 'genesis_ledger.transfer'),
    jsonb_build_object('principal', p_caller, 'resource', 'compute', 'available', charged,
                       'rate', rate, 'capacity', capacity, 'in_debt', false, 'recovers_at', NULL));
  RETURN entry_seq;
END $$;
