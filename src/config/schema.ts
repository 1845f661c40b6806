import { z } from 'zod';

/** Non-negative integer that fits a PostgreSQL bigint and a JS number exactly. */
export const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const quotaSetSchema = z.strictObject({
  compute_rate: count,
  compute_capacity: count,
  llm_token_rate: count,
  llm_token_capacity: count,
  disk_bytes: count,
  llm_dollars: count,
});
export type QuotaSet = z.infer<typeof quotaSetSchema>;

/**
 * Price of a model in micro-dollars per million tokens. `cachedInput`: prompt tokens the provider
 * reports as cached (prompt_tokens_details.cached_tokens); input when left out. It may not be above
 * input, so that a call's worst case (every prompt token uncached) stays an upper bound.
 */
/** How much of what changes between iterations a prompt shows (agents.prompt; llm.local.prompt overrides it). */
export const promptSizesSchema = z.strictObject({
  recentEvents: count,
  recentActions: count,
  ownArtifacts: count,
  maxResultChars: count.min(1),
  maxEventChars: count.min(1),
  /** The market view: this many most used and this many newest tools of others. */
  marketTools: count,
  /** Open listings, and open rights offers, shown (each). */
  marketListings: count,
  /** A tool's one-line description (its owner's words) is cut to this many characters. */
  marketDescriptionChars: count.min(1),
  /** Open bounties shown (soonest deadline first); their descriptions are cut like a tool's. */
  openBounties: count,
});

export const llmPriceSchema = z
  .strictObject({ input: count, output: count, cachedInput: count.optional() })
  .refine((p) => p.cachedInput === undefined || p.cachedInput <= p.input, { error: 'cachedInput may not be above input' });
export type LlmPrice = z.infer<typeof llmPriceSchema>;

/**
 * The whole configuration. Defaults live in `config/default.json` (no numbers in code); a user file
 * and environment variables override them (see load.ts). Later sections are optional here so that a
 * partial user file merges over the defaults.
 */
