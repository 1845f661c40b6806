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

/** Price of a model in micro-dollars per million tokens. */
export const llmPriceSchema = z.strictObject({ input: count, output: count });
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
  }),
  temporal: z.strictObject({
    address: z.string().min(1),
    namespace: z.string().min(1),
    taskQueue: z.string().min(1),
    sandboxTaskQueue: z.string().min(1),
  }),
  limits: z.strictObject({
    maxContentBytes: count,
    maxCodeBytes: count,
    maxJsonDepth: count.min(1),
    maxStringLength: count.min(1),
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
    /** Any OpenAI-compatible endpoint (env OPENAI_BASE_URL); null = api.openai.com when a key is set. */
    baseUrl: z.string().min(1).nullable(),
    /** env OPENAI_API_KEY; may stay null for a local server that needs none. */
    apiKey: z.string().min(1).nullable(),
    defaultModel: z.string().min(1),
    /** Name of the completion limit field the endpoint understands. */
    maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']),
    /** Micro-dollars per million tokens, by model; defaultPrice for models not listed. */
    prices: z.record(z.string(), llmPriceSchema),
    defaultPrice: llmPriceSchema,
    systemBudgetMicros: count,
    /** System-wide limits per rateWindowMs (60000 = per minute), shared by all workers. */
    tokensPerMinute: count.min(1),
    requestsPerMinute: count.min(1),
    rateWindowMs: count.min(1),
    /** Longest a call waits for the rate limit before failing UNAVAILABLE. */
    maxRateWaitMs: count,
    requestTimeoutMs: count.min(1),
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
    /** A reservation older than this is released (its caller crashed and never came back). */
    staleReservationMs: count.min(1),
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
    maxThinkDelayMs: count,
    /** Continue-as-new after this many iterations (or earlier when Temporal suggests it). */
    maxIterationsPerRun: count.min(1),
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
    prompt: z.strictObject({
      recentEvents: count,
      recentActions: count,
      ownArtifacts: count,
      maxResultChars: count.min(1),
      maxEventChars: count.min(1),
    }),
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
    /** The event relay (LISTEN ecology_events -> signals). */
    relay: z.strictObject({
      sweepMs: count.min(1),
      reconnectMs: count.min(1),
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
});

export type EcologyConfig = z.infer<typeof configSchema>;
