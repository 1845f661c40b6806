-- Followers of the event log (the event relay, the dashboard, `ecology events --follow`) read it by
-- polling in transaction order (src/events/follow.ts) instead of hearing a NOTIFY per event: the
-- notifications went through the server's one notification queue at every commit, and were the
-- ledger's largest cost. `xid` is the id of the transaction that wrote the row. Every row whose
-- xid is below the oldest transaction still running is final (that transaction and all older ones
-- have ended), so a follower that reads up to there in (xid, seq) order misses and repeats nothing,
-- whatever order the transactions committed in.
ALTER TABLE events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_xid_idx ON events (xid, seq);

-- dispatch_transfer of 008 without its notification (and so without the channel argument), and
-- with the operation recorded once, already finished, instead of recorded first and updated last:
-- the journal row's seq is drawn first so that the result can name it.
DROP FUNCTION dispatch_transfer(text, text, text, bigint, text, jsonb, bigint, text, text);
CREATE FUNCTION dispatch_transfer(p_key text, p_caller text, p_to text, p_amount bigint, p_memo text,
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