export const configSchema = z.strictObject({
  database: z.strictObject({
    url: z.string().min(1),
    poolMax: count.min(1),
    /** How long a pool.connect waits for a free connection before failing (no code path waits forever). */
    acquireTimeoutMs: count.min(1),
    /**
     * statement_timeout of the app's sessions, and idle_in_transaction_session_timeout: a transaction
     * left open (a custom contract's check runs while its operation's transaction is open) ends after
     * it. Keep the latter well above sandbox.contractTimeoutMs plus a container's start.
     */
    statementTimeoutMs: count.min(1),
    idleInTransactionTimeoutMs: count.min(1),
    /**
     * 'server': PostgreSQL at `url`. 'embedded': PGlite in this process (ECOLOGY_DB=embedded, or
     * scripts/services.sh when no PostgreSQL server can be had); see src/db/embedded.ts.
     */
    mode: z.enum(['server', 'embedded']),
    embedded: z.strictObject({
      /** PGlite's data directory; default $ECOLOGY_DATA_DIR/pglite (<repo>/.data/pglite). */
      dataDir: z.string().min(1).optional(),
      /** Wait for the one connection before failing: a path needing a second one fails, not hangs. */
      acquireTimeoutMs: count.min(1),
    }),
  }),
  /** Followers of the event log (the event relay, the dashboard, `events --follow`; src/events/follow.ts). */
  events: z.strictObject({
    /** How often a follower reads new events: the most an event waits to be seen. */
    pollMs: count.min(1),
    /** Events per read; a full read is followed by the next at once. */
    batch: count.min(1),
  }),
  temporal: z.strictObject({
    address: z.string().min(1),
    namespace: z.string().min(1),
    taskQueue: z.string().min(1),
    sandboxTaskQueue: z.string().min(1),
    /**
     * TLS to the frontend (PEM file paths; all null: plaintext). certFile + keyFile: mTLS client
     * certificate; caFile: the server's CA; serverName: the name its certificate must carry.
     * Env TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME.
     */
    tls: z.strictObject({
      certFile: z.string().min(1).nullable(),
      keyFile: z.string().min(1).nullable(),
      caFile: z.string().min(1).nullable(),
      serverName: z.string().min(1).nullable(),
    }),
  }),
  limits: z.strictObject({
    maxContentBytes: count,
    maxCodeBytes: count,
    maxJsonDepth: count.min(1),
    maxStringLength: count.min(1),
    /** An operation's stored (and returned) error message is cut to this many characters. */
    maxErrorMessageChars: count.min(1),
    maxListLimit: count.min(1),
    defaultListLimit: count.min(1),
  }),
  quotas: z.strictObject({
    operatorPrincipal: quotaSetSchema,
    createdPrincipal: quotaSetSchema,
  }),
  genesis: z.strictObject({
    defaultComputeCost: count,
    computeCost: z.record(z.string(), count),
    scripFee: z.record(z.string(), count),
    /** Scrip a creator pays the treasury for each artifact with standing (a principal) it creates: principals are not free to mint. */
    principalFee: count,
  }),
  /** genesis_bounty (src/bounties). */
  bounties: z.strictObject({
    /**
     * CPU-ms of the submitter's compute the checker may reserve for the submission it runs
     * (ctx.invoke); the checker's own CPU is charged to the submitter besides. Every nested run
     * reserves its worst case (sandbox.limits.timeoutMs x cpus) until it ends, so this must cover
     * the submission and the tools it composes: a few times that worst case.
     */
    checkComputeAllowance: count,
    /** How far in the future a deadline may be. */
    maxDeadlineSeconds: count.min(1),
    maxDescriptionChars: count.min(1),
    /** At the deadline, a bounty with submissions still being checked is closed again after this long. */
    deadlineRecheckSeconds: count.min(1),
  }),
  transactions: z.strictObject({
    maxRetries: count,
  }),
  oracle: z
    .strictObject({
      /** false: the bootstrap leaves the schedule paused; bids are still accepted and held. */
      enabled: z.boolean(),
      /** Temporal schedule id (SPEC section 12: oracle-resolution); tests use their own. */
      scheduleId: z.string().min(1).max(200),
      /** Exactly one of intervalSeconds and cron sets when resolutions happen. */
      intervalSeconds: count.min(1).nullable(),
      cron: z.string().min(1).nullable(),
      /** How late a missed resolution may still start after an outage. */
      catchupWindowSeconds: count.min(1),
      /** K: how many top bids win each resolution. */
      slots: count.min(1),
      minBid: count.min(1),
      /** A winner receives floor(score / mintRatio) new scrip. */
      mintRatio: count.min(1),
      /** executable: only can_execute, non-genesis artifacts; any: any non-genesis artifact. */
      eligibility: z.enum(['executable', 'any']),
      /** false: only an artifact's owner may bid for it (the mint rewards whoever made it). */
      bidOnOthers: z.boolean(),
      scorer: z.strictObject({
        model: z.string().min(1),
        maxTokens: count.min(1),
        temperature: z.number().min(0).max(2),
        /** The artifact's content (JSON text) and code are cut to these sizes in the scorer prompt. */
        maxContentChars: count.min(1),
        maxCodeChars: count.min(1),
        maxReasonChars: count.min(1),
      }),
      /** Temporal activity options of the resolution workflow (passed to it as its input). */
      activities: z.strictObject({
        timeoutMs: count.min(1),
        initialIntervalMs: count.min(1),
        maximumIntervalMs: count.min(1),
        scoreTimeoutMs: count.min(1),
        scoreHeartbeatTimeoutMs: count.min(1),
        /** After these attempts a scoring failure refunds the slot's price. */
        scoreMaximumAttempts: count.min(1),
      }),
    })
    .refine((o) => (o.intervalSeconds === null) !== (o.cron === null), {
      error: 'exactly one of oracle.intervalSeconds and oracle.cron must be set (the other null)',
    }),
  llm: z.strictObject({
    /**
     * Who thinks. 'endpoint': the OpenAI-compatible endpoint below. 'local': the bundled local model
     * (llm.local), which then also serves llm.defaultModel and the oracle's scorer. 'auto': the
     * endpoint when baseUrl or apiKey is set, else the local model.
     */
    provider: z.enum(['auto', 'endpoint', 'local']),
    /** The bundled local model (scripts/install-local-llm.sh installs it), served on a loopback endpoint in a child process. */
    local: z.strictObject({
      /** Its name in requests and in the price table (priced at 0: its cost is the CPU time, charged as compute). */
      model: z.string().min(1),
      /** The GGUF file; relative paths are from the repository root. */
      modelFile: z.string().min(1),
      /** Where node-llama-cpp is installed; relative paths are from the repository root. */
      runtimeDir: z.string().min(1),
      threads: count.min(1),
      /** Tokens of context per sequence (prompt and completion). */
      contextSize: count.min(512),
      /** Evaluated prompts kept at once (each agent's stable prefix stays evaluated in one). */
      sequences: count.min(1),
      /** Requests waiting for the model beyond this are refused at once (503). */
      maxQueue: count.min(1),
      /** A request that waited this long for its turn is refused (503, retried). */
      queueTimeoutMs: count.min(1),
      /** An inference running this long is stopped (504, retried). */
      inferenceTimeoutMs: count.min(1),
      /** Loading the model in its child process may take this long. */
      startTimeoutMs: count.min(1),
      /**
       * Replaces parts of agents.prompt while the local model thinks: every changing token is
       * evaluated on the CPU at each think (the stable prefix stays evaluated), so it sees less.
       */
      prompt: promptSizesSchema.partial(),
      /** Replaces agents.maxReasoningChars while the local model thinks: each token it writes costs CPU time, and its reasoning says little. */
      maxReasoningChars: count,
    }),
    /** Any OpenAI-compatible endpoint (env OPENAI_BASE_URL); null = api.openai.com when a key is set. */
    baseUrl: z.string().min(1).nullable(),
    /** env OPENAI_API_KEY; may stay null for a local server that needs none. */
    apiKey: z.string().min(1).nullable(),
    defaultModel: z.string().min(1),
    /** Name of the completion limit field the endpoint understands. */
    maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']),
    /** Micro-dollars per million tokens, by model. A model not listed cannot be used (refused). */
    prices: z.record(z.string(), llmPriceSchema),
    /** No longer used (unlisted models were once charged this); still accepted so older files load. */
    defaultPrice: llmPriceSchema.optional(),
    systemBudgetMicros: count,
    /** System-wide limits per rateWindowMs (60000 = per minute), shared by all workers. */
    tokensPerMinute: count.min(1),
    requestsPerMinute: count.min(1),
    rateWindowMs: count.min(1),
    /** Longest a call waits for the rate limit before failing UNAVAILABLE. */
    maxRateWaitMs: count,
    requestTimeoutMs: count.min(1),
    /** Completion limit of the one request `up --preflight` and the start of `ecology up` send. */
    preflightMaxTokens: count.min(1),
    /** Retries of 429, 5xx, timeouts and connection errors, with exponential backoff. */
    maxRetries: count,
    backoffBaseMs: count,
    backoffMaxMs: count,
    maxPromptChars: count.min(1),
    /** Rate-limit estimate of prompt tokens before the provider reports them. */
    charsPerTokenEstimate: count.min(1),
    /** Worst-case bound of tokens a chat template adds per message and per request. */
    tokenOverheadPerMessage: count,
    tokenOverheadPerRequest: count,
    /**
     * A reservation older than this is charged its worst case when money is short (its caller
     * crashed and never came back: the outcome is unknown).
     */
    staleReservationMs: count.min(1),
    /** Largest provider usage object (JSON characters) a call record keeps as it came. */
    maxUsageDetailsChars: count,
  }),
  agents: z.strictObject({
    /** Configuration of an agent whose artifact content leaves a field out (SPEC section 8); the model defaults to llm.defaultModel. */
    defaults: z.strictObject({
      system_prompt: z.string().min(1),
      max_tokens: count.min(1),
      temperature: z.number().min(0).max(2),
      think_delay_ms: count,
    }),
    maxTokensCap: count.min(1),
    /**
     * An agent in debt that accrual repays within this shows as `refilling` (the normal throttle);
     * later, or never, as `stuck-in-debt`: it needs a transfer.
     */
    debtNeedsHelpSeconds: count.min(1),
    maxThinkDelayMs: count,
    /** Continue-as-new after this many iterations (or earlier when Temporal suggests it). */
    maxIterationsPerRun: count.min(1),
    /** Continue-as-new once a run's history has this many events, even in the middle of a sleep (signals add events). */
    maxHistoryEventsPerRun: count.min(100),
    /** Cap of every sleep, with or without max_seconds. */
    maxSleepSeconds: count.min(1),
    /** Shortest wait before re-checking a debt whose recovery time has (nearly) passed. */
    minRecheckMs: count.min(1),
    /** How often an agent re-checks a spent system LLM budget (a signal ends the wait earlier). */
    budgetRecheckSeconds: count.min(1),
    /** Re-check of waits with no computable end: a dollar allowance spent, debt at rate zero. */
    blockedRecheckSeconds: count.min(1),
    errorBackoffSeconds: count.min(1),
    /** Iterations remembered in the workflow (state query, carried over continue-as-new). */
    memorySize: count,
    /** Longest model output accepted as an action; more is a failed action. */
    maxOutputBytes: count.min(1),
    /** Characters of an invalid output kept with the failed action. */
    maxStoredRawChars: count,
    maxReasoningChars: count,
    /** Keep each iteration's prompt in agent_actions after the think finished (debugging). */
    keepPrompts: z.boolean(),
    prompt: promptSizesSchema,
    /** Temporal activity options of the loop's activities. */
    activities: z.strictObject({
      thinkTimeoutMs: count.min(1),
      thinkHeartbeatTimeoutMs: count.min(1),
      timeoutMs: count.min(1),
      maximumAttempts: count.min(1),
      initialIntervalMs: count.min(1),
      maximumIntervalMs: count.min(1),
    }),
    /** How long a stopping worker lets running tasks finish before cancelling its activities. */
    workerShutdownGraceMs: count,
    /** The event relay (events -> signals): its full sweep, and its wait before reopening a lost lock session. */
    relay: z.strictObject({
      sweepMs: count.min(1),
      reconnectMs: count.min(1),
      /** At most one balanceChanged per agent per this many ms (a later change is sent when it ends): transfers cannot flood a history. */
      balanceDebounceMs: count,
    }),
  }),
  /** Metrics windows (SPEC section 10): the `metrics-window` schedule aggregates each window. */
  metrics: z
    .strictObject({
      /** false: the schedule exists but is paused. */
      enabled: z.boolean(),
      /** Temporal schedule id (SPEC section 12: metrics-window); tests use their own. */
      scheduleId: z.string().min(1).max(200),
      /** Length of a window; windows are aligned to the Unix epoch (Temporal's interval specs are). */
      windowSeconds: count.min(1),
      /** The aggregation runs this long after its window ends, so late commits are counted. */
      lagSeconds: count,
      /** How late a missed aggregation may still start after an outage. */
      catchupWindowSeconds: count.min(1),
      /** Windows `ecology metrics` prints without --limit. */
      listLimit: count.min(1),
      activities: z.strictObject({
        timeoutMs: count.min(1),
        initialIntervalMs: count.min(1),
        maximumIntervalMs: count.min(1),
      }),
    })
    .refine((m) => m.lagSeconds < m.windowSeconds, { error: 'metrics.lagSeconds must be less than metrics.windowSeconds' }),
  /**
   * How long large stored results stay (src/db/retention.ts, run after each metrics window): then
   * they are replaced by a small marker. Rows, statuses, money and counts stay.
   */
  retention: z.strictObject({
    /** An invocation's result and logs, kept this long after it settled for replays of its key. */
    invocationResultsHours: count.min(1),
    /** An agent iteration's stored result (the prompt shows only the last few), this long after it acted. */
    agentActionResultsHours: count.min(1),
    /** Rows one pruning statement rewrites at most. */
    batchRows: count.min(1),
    /** Statements one pruning run makes at most per table; the next run goes on. */
    maxBatches: count.min(1),
    /** The pruning activity of each metrics window; after maximumAttempts the next window's run tries again. */
    activities: z.strictObject({
      timeoutMs: count.min(1),
      initialIntervalMs: count.min(1),
      maximumIntervalMs: count.min(1),
      maximumAttempts: count.min(1),
    }),
  }),
  /** Agent-written code in Docker (src/sandbox) and the invocation saga (src/invoke). */
  sandbox: z.strictObject({
    /** A ready image to use (e.g. from a registry); null = build one locally from the host's node (env ECOLOGY_SANDBOX_IMAGE). */
    image: z.string().min(1).nullable(),
    /** Repository of the locally built image. */
    imageName: z.string().min(1),
    /** Per-container limits (see src/sandbox/types.ts SandboxLimits). */
    limits: z.strictObject({
      memoryBytes: count.min(64 * 1024 * 1024),
      /** 1e9 = one CPU. */
      nanoCpus: count.min(1_000_000),
      pids: count.min(16),
      tmpfsBytes: count.min(1024 * 1024),
      /** Wall-clock limit of one run, bridge calls included. */
      timeoutMs: count.min(1),
      /** Cap of a run's JSON result and of each bridge request. */
      maxOutputBytes: count.min(1024),
      maxLogBytes: count,
      /** V8 heap of the job process; 0 = memoryBytes minus the runner's share. */
      jsHeapBytes: count,
      maxOpenFiles: count.min(64),
    }),
    /** Idle warm containers are removed after this. */
    idleMs: count.min(100),
    /** Containers alive at once on one worker, all owners together. */
    maxContainers: count.min(1),
    /**
     * Containers one owner may hold at once on one worker (so no owner can take the whole pool).
     * Keep it above maxDepth: a chain of one owner's tools calling each other holds one per level.
     */
    maxContainersPerOwner: count.min(1),
    /**
     * How long a run may wait for a container when all are busy. The wait also counts against the
     * run's own time limit (limits.timeoutMs, and a nested run's parent's remaining time).
     */
    queueTimeoutMs: count.min(1),
    /** Create + start + runner ready. */
    startTimeoutMs: count.min(1),
    /** Nesting limit of ctx.invoke: an invocation at a depth above it fails DEPTH_EXCEEDED. */
    maxDepth: count,
    /** ctx.read / ctx.invoke / ctx.llm calls one run may make. */
    maxBridgeCalls: count.min(1),
    /** ctx.llm: completion limit when the code names none, and the most it may ask for. */
    llmDefaultMaxTokens: count.min(1),
    llmMaxTokens: count.min(1),
    /**
     * Wall-clock limit of a custom access contract's check. The check runs while the operation that
     * asked holds its transaction (and any row locks it took), so keep it short.
     */
    contractTimeoutMs: count.min(1),
    /** Temporal options of the saga's activities (workflows/invoke.ts). */
    activities: z.strictObject({
      /** hold and settle (database only, on the workflow's own task queue). */
      timeoutMs: count.min(1),
      initialIntervalMs: count.min(1),
      maximumIntervalMs: count.min(1),
      /** run, on temporal.sandboxTaskQueue: how long it may wait for a sandbox worker before the price is refunded... */
      runScheduleToStartMs: count.min(1),
      /** ...and how long one attempt may take (container wait + start + the run's own limit). */
      runTimeoutMs: count.min(1),
      runMaximumAttempts: count.min(1),
    }),
  }),
  /** The world's root (`ecologyWorkflow`, `ecology up`): initial agents, spawns, the summary. */
  ecology: z.strictObject({
    /** Fixed workflow id of the root, so starting it twice changes nothing. */
    workflowId: z.string().min(1).max(200),
    /** Agents created at bootstrap (when the workflow's input names none): scrip minted, compute issued. */
    initialAgents: z.array(
      z.strictObject({
        id: z.string().min(1).max(128),
        /** null: agents.defaults.system_prompt. */
        system_prompt: z.string().min(1).nullable(),
        /** null: llm.defaultModel. */
        model: z.string().min(1).nullable(),
        scrip: count,
        compute: count,
      }),
    ),
    /** Starting scrip and compute of a spawned agent when the spawn names none (taken from the treasury). */
    spawnDefaults: z.strictObject({ scrip: count, compute: count }),
    /** The operator's explicit issuance to the treasury at the first bootstrap: what spawns are paid from. */
    treasury: z.strictObject({ scrip: count, compute: count }),
    /** How often the root re-reads the world for its `summary` query. */
    summaryRefreshSeconds: count.min(1),
    /** Timeout of each agent's `state` query (summary, `ecology agents`). */
    agentQueryTimeoutMs: count.min(1),
    /** How long a CLI command waits for Temporal before saying it cannot be reached. */
    temporalConnectTimeoutMs: count.min(1),
    /**
     * A task queue whose last poll is older than this has no worker (Temporal lists a stopped
     * worker's pollers for minutes; a live idle worker renews its long poll about once a minute).
     */
    workerPollStaleMs: count.min(1),
    /** `ecology up --follow`: how often it reads finished actions, and the longest line it prints. */
    follow: z.strictObject({ pollMs: count.min(1), maxLineChars: count.min(20) }),
    /** Last actions `ecology agent <id>` shows without --limit. */
    recentActions: count.min(1),
    /** How long `ecology spawn` waits for the root to report the spawn. */
    spawnWaitMs: count.min(1),
    /**
     * compute_rate (CPU-ms per second) the operator sets for named principals, applied at every
     * bootstrap (`ecology up`, `ecology bootstrap`, the root's first run); `ecology calibrate` proposes it.
     */
    computeRates: z.record(z.string(), count),
    /** `ecology calibrate`: a CPU-bound probe in sandbox containers at sandbox.limits. */
    calibration: z.strictObject({
      /** Measured seconds (after one warm-up run per container). */
      seconds: count.min(1),
      /** Length of one probe run; kept below sandbox.limits.timeoutMs. */
      probeMs: count.min(100),
      /** The share of the measured CPU the proposed rates add up to (the seed's 70-80%). */
      targetPercent: count.min(1).max(100),
      /** Where the proposal is written; null = $ECOLOGY_DATA_DIR/calibration.json (default .data). */
      out: z.string().min(1).nullable(),
    }),
    /** Continue-as-new after this many refreshes (or earlier when Temporal suggests it). */
    maxRefreshesPerRun: count.min(1),
    /** Spawn records the summary keeps. */
    maxSpawnRecords: count.min(1),
    activities: z.strictObject({
      timeoutMs: count.min(1),
      initialIntervalMs: count.min(1),
      maximumIntervalMs: count.min(1),
      maximumAttempts: count.min(1),
    }),
  }),
  /** The economy dashboard (`ecology dashboard`, src/dashboard): a read-only web page. */
  dashboard: z.strictObject({
    /** Bind address; anything beyond loopback requires a token. */
    host: z.string().min(1),
    /** 0 picks a free port. */
    port: count.max(65535),
    /** Required of every data request when set (Authorization: Bearer, or the page's session cookie); env ECOLOGY_DASHBOARD_TOKEN. */
    token: z.string().min(16).max(512).nullable(),
    /** Base URL of the Temporal Web UI, for the links to each agent's workflow; env TEMPORAL_UI_URL. */
    temporalUiUrl: z.string().min(1),
    /** The one shared snapshot (shared by every open page) is taken this often... */
    pollIntervalMs: count.min(100),
    /** ...its slower parts (metrics windows, oracle, graph) this often... */
    slowPollIntervalMs: count.min(100),
    /** ...and an event brings the next one forward, but never closer than this to the last one. */
    minSnapshotGapMs: count.min(50),
    /** A comment line on idle streams, so proxies keep them open. */
    heartbeatMs: count.min(1000),
    /** Open live streams at most (one per page); more are refused with 503. */
    maxStreams: count.min(1),
    /** A page whose unread stream data grows past this is disconnected (it reconnects). */
    maxBufferedBytes: count.min(65536),
    /** How long a page waits before reopening a dropped live stream (SSE `retry`). */
    reconnectMs: count.min(100),
    /** The agents' `state` queries: per-query deadline and how many run at once. */
    temporalQueryTimeoutMs: count.min(100),
    temporalQueryConcurrency: count.min(1),
    events: z.strictObject({
      /** Recent events a newly opened page receives (kept in memory, no query). */
      backlog: count.min(1),
      /** Default and largest `limit` of /api/events. */
      pageLimit: count.min(1),
      maxPageLimit: count.min(1),
      /** An event's data is cut to this many characters of JSON in the stream. */
      maxDataChars: count.min(100),
    }),
    views: z.strictObject({
      metricsWindows: count.min(1),
      escrowRecent: count,
      /** Recently closed bounties shown (solved, refunded, cancelled). */
      bountiesRecent: count,
      oracleResolutions: count.min(1),
      graphNodes: count.min(1),
      graphEdges: count.min(1),
    }),
  }),
  /** The ecology worker process (workers/worker.ts). */
  worker: z.strictObject({
    /**
     * Workflows kept in memory, least recently used first out. A sleeping agent needs no place: one
     * evicted replays its history when it wakes. Size it to the agents active at once (fewer means a
     * replay per iteration); each cached agent costs about 0.2-0.5 MB (BENCHMARKS.md, agents: 120
     * serves the 100 busy agents of the benchmark and keeps 1,000 sleeping ones under 300 MB).
     */
    maxCachedWorkflows: count.min(2),
  }),
  /** The world's rules (docs/experiments.md). */
  world: z.strictObject({
    /**
     * 'society': the full economy. 'isolated' (an experiment's control arm): each agent reads,
     * invokes, describes and lists only its own artifacts and the genesis services, and every
     * trade (escrow, rights offers, debt, transfers to others) is refused (src/world/isolation.ts).
     */
    isolation: z.enum(['society', 'isolated']),
  }),
  /** `ecology experiment` (src/experiments). */
  experiments: z.strictObject({
    /** Where reports are written: <dir>/<name>/report.json and report.html (relative: from the working folder). */
    dir: z.string().min(1),
    /** How often a running arm is polled (spend, solved, time) and a progress line printed. */
    pollMs: count.min(10),
    /** How long stopping an arm's workflows may take before they are terminated. */
    stopTimeoutMs: count.min(1),
    /**
     * An arm's budget counts as spent once less than this many micro-dollars of it are left: the
     * world refuses a call whose worst case does not fit, so the last fraction is never spent.
     */
    budgetMarginMicros: count,
    /** How long a newly registered namespace may take to be served (the frontend refreshes its namespaces every few seconds). */
    namespaceReadyTimeoutMs: count.min(1),
    /** Retention of the closed workflows of an arm's Temporal namespace (registered by the run). */
    namespaceRetentionHours: count.min(1),
    /** Points of each over-time series (solved, Gini) in the report. */
    seriesPoints: count.min(2),
  }),
});

export type EcologyConfig = z.infer<typeof configSchema>;
