--
-- PostgreSQL database dump
--

--
-- Name: bucket_settle(bigint, bigint, bigint, bigint, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.bucket_settle(balance bigint, updated_us bigint, rate bigint, capacity bigint, now_us bigint, OUT settled_balance bigint, OUT settled_us bigint) RETURNS record
    LANGUAGE plpgsql IMMUTABLE
    AS $$
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

--
-- Name: dispatch_transfer(text, text, text, bigint, text, jsonb, bigint, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.dispatch_transfer(p_key text, p_caller text, p_to text, p_amount bigint, p_memo text, p_args jsonb, p_compute bigint, p_treasury text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: forbid_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.forbid_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

--
-- Name: accounts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.accounts (
    principal_id text NOT NULL,
    asset text NOT NULL,
    balance bigint DEFAULT 0 NOT NULL,
    is_system boolean DEFAULT false NOT NULL,
    CONSTRAINT non_system_balance_non_negative CHECK ((is_system OR (balance >= 0)))
);

--
-- Name: agent_actions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_actions (
    key text NOT NULL,
    agent_id text NOT NULL,
    iteration bigint NOT NULL,
    status text NOT NULL,
    attempt integer DEFAULT 0 NOT NULL,
    prompt jsonb,
    llm_key text,
    action_type text,
    action jsonb,
    reasoning text,
    raw_output text,
    error jsonb,
    result jsonb,
    summary text,
    cost_micros bigint DEFAULT 0 NOT NULL,
    tokens integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    thought_at timestamp with time zone,
    acted_at timestamp with time zone,
    CONSTRAINT agent_actions_attempt_check CHECK ((attempt >= 0)),
    CONSTRAINT agent_actions_cost_micros_check CHECK ((cost_micros >= 0)),
    CONSTRAINT agent_actions_iteration_check CHECK ((iteration >= 0)),
    CONSTRAINT agent_actions_key_check CHECK (((length(key) >= 1) AND (length(key) <= 256))),
    CONSTRAINT agent_actions_status_check CHECK ((status = ANY (ARRAY['thinking'::text, 'ready'::text, 'invalid'::text, 'done'::text, 'failed'::text]))),
    CONSTRAINT agent_actions_tokens_check CHECK ((tokens >= 0))
);

--
-- Name: agent_runs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_runs (
    agent_id text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    stopped_at timestamp with time zone,
    stop_reason text
);

--
-- Name: agent_subscriptions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.agent_subscriptions (
    key text NOT NULL,
    agent_id text NOT NULL,
    event_type text NOT NULL,
    after_seq bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT agent_subscriptions_key_check CHECK (((length(key) >= 1) AND (length(key) <= 256)))
);

--
-- Name: artifacts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.artifacts (
    id text NOT NULL,
    type text NOT NULL,
    content jsonb DEFAULT '{}'::jsonb NOT NULL,
    code text,
    owner_id text NOT NULL,
    access_contract_id text NOT NULL,
    has_standing boolean DEFAULT false NOT NULL,
    can_execute boolean DEFAULT false NOT NULL,
    price bigint DEFAULT 0 NOT NULL,
    size_bytes bigint DEFAULT 0 NOT NULL,
    genesis boolean DEFAULT false NOT NULL,
    managed_by text,
    created_by text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT artifacts_id_check CHECK ((id ~ '^[A-Za-z0-9_.-]{1,128}$'::text)),
    CONSTRAINT artifacts_price_check CHECK ((price >= 0)),
    CONSTRAINT artifacts_size_bytes_check CHECK ((size_bytes >= 0)),
    CONSTRAINT artifacts_type_check CHECK (((length(type) >= 1) AND (length(type) <= 64)))
);

--
-- Name: bounties; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bounties (
    id text NOT NULL,
    poster text NOT NULL,
    description text NOT NULL,
    checker_id text NOT NULL,
    reward bigint NOT NULL,
    deadline timestamp with time zone NOT NULL,
    mode text NOT NULL,
    status text NOT NULL,
    winner text,
    winning_artifact text,
    score integer,
    post_key text NOT NULL,
    posted_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    checker_code_hash text,
    CONSTRAINT bounties_check CHECK (((status = 'open'::text) = (closed_at IS NULL))),
    CONSTRAINT bounties_check1 CHECK (((status = 'solved'::text) = (winner IS NOT NULL))),
    CONSTRAINT bounties_mode_check CHECK ((mode = ANY (ARRAY['first'::text, 'best'::text]))),
    CONSTRAINT bounties_reward_check CHECK ((reward > 0)),
    CONSTRAINT bounties_status_check CHECK ((status = ANY (ARRAY['open'::text, 'solved'::text, 'refunded'::text, 'cancelled'::text])))
);

--
-- Name: bounty_submissions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.bounty_submissions (
    id bigint NOT NULL,
    bounty_id text NOT NULL,
    submitter text NOT NULL,
    artifact_id text NOT NULL,
    submit_key text NOT NULL,
    check_key text NOT NULL,
    status text NOT NULL,
    score integer,
    cpu_ms bigint DEFAULT 0 NOT NULL,
    error_code text,
    submitted_at timestamp with time zone DEFAULT now() NOT NULL,
    checked_at timestamp with time zone,
    CONSTRAINT bounty_submissions_status_check CHECK ((status = ANY (ARRAY['checking'::text, 'passed'::text, 'failed'::text, 'late'::text])))
);

--
-- Name: bounty_submissions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.bounty_submissions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: bounty_submissions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.bounty_submissions_id_seq OWNED BY public.bounty_submissions.id;

--
-- Name: buckets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.buckets (
    principal_id text NOT NULL,
    resource text NOT NULL,
    balance bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: contract_checks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.contract_checks (
    id text NOT NULL,
    contract_id text NOT NULL,
    requester_id text NOT NULL,
    action text NOT NULL,
    target_id text NOT NULL,
    allowed boolean NOT NULL,
    cpu_ms bigint NOT NULL,
    error jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT contract_checks_cpu_ms_check CHECK ((cpu_ms >= 0)),
    CONSTRAINT contract_checks_id_check CHECK (((length(id) >= 1) AND (length(id) <= 256)))
);

--
-- Name: debts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.debts (
    id text NOT NULL,
    debtor_id text NOT NULL,
    creditor_id text NOT NULL,
    amount bigint NOT NULL,
    repaid bigint DEFAULT 0 NOT NULL,
    due timestamp with time zone NOT NULL,
    status text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    accepted_at timestamp with time zone,
    CONSTRAINT debts_amount_check CHECK ((amount > 0)),
    CONSTRAINT debts_check CHECK (((repaid >= 0) AND (repaid <= amount))),
    CONSTRAINT debts_status_check CHECK ((status = ANY (ARRAY['offered'::text, 'active'::text, 'repaid'::text])))
);

--
-- Name: escrow_listings; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.escrow_listings (
    id bigint NOT NULL,
    artifact_id text NOT NULL,
    seller_id text NOT NULL,
    price bigint NOT NULL,
    buyer_id text,
    status text NOT NULL,
    purchaser_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT escrow_listings_price_check CHECK ((price > 0)),
    CONSTRAINT escrow_listings_status_check CHECK ((status = ANY (ARRAY['open'::text, 'sold'::text, 'cancelled'::text])))
);

--
-- Name: escrow_listings_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.escrow_listings_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: escrow_listings_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.escrow_listings_id_seq OWNED BY public.escrow_listings.id;

--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    seq bigint NOT NULL,
    type text NOT NULL,
    actor_id text,
    subject_id text,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    xid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    audience text
);

--
-- Name: events_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.events_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: events_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.events_seq_seq OWNED BY public.events.seq;

--
-- Name: invocations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invocations (
    key text NOT NULL,
    invoker_id text NOT NULL,
    artifact_id text NOT NULL,
    method text NOT NULL,
    args jsonb NOT NULL,
    depth integer NOT NULL,
    owner_id text,
    payee_id text,
    payer_id text,
    price bigint DEFAULT 0 NOT NULL,
    held bigint DEFAULT 0 NOT NULL,
    status text NOT NULL,
    run_result jsonb,
    cpu_ms bigint DEFAULT 0 NOT NULL,
    error jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ran_at timestamp with time zone,
    settled_at timestamp with time zone,
    max_price bigint,
    expected_code_hash text,
    code_hash text,
    grant_chain text[],
    parent_chain text[],
    allowance_scrip bigint DEFAULT 0 NOT NULL,
    allowance_compute bigint DEFAULT 0 NOT NULL,
    allowance_llm_micros bigint DEFAULT 0 NOT NULL,
    allow_methods text[] DEFAULT '{}'::text[] NOT NULL,
    spent_scrip bigint DEFAULT 0 NOT NULL,
    spent_compute bigint DEFAULT 0 NOT NULL,
    spent_llm_micros bigint DEFAULT 0 NOT NULL,
    compute_reserved bigint DEFAULT 0 NOT NULL,
    container_account text,
    CONSTRAINT invocations_allowance_compute_check CHECK ((allowance_compute >= 0)),
    CONSTRAINT invocations_allowance_llm_micros_check CHECK ((allowance_llm_micros >= 0)),
    CONSTRAINT invocations_allowance_scrip_check CHECK ((allowance_scrip >= 0)),
    CONSTRAINT invocations_check CHECK (((status = 'held'::text) OR (held = 0))),
    CONSTRAINT invocations_compute_reserved_check CHECK ((compute_reserved >= 0)),
    CONSTRAINT invocations_cpu_ms_check CHECK ((cpu_ms >= 0)),
    CONSTRAINT invocations_depth_check CHECK ((depth >= 0)),
    CONSTRAINT invocations_held_check CHECK ((held >= 0)),
    CONSTRAINT invocations_key_check CHECK (((length(key) >= 1) AND (length(key) <= 256))),
    CONSTRAINT invocations_max_price_check CHECK ((max_price >= 0)),
    CONSTRAINT invocations_price_check CHECK ((price >= 0)),
    CONSTRAINT invocations_status_check CHECK ((status = ANY (ARRAY['held'::text, 'paid'::text, 'refunded'::text, 'rejected'::text])))
);

--
-- Name: journal; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.journal (
    seq bigint NOT NULL,
    id text NOT NULL,
    debit_principal text NOT NULL,
    credit_principal text NOT NULL,
    asset text NOT NULL,
    amount bigint NOT NULL,
    kind text NOT NULL,
    reference text,
    memo text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT journal_amount_check CHECK ((amount > 0)),
    CONSTRAINT journal_check CHECK ((debit_principal <> credit_principal)),
    CONSTRAINT journal_id_check CHECK (((length(id) >= 1) AND (length(id) <= 300)))
);

--
-- Name: journal_seq_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.journal_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: journal_seq_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.journal_seq_seq OWNED BY public.journal.seq;

--
-- Name: llm_abandoned_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_abandoned_attempts (
    key text NOT NULL,
    attempt integer NOT NULL,
    payer_id text,
    cost_micros bigint NOT NULL,
    tokens bigint NOT NULL,
    reason text NOT NULL,
    charged_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT llm_abandoned_attempts_attempt_check CHECK ((attempt > 0)),
    CONSTRAINT llm_abandoned_attempts_cost_micros_check CHECK ((cost_micros >= 0)),
    CONSTRAINT llm_abandoned_attempts_tokens_check CHECK ((tokens >= 0))
);

--
-- Name: llm_budget; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_budget (
    id boolean DEFAULT true NOT NULL,
    budget_micros bigint NOT NULL,
    reserved_micros bigint DEFAULT 0 NOT NULL,
    spent_micros bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT llm_budget_budget_micros_check CHECK ((budget_micros >= 0)),
    CONSTRAINT llm_budget_id_check CHECK (id),
    CONSTRAINT llm_budget_reserved_micros_check CHECK ((reserved_micros >= 0)),
    CONSTRAINT llm_budget_spent_micros_check CHECK ((spent_micros >= 0))
);

--
-- Name: llm_calls; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_calls (
    key text NOT NULL,
    payer_id text,
    purpose text,
    model text NOT NULL,
    status text NOT NULL,
    worst_case_micros bigint NOT NULL,
    reserved_micros bigint DEFAULT 0 NOT NULL,
    max_tokens integer NOT NULL,
    prompt_tokens integer DEFAULT 0 NOT NULL,
    completion_tokens integer DEFAULT 0 NOT NULL,
    usage_estimated boolean DEFAULT false NOT NULL,
    cost_micros bigint DEFAULT 0 NOT NULL,
    latency_ms integer,
    attempts integer DEFAULT 0 NOT NULL,
    owner_token text,
    finish_reason text,
    content text,
    error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    reserved_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    worst_case_tokens bigint DEFAULT 0 NOT NULL,
    cached_tokens integer DEFAULT 0 NOT NULL,
    reasoning_tokens integer DEFAULT 0 NOT NULL,
    compute_ms bigint DEFAULT 0 NOT NULL,
    usage_details jsonb,
    CONSTRAINT llm_calls_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT llm_calls_cached_tokens_check CHECK ((cached_tokens >= 0)),
    CONSTRAINT llm_calls_cached_within_prompt CHECK ((cached_tokens <= prompt_tokens)),
    CONSTRAINT llm_calls_check CHECK (((status <> 'reserved'::text) OR (finished_at IS NULL))),
    CONSTRAINT llm_calls_check1 CHECK (((status = 'reserved'::text) OR (reserved_micros = 0))),
    CONSTRAINT llm_calls_completion_tokens_check CHECK ((completion_tokens >= 0)),
    CONSTRAINT llm_calls_compute_ms_check CHECK ((compute_ms >= 0)),
    CONSTRAINT llm_calls_cost_micros_check CHECK ((cost_micros >= 0)),
    CONSTRAINT llm_calls_key_check CHECK (((length(key) >= 1) AND (length(key) <= 256))),
    CONSTRAINT llm_calls_max_tokens_check CHECK ((max_tokens > 0)),
    CONSTRAINT llm_calls_prompt_tokens_check CHECK ((prompt_tokens >= 0)),
    CONSTRAINT llm_calls_reasoning_tokens_check CHECK ((reasoning_tokens >= 0)),
    CONSTRAINT llm_calls_reserved_micros_check CHECK ((reserved_micros >= 0)),
    CONSTRAINT llm_calls_status_check CHECK ((status = ANY (ARRAY['reserved'::text, 'succeeded'::text, 'failed'::text]))),
    CONSTRAINT llm_calls_worst_case_micros_check CHECK ((worst_case_micros >= 0)),
    CONSTRAINT llm_calls_worst_case_tokens_check CHECK ((worst_case_tokens >= 0))
);

--
-- Name: llm_rate_limit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.llm_rate_limit (
    id boolean DEFAULT true NOT NULL,
    requests double precision NOT NULL,
    tokens double precision NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT llm_rate_limit_id_check CHECK (id)
);

--
-- Name: metrics_windows; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.metrics_windows (
    window_start timestamp with time zone NOT NULL,
    window_end timestamp with time zone NOT NULL,
    actions integer NOT NULL,
    compute_spent bigint NOT NULL,
    llm_cost_micros bigint NOT NULL,
    llm_cost_total_micros bigint NOT NULL,
    scrip_supply bigint NOT NULL,
    minted bigint NOT NULL,
    transfer_count integer NOT NULL,
    transfer_volume bigint NOT NULL,
    artifacts_created integer NOT NULL,
    oracle_resolutions integer NOT NULL,
    principals_in_debt integer NOT NULL,
    data jsonb NOT NULL,
    computed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT metrics_windows_actions_check CHECK ((actions >= 0)),
    CONSTRAINT metrics_windows_artifacts_created_check CHECK ((artifacts_created >= 0)),
    CONSTRAINT metrics_windows_check CHECK ((window_end > window_start)),
    CONSTRAINT metrics_windows_compute_spent_check CHECK ((compute_spent >= 0)),
    CONSTRAINT metrics_windows_llm_cost_micros_check CHECK ((llm_cost_micros >= 0)),
    CONSTRAINT metrics_windows_llm_cost_total_micros_check CHECK ((llm_cost_total_micros >= 0)),
    CONSTRAINT metrics_windows_minted_check CHECK ((minted >= 0)),
    CONSTRAINT metrics_windows_oracle_resolutions_check CHECK ((oracle_resolutions >= 0)),
    CONSTRAINT metrics_windows_principals_in_debt_check CHECK ((principals_in_debt >= 0)),
    CONSTRAINT metrics_windows_transfer_count_check CHECK ((transfer_count >= 0)),
    CONSTRAINT metrics_windows_transfer_volume_check CHECK ((transfer_volume >= 0))
);

--
-- Name: operations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.operations (
    key text NOT NULL,
    caller_id text NOT NULL,
    artifact_id text NOT NULL,
    method text NOT NULL,
    args jsonb NOT NULL,
    ok boolean NOT NULL,
    result jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT operations_key_check CHECK (((length(key) >= 1) AND (length(key) <= 256)))
);

--
-- Name: oracle_bids; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oracle_bids (
    id bigint NOT NULL,
    bidder_id text NOT NULL,
    artifact_id text NOT NULL,
    amount bigint NOT NULL,
    held bigint NOT NULL,
    status text NOT NULL,
    placed_at timestamp with time zone DEFAULT now() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    resolution_id text,
    rank integer,
    price bigint,
    CONSTRAINT oracle_bids_amount_check CHECK ((amount > 0)),
    CONSTRAINT oracle_bids_check CHECK (((held >= 0) AND (held <= amount))),
    CONSTRAINT oracle_bids_check1 CHECK (((status = 'open'::text) = (closed_at IS NULL))),
    CONSTRAINT oracle_bids_check2 CHECK (((status = ANY (ARRAY['open'::text, 'cancelled'::text])) = (resolution_id IS NULL))),
    CONSTRAINT oracle_bids_check3 CHECK (((status <> 'open'::text) OR (held = amount))),
    CONSTRAINT oracle_bids_check4 CHECK (((status <> ALL (ARRAY['lost'::text, 'cancelled'::text, 'refunded'::text])) OR (held = 0))),
    CONSTRAINT oracle_bids_check5 CHECK (((status <> 'won'::text) OR (held <= price))),
    CONSTRAINT oracle_bids_price_check CHECK ((price >= 0)),
    CONSTRAINT oracle_bids_status_check CHECK ((status = ANY (ARRAY['open'::text, 'won'::text, 'lost'::text, 'cancelled'::text, 'refunded'::text])))
);

--
-- Name: oracle_bids_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oracle_bids_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: oracle_bids_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oracle_bids_id_seq OWNED BY public.oracle_bids.id;

--
-- Name: oracle_resolutions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oracle_resolutions (
    id text NOT NULL,
    scheduled_at timestamp with time zone NOT NULL,
    cutoff timestamp with time zone NOT NULL,
    status text NOT NULL,
    slots integer NOT NULL,
    min_bid bigint NOT NULL,
    mint_ratio bigint NOT NULL,
    seed text NOT NULL,
    bid_count integer NOT NULL,
    results jsonb,
    ubi_total bigint DEFAULT 0 NOT NULL,
    ubi_agents integer DEFAULT 0 NOT NULL,
    ubi_per_agent bigint DEFAULT 0 NOT NULL,
    ubi_remainder bigint DEFAULT 0 NOT NULL,
    opened_at timestamp with time zone DEFAULT now() NOT NULL,
    settled_at timestamp with time zone,
    resolved_at timestamp with time zone,
    CONSTRAINT oracle_resolutions_bid_count_check CHECK ((bid_count >= 0)),
    CONSTRAINT oracle_resolutions_check CHECK (((status = 'resolved'::text) = (resolved_at IS NOT NULL))),
    CONSTRAINT oracle_resolutions_id_check CHECK ((id ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$'::text)),
    CONSTRAINT oracle_resolutions_min_bid_check CHECK ((min_bid > 0)),
    CONSTRAINT oracle_resolutions_mint_ratio_check CHECK ((mint_ratio > 0)),
    CONSTRAINT oracle_resolutions_slots_check CHECK ((slots > 0)),
    CONSTRAINT oracle_resolutions_status_check CHECK ((status = ANY (ARRAY['scoring'::text, 'resolved'::text]))),
    CONSTRAINT oracle_resolutions_ubi_agents_check CHECK ((ubi_agents >= 0)),
    CONSTRAINT oracle_resolutions_ubi_per_agent_check CHECK ((ubi_per_agent >= 0)),
    CONSTRAINT oracle_resolutions_ubi_remainder_check CHECK ((ubi_remainder >= 0)),
    CONSTRAINT oracle_resolutions_ubi_total_check CHECK ((ubi_total >= 0))
);

--
-- Name: oracle_slots; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oracle_slots (
    resolution_id text NOT NULL,
    slot integer NOT NULL,
    bid_id bigint NOT NULL,
    bidder_id text NOT NULL,
    artifact_id text NOT NULL,
    price bigint NOT NULL,
    state text NOT NULL,
    score integer,
    reason text,
    error text,
    minted bigint DEFAULT 0 NOT NULL,
    settled_at timestamp with time zone,
    CONSTRAINT oracle_slots_check CHECK (((state = 'pending'::text) = (settled_at IS NULL))),
    CONSTRAINT oracle_slots_check1 CHECK (((state <> 'minted'::text) OR (score IS NOT NULL))),
    CONSTRAINT oracle_slots_check2 CHECK (((state <> 'refunded'::text) OR (minted = 0))),
    CONSTRAINT oracle_slots_minted_check CHECK ((minted >= 0)),
    CONSTRAINT oracle_slots_price_check CHECK ((price >= 0)),
    CONSTRAINT oracle_slots_score_check CHECK (((score >= 0) AND (score <= 100))),
    CONSTRAINT oracle_slots_slot_check CHECK ((slot > 0)),
    CONSTRAINT oracle_slots_state_check CHECK ((state = ANY (ARRAY['pending'::text, 'minted'::text, 'refunded'::text])))
);

--
-- Name: oracle_state; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oracle_state (
    id boolean DEFAULT true NOT NULL,
    next_resolution_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT oracle_state_id_check CHECK (id)
);

--
-- Name: quota_issued; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quota_issued (
    resource text NOT NULL,
    amount bigint NOT NULL
);

--
-- Name: quotas; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quotas (
    principal_id text NOT NULL,
    resource text NOT NULL,
    amount bigint NOT NULL,
    CONSTRAINT quotas_amount_check CHECK ((amount >= 0))
);

--
-- Name: resource_effects; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.resource_effects (
    id text NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    result jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT resource_effects_id_check CHECK (((length(id) >= 1) AND (length(id) <= 300)))
);

--
-- Name: right_offers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.right_offers (
    id bigint NOT NULL,
    seller_id text NOT NULL,
    resource text NOT NULL,
    amount bigint NOT NULL,
    price bigint NOT NULL,
    buyer_id text,
    status text NOT NULL,
    purchaser_id text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    closed_at timestamp with time zone,
    CONSTRAINT right_offers_amount_check CHECK ((amount > 0)),
    CONSTRAINT right_offers_price_check CHECK ((price > 0)),
    CONSTRAINT right_offers_resource_check CHECK ((resource = ANY (ARRAY['compute_rate'::text, 'compute_capacity'::text, 'llm_token_rate'::text, 'llm_token_capacity'::text, 'disk_bytes'::text, 'llm_dollars'::text, 'compute'::text]))),
    CONSTRAINT right_offers_status_check CHECK ((status = ANY (ARRAY['open'::text, 'sold'::text, 'cancelled'::text])))
);

--
-- Name: right_offers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.right_offers_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: right_offers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.right_offers_id_seq OWNED BY public.right_offers.id;

--
-- Name: schema_functions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_functions (
    file text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    checksum text
);

--
-- Name: world_identity; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.world_identity (
    singleton boolean DEFAULT true NOT NULL,
    world_id text DEFAULT (gen_random_uuid())::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT world_identity_singleton_check CHECK (singleton)
);

--
-- Name: bounty_submissions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounty_submissions ALTER COLUMN id SET DEFAULT nextval('public.bounty_submissions_id_seq'::regclass);

--
-- Name: escrow_listings id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.escrow_listings ALTER COLUMN id SET DEFAULT nextval('public.escrow_listings_id_seq'::regclass);

--
-- Name: events seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events ALTER COLUMN seq SET DEFAULT nextval('public.events_seq_seq'::regclass);

--
-- Name: journal seq; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal ALTER COLUMN seq SET DEFAULT nextval('public.journal_seq_seq'::regclass);

--
-- Name: oracle_bids id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_bids ALTER COLUMN id SET DEFAULT nextval('public.oracle_bids_id_seq'::regclass);

--
-- Name: right_offers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.right_offers ALTER COLUMN id SET DEFAULT nextval('public.right_offers_id_seq'::regclass);

--
-- Name: accounts accounts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (principal_id, asset);

--
-- Name: agent_actions agent_actions_agent_id_iteration_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_actions
    ADD CONSTRAINT agent_actions_agent_id_iteration_key UNIQUE (agent_id, iteration);

--
-- Name: agent_actions agent_actions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_actions
    ADD CONSTRAINT agent_actions_pkey PRIMARY KEY (key);

--
-- Name: agent_runs agent_runs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_runs
    ADD CONSTRAINT agent_runs_pkey PRIMARY KEY (agent_id);

--
-- Name: agent_subscriptions agent_subscriptions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_subscriptions
    ADD CONSTRAINT agent_subscriptions_pkey PRIMARY KEY (key);

--
-- Name: artifacts artifacts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_pkey PRIMARY KEY (id);

--
-- Name: bounties bounties_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounties
    ADD CONSTRAINT bounties_pkey PRIMARY KEY (id);

--
-- Name: bounty_submissions bounty_submissions_check_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounty_submissions
    ADD CONSTRAINT bounty_submissions_check_key_key UNIQUE (check_key);

--
-- Name: bounty_submissions bounty_submissions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounty_submissions
    ADD CONSTRAINT bounty_submissions_pkey PRIMARY KEY (id);

--
-- Name: bounty_submissions bounty_submissions_submit_key_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounty_submissions
    ADD CONSTRAINT bounty_submissions_submit_key_key UNIQUE (submit_key);

--
-- Name: buckets buckets_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buckets
    ADD CONSTRAINT buckets_pkey PRIMARY KEY (principal_id, resource);

--
-- Name: contract_checks contract_checks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.contract_checks
    ADD CONSTRAINT contract_checks_pkey PRIMARY KEY (id);

--
-- Name: debts debts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.debts
    ADD CONSTRAINT debts_pkey PRIMARY KEY (id);

--
-- Name: escrow_listings escrow_listings_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.escrow_listings
    ADD CONSTRAINT escrow_listings_pkey PRIMARY KEY (id);

--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (seq);

--
-- Name: invocations invocations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invocations
    ADD CONSTRAINT invocations_pkey PRIMARY KEY (key);

--
-- Name: journal journal_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal
    ADD CONSTRAINT journal_pkey PRIMARY KEY (id);

--
-- Name: journal journal_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal
    ADD CONSTRAINT journal_seq_key UNIQUE (seq);

--
-- Name: llm_abandoned_attempts llm_abandoned_attempts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_abandoned_attempts
    ADD CONSTRAINT llm_abandoned_attempts_pkey PRIMARY KEY (key, attempt);

--
-- Name: llm_budget llm_budget_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_budget
    ADD CONSTRAINT llm_budget_pkey PRIMARY KEY (id);

--
-- Name: llm_calls llm_calls_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_calls
    ADD CONSTRAINT llm_calls_pkey PRIMARY KEY (key);

--
-- Name: llm_rate_limit llm_rate_limit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_rate_limit
    ADD CONSTRAINT llm_rate_limit_pkey PRIMARY KEY (id);

--
-- Name: metrics_windows metrics_windows_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.metrics_windows
    ADD CONSTRAINT metrics_windows_pkey PRIMARY KEY (window_start);

--
-- Name: operations operations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.operations
    ADD CONSTRAINT operations_pkey PRIMARY KEY (key);

--
-- Name: oracle_bids oracle_bids_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_bids
    ADD CONSTRAINT oracle_bids_pkey PRIMARY KEY (id);

--
-- Name: oracle_resolutions oracle_resolutions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_resolutions
    ADD CONSTRAINT oracle_resolutions_pkey PRIMARY KEY (id);

--
-- Name: oracle_resolutions oracle_resolutions_scheduled_at_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_resolutions
    ADD CONSTRAINT oracle_resolutions_scheduled_at_key UNIQUE (scheduled_at);

--
-- Name: oracle_slots oracle_slots_bid_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_slots
    ADD CONSTRAINT oracle_slots_bid_id_key UNIQUE (bid_id);

--
-- Name: oracle_slots oracle_slots_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_slots
    ADD CONSTRAINT oracle_slots_pkey PRIMARY KEY (resolution_id, slot);

--
-- Name: oracle_state oracle_state_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_state
    ADD CONSTRAINT oracle_state_pkey PRIMARY KEY (id);

--
-- Name: quota_issued quota_issued_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quota_issued
    ADD CONSTRAINT quota_issued_pkey PRIMARY KEY (resource);

--
-- Name: quotas quotas_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotas
    ADD CONSTRAINT quotas_pkey PRIMARY KEY (principal_id, resource);

--
-- Name: resource_effects resource_effects_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.resource_effects
    ADD CONSTRAINT resource_effects_pkey PRIMARY KEY (id);

--
-- Name: right_offers right_offers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.right_offers
    ADD CONSTRAINT right_offers_pkey PRIMARY KEY (id);

--
-- Name: schema_functions schema_functions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_functions
    ADD CONSTRAINT schema_functions_pkey PRIMARY KEY (file);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: world_identity world_identity_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.world_identity
    ADD CONSTRAINT world_identity_pkey PRIMARY KEY (singleton);

--
-- Name: agent_actions_finished_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_actions_finished_idx ON public.agent_actions USING btree (COALESCE(acted_at, thought_at));

--
-- Name: agent_actions_recent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_actions_recent_idx ON public.agent_actions USING btree (agent_id, iteration DESC);

--
-- Name: agent_subscriptions_agent_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_subscriptions_agent_idx ON public.agent_subscriptions USING btree (agent_id);

--
-- Name: agent_subscriptions_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX agent_subscriptions_type_idx ON public.agent_subscriptions USING btree (event_type, after_seq);

--
-- Name: artifacts_owner_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_owner_idx ON public.artifacts USING btree (owner_id, id);

--
-- Name: artifacts_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX artifacts_type_idx ON public.artifacts USING btree (type, id);

--
-- Name: bounties_closed; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX bounties_closed ON public.bounties USING btree (closed_at DESC) WHERE (status <> 'open'::text);

--
-- Name: bounties_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX bounties_open ON public.bounties USING btree (deadline) WHERE (status = 'open'::text);

--
-- Name: bounty_submissions_bounty; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX bounty_submissions_bounty ON public.bounty_submissions USING btree (bounty_id, id);

--
-- Name: bounty_submissions_submitter; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX bounty_submissions_submitter ON public.bounty_submissions USING btree (submitter, bounty_id);

--
-- Name: escrow_one_open_listing; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX escrow_one_open_listing ON public.escrow_listings USING btree (artifact_id) WHERE (status = 'open'::text);

--
-- Name: escrow_open_by_seller; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX escrow_open_by_seller ON public.escrow_listings USING btree (seller_id) WHERE (status = 'open'::text);

--
-- Name: events_type_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_type_created_idx ON public.events USING btree (type, created_at);

--
-- Name: events_type_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_type_idx ON public.events USING btree (type, seq);

--
-- Name: events_xid_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX events_xid_idx ON public.events USING btree (xid, seq);

--
-- Name: invocations_artifact_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invocations_artifact_idx ON public.invocations USING btree (artifact_id, created_at);

--
-- Name: invocations_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invocations_open_idx ON public.invocations USING btree (created_at) WHERE (status = 'held'::text);

--
-- Name: journal_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX journal_created_idx ON public.journal USING btree (created_at);

--
-- Name: journal_credit_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX journal_credit_idx ON public.journal USING btree (credit_principal, seq);

--
-- Name: journal_debit_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX journal_debit_idx ON public.journal USING btree (debit_principal, seq);

--
-- Name: llm_abandoned_attempts_payer_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_abandoned_attempts_payer_idx ON public.llm_abandoned_attempts USING btree (payer_id);

--
-- Name: llm_calls_finished_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_calls_finished_idx ON public.llm_calls USING btree (finished_at);

--
-- Name: llm_calls_open_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX llm_calls_open_idx ON public.llm_calls USING btree (payer_id, reserved_at) WHERE (status = 'reserved'::text);

--
-- Name: oracle_bids_bidder_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oracle_bids_bidder_idx ON public.oracle_bids USING btree (bidder_id, artifact_id, id);

--
-- Name: oracle_bids_resolution_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oracle_bids_resolution_idx ON public.oracle_bids USING btree (resolution_id, status) WHERE (resolution_id IS NOT NULL);

--
-- Name: oracle_one_open_bid; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX oracle_one_open_bid ON public.oracle_bids USING btree (bidder_id, artifact_id) WHERE (status = 'open'::text);

--
-- Name: oracle_open_bids_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX oracle_open_bids_idx ON public.oracle_bids USING btree (placed_at) WHERE (status = 'open'::text);

--
-- Name: resource_effects_kind_created_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX resource_effects_kind_created_idx ON public.resource_effects USING btree (kind, created_at);

--
-- Name: right_offers_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX right_offers_open ON public.right_offers USING btree (id) WHERE (status = 'open'::text);

--
-- Name: events events_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_append_only BEFORE DELETE OR UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.forbid_change();

--
-- Name: events events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON public.events FOR EACH STATEMENT EXECUTE FUNCTION public.forbid_change();

--
-- Name: journal journal_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER journal_append_only BEFORE DELETE OR UPDATE ON public.journal FOR EACH ROW EXECUTE FUNCTION public.forbid_change();

--
-- Name: journal journal_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON public.journal FOR EACH STATEMENT EXECUTE FUNCTION public.forbid_change();

--
-- Name: accounts accounts_principal_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES public.artifacts(id);

--
-- Name: agent_actions agent_actions_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_actions
    ADD CONSTRAINT agent_actions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.artifacts(id);

--
-- Name: agent_runs agent_runs_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_runs
    ADD CONSTRAINT agent_runs_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.artifacts(id);

--
-- Name: agent_subscriptions agent_subscriptions_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.agent_subscriptions
    ADD CONSTRAINT agent_subscriptions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.artifacts(id);

--
-- Name: artifacts artifacts_access_contract_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_access_contract_id_fkey FOREIGN KEY (access_contract_id) REFERENCES public.artifacts(id) DEFERRABLE INITIALLY DEFERRED;

--
-- Name: artifacts artifacts_owner_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artifacts
    ADD CONSTRAINT artifacts_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.artifacts(id) DEFERRABLE INITIALLY DEFERRED;

--
-- Name: bounties bounties_poster_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounties
    ADD CONSTRAINT bounties_poster_fkey FOREIGN KEY (poster) REFERENCES public.artifacts(id);

--
-- Name: bounty_submissions bounty_submissions_bounty_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounty_submissions
    ADD CONSTRAINT bounty_submissions_bounty_id_fkey FOREIGN KEY (bounty_id) REFERENCES public.bounties(id);

--
-- Name: bounty_submissions bounty_submissions_submitter_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.bounty_submissions
    ADD CONSTRAINT bounty_submissions_submitter_fkey FOREIGN KEY (submitter) REFERENCES public.artifacts(id);

--
-- Name: buckets buckets_principal_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.buckets
    ADD CONSTRAINT buckets_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES public.artifacts(id);

--
-- Name: debts debts_creditor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.debts
    ADD CONSTRAINT debts_creditor_id_fkey FOREIGN KEY (creditor_id) REFERENCES public.artifacts(id);

--
-- Name: debts debts_debtor_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.debts
    ADD CONSTRAINT debts_debtor_id_fkey FOREIGN KEY (debtor_id) REFERENCES public.artifacts(id);

--
-- Name: debts debts_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.debts
    ADD CONSTRAINT debts_id_fkey FOREIGN KEY (id) REFERENCES public.artifacts(id);

--
-- Name: escrow_listings escrow_listings_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.escrow_listings
    ADD CONSTRAINT escrow_listings_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.artifacts(id);

--
-- Name: escrow_listings escrow_listings_purchaser_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.escrow_listings
    ADD CONSTRAINT escrow_listings_purchaser_id_fkey FOREIGN KEY (purchaser_id) REFERENCES public.artifacts(id);

--
-- Name: escrow_listings escrow_listings_seller_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.escrow_listings
    ADD CONSTRAINT escrow_listings_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES public.artifacts(id);

--
-- Name: journal journal_credit_principal_asset_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal
    ADD CONSTRAINT journal_credit_principal_asset_fkey FOREIGN KEY (credit_principal, asset) REFERENCES public.accounts(principal_id, asset);

--
-- Name: journal journal_debit_principal_asset_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.journal
    ADD CONSTRAINT journal_debit_principal_asset_fkey FOREIGN KEY (debit_principal, asset) REFERENCES public.accounts(principal_id, asset);

--
-- Name: llm_abandoned_attempts llm_abandoned_attempts_key_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_abandoned_attempts
    ADD CONSTRAINT llm_abandoned_attempts_key_fkey FOREIGN KEY (key) REFERENCES public.llm_calls(key);

--
-- Name: llm_abandoned_attempts llm_abandoned_attempts_payer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_abandoned_attempts
    ADD CONSTRAINT llm_abandoned_attempts_payer_id_fkey FOREIGN KEY (payer_id) REFERENCES public.artifacts(id);

--
-- Name: llm_calls llm_calls_payer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.llm_calls
    ADD CONSTRAINT llm_calls_payer_id_fkey FOREIGN KEY (payer_id) REFERENCES public.artifacts(id);

--
-- Name: oracle_bids oracle_bids_bidder_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_bids
    ADD CONSTRAINT oracle_bids_bidder_id_fkey FOREIGN KEY (bidder_id) REFERENCES public.artifacts(id);

--
-- Name: oracle_bids oracle_bids_resolution_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_bids
    ADD CONSTRAINT oracle_bids_resolution_id_fkey FOREIGN KEY (resolution_id) REFERENCES public.oracle_resolutions(id);

--
-- Name: oracle_slots oracle_slots_bid_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_slots
    ADD CONSTRAINT oracle_slots_bid_id_fkey FOREIGN KEY (bid_id) REFERENCES public.oracle_bids(id);

--
-- Name: oracle_slots oracle_slots_resolution_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oracle_slots
    ADD CONSTRAINT oracle_slots_resolution_id_fkey FOREIGN KEY (resolution_id) REFERENCES public.oracle_resolutions(id);

--
-- Name: quotas quotas_principal_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quotas
    ADD CONSTRAINT quotas_principal_id_fkey FOREIGN KEY (principal_id) REFERENCES public.artifacts(id);

--
-- Name: right_offers right_offers_buyer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.right_offers
    ADD CONSTRAINT right_offers_buyer_id_fkey FOREIGN KEY (buyer_id) REFERENCES public.artifacts(id);

--
-- Name: right_offers right_offers_purchaser_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.right_offers
    ADD CONSTRAINT right_offers_purchaser_id_fkey FOREIGN KEY (purchaser_id) REFERENCES public.artifacts(id);

--
-- Name: right_offers right_offers_seller_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.right_offers
    ADD CONSTRAINT right_offers_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES public.artifacts(id);

--
-- PostgreSQL database dump complete
--
