import { randomUUID } from 'node:crypto';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { invalid, isEcologyError } from '../errors';
import { chargeOpenAttempt } from './abandon';
import { openAiClient, usesLocalModel, type LlmClient } from './client';
import type { Completion, OpenCall } from './callRecords';
import { estimateTokens, promptChars, promptTokenBound } from './estimate';
import { billedOutputTokens, costMicros, priceOf } from './pricing';
import { classifyProviderError, toCallerError, type ProviderFailure } from './providerErrors';
import { rateLimitsOf, waitForRate } from './rateLimit';
import { chargeStaleReservations, claimCall, type Claim, type RateClaim } from './reserve';
import { failCall, settleCall } from './settle';
import type { LlmCallRequest, LlmCallResult } from './types';
import { validateLlmRequest } from './validate';

export { getBudgetStatus, recordedSpend, type BudgetStatus, type RecordedSpend } from './budget';
export type { ChatMessage, LlmCallRequest, LlmCallResult, LlmUsage } from './types';

export interface LlmDeps {
  pool: Pool;
  config: EcologyConfig;
  /** A ready client; by default one for the configured endpoint (llm.baseUrl, llm.apiKey). */
  openai?: LlmClient;
  /** Waiting for the rate limit and between retries; tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Called before each wait (the rate limit, a retry's backoff): an activity passes its heartbeat.
   * Not before the first request: a first heartbeat goes to the server at once, a round trip per
   * think that the activity's own heartbeat timer makes needless.
   */
  heartbeat?: () => void;
  /** Aborts the provider request (an activity passes its cancellation signal). */
  signal?: AbortSignal;
}

/**
 * The one way to call an LLM. Idempotent by `req.key`: a completed call returns its stored result
 * (replayed) without calling the provider or charging again.
 *
 * 1. One transaction reserves the call's worst case (prompt bound + maxTokens at the model's price)
 *    after checking the system budget (BUDGET_EXHAUSTED), the payer's LLM token bucket (IN_DEBT)
 *    and its dollar allowance (QUOTA_EXCEEDED). The system (payer null) has only the budget. An
 *    earlier attempt at the key still open (its worker died: its outcome is unknown) is first
 *    charged its worst case; if it comes back after all, that charge is corrected to its usage.
 * 2. Waits, in this process, for the system-wide requests and tokens per window (bounded); when
 *    the limit has room at once, the claim's transaction already took the first attempt's slot.
 * 3. Calls the provider; 429, 408, 409, 5xx, timeouts and connection errors are retried with
 *    exponential backoff, each attempt passing the rate limit again. Nothing is charged per attempt.
 * 4. One transaction settles what the provider reported: bucket, allowance, budget, record, and
 *    the rate limit's tokens corrected from the estimate to the reported usage.
 * On a final failure the hold is given back, the failed call recorded, and a typed error thrown.
 *
 * Errors: INVALID_ARGUMENT (also a model without a configured price), NOT_FOUND, IDEMPOTENCY_CONFLICT, BUDGET_EXHAUSTED, IN_DEBT and
 * QUOTA_EXCEEDED are business refusals (not retryable; BUDGET_EXHAUSTED and IN_DEBT clear with time
 * or money, so a caller may sleep and try again). UNAVAILABLE (provider down, overloaded, timing
 * out, misconfigured, or the rate-limit wait too long) is retryable.
 */
export async function callLlm(deps: LlmDeps, req: LlmCallRequest): Promise<LlmCallResult> {
  const { pool, config } = deps;
  const llm = config.llm;
  validateLlmRequest(config, req);
  const worst = worstCaseOf(req, llm);
  const call: OpenCall = {
    key: req.key,
    payer: req.payer,
    purpose: req.purpose ?? null,
    model: req.model,
    maxTokens: req.maxTokens,
    worstCaseMicros: worst.micros,
    worstCaseTokens: worst.tokens,
    ownerToken: randomUUID(),
  };

  const limits = rateLimitsOf(llm);
  const rateTokens = estimateTokens(promptChars(req.messages), llm) + req.maxTokens;
  // Made before the claim, so that a claim for a request that cannot be sent takes no rate slot.
  let openai: LlmClient | undefined;
  let noClient: unknown;
  try {
    openai = deps.openai ?? openAiClient(llm);
  } catch (e) {
    noClient = e;
  }
  const claim = await claimWithExpiry(deps, call, openai ? { limits, tokens: rateTokens } : undefined);
  if (claim.kind === 'replay') return claim.result;

  const sleep = deps.sleep ?? ((ms: number) => sleepMs(ms));
  let rateLimitedMs = 0;
  // The first attempt's slot, when the claim could take it at once.
  let admitted = claim.admitted;
  let answer: { completion: ChatCompletion; latencyMs: number };
  try {
    if (!openai) throw noClient;
    answer = await requestWithRetries(openai, deps, req, sleep, async () => {
      if (admitted) return void (admitted = false);
      rateLimitedMs += await waitForRate(pool, limits, rateTokens, { maxWaitMs: llm.maxRateWaitMs, sleep, heartbeat: deps.heartbeat });
    });
  } catch (e) {
    await withTransaction(pool, (c) => failCall(c, call.key, call.ownerToken, (e as Error).message ?? String(e)), config.transactions.maxRetries);
    throw e;
  }

  const completion = completionOf(answer.completion, answer.latencyMs, req, config, !deps.openai && usesLocalModel(llm));
  return withTransaction(pool, (c) => settleCall(c, call.key, req.payer, completion, rateLimitedMs, { limits, estimated: rateTokens }, claim.attempt), config.transactions.maxRetries);
}

/**
 * For a caller that retries under a new key: the call under `key`, if it is still open (its worker
 * died), is charged its worst case now, instead of when it expires.
 */
export async function abandonLlmCall(deps: Pick<LlmDeps, 'pool' | 'config'>, key: string): Promise<boolean> {
  const reason = 'abandoned with its outcome unknown (its worker died; the caller retried under another key): charged its worst case';
  return withTransaction(deps.pool, (c) => chargeOpenAttempt(c, key, reason), deps.config.transactions.maxRetries);
}

/** The most this request can cost: every prompt byte a token, and the whole completion limit. */
export function worstCaseOf(req: LlmCallRequest, llm: EcologyConfig['llm']): { micros: number; tokens: number } {
  try {
    const prompt = promptTokenBound(req.messages, req.responseFormat?.schema, llm);
    const micros = costMicros({ prompt_tokens: prompt, completion_tokens: req.maxTokens }, priceOf(llm, req.model));
    const tokens = prompt + req.maxTokens;
    if (!Number.isSafeInteger(tokens)) throw new RangeError('the token worst case exceeds the safe integer range');
    return { micros, tokens };
  } catch (e) {
    if (e instanceof RangeError) throw invalid(`the worst-case cost of this request is out of range: ${e.message}`);
    throw e;
  }
}

/**
 * Claims the key. When money is short, the reservations of callers that crashed long ago are
 * charged their worst case (they were counted as held already, so this makes no room; it puts them
 * in the books) before the refusal is thrown.
 */
async function claimWithExpiry(deps: LlmDeps, call: OpenCall, rate: RateClaim | undefined): Promise<Exclude<Claim, { kind: 'refused' }>> {
  const { pool, config } = deps;
  try {
    const claim = await withTransaction(pool, (c) => claimCall(c, config, call, rate), config.transactions.maxRetries);
    if (claim.kind === 'refused') throw claim.error;
    return claim;
  } catch (e) {
    if (isEcologyError(e) && (e.code === 'BUDGET_EXHAUSTED' || e.code === 'QUOTA_EXCEEDED')) {
      await withTransaction(pool, (c) => chargeStaleReservations(c, config.llm.staleReservationMs), config.transactions.maxRetries);
    }
    throw e;
  }
}

function requestBody(req: LlmCallRequest, config: EcologyConfig): ChatCompletionCreateParamsNonStreaming {
  const body: Record<string, unknown> = {
    model: req.model,
    messages: req.messages,
    [config.llm.maxTokensParam]: req.maxTokens,
  };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.responseFormat) {
    body.response_format = { type: 'json_schema', json_schema: { name: req.responseFormat.name, schema: req.responseFormat.schema, strict: req.responseFormat.strict ?? true } };
  }
  return body as unknown as ChatCompletionCreateParamsNonStreaming;
}

/** Exponential backoff with jitter, at least what the provider asked for, at most backoffMaxMs. */
export function backoffMs(llm: EcologyConfig['llm'], attempt: number, failure: ProviderFailure, random = Math.random): number {
  const exp = Math.min(llm.backoffMaxMs, llm.backoffBaseMs * 2 ** attempt);
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.round(Math.min(llm.backoffMaxMs, Math.max(jittered, failure.retryAfterMs ?? 0)));
}

async function requestWithRetries(
  openai: LlmClient,
  deps: LlmDeps,
  req: LlmCallRequest,
  sleep: (ms: number) => Promise<void>,
  admit: () => Promise<void>,
): Promise<{ completion: ChatCompletion; latencyMs: number }> {
  const llm = deps.config.llm;
  const body = requestBody(req, deps.config);
  for (let attempt = 0; ; attempt++) {
    await admit();
    const started = Date.now();
    try {
      const completion = await openai.chat.completions.create(body, { timeout: llm.requestTimeoutMs, maxRetries: 0, signal: deps.signal });
      return { completion, latencyMs: Date.now() - started };
    } catch (e) {
      const failure = timedOut(classifyProviderError(e), Date.now() - started, llm.requestTimeoutMs);
      if (!failure) throw e;
      if (!failure.retryable || attempt >= llm.maxRetries) throw toCallerError(failure, attempt + 1, openai.baseURL);
      deps.heartbeat?.();
      await sleep(backoffMs(llm, attempt, failure));
    }
  }
}

/**
 * The client reports its own timeout as a plain connection error when the abort error comes from
 * another JavaScript realm (as under jest); a connection that failed once the whole timeout had
 * passed is a timeout either way.
 */
function timedOut(f: ProviderFailure | null, elapsedMs: number, timeoutMs: number): ProviderFailure | null {
  if (f?.reason !== 'connection' || elapsedMs < timeoutMs) return f;
  return { ...f, reason: 'timeout', message: 'the LLM request timed out' };
}

const NUL = /\u0000/g;

/**
 * What the provider reported, or an estimate from text length when it reported no usage. Cached
 * and reasoning tokens come from its usage details; the CPU time of an inference only from the
 * local model (`local`), never from a remote provider's answer.
 */
function completionOf(completion: ChatCompletion, latencyMs: number, req: LlmCallRequest, config: EcologyConfig, local: boolean): Completion {
  const choice = completion.choices?.[0];
  // PostgreSQL text cannot hold NUL; the caller gets exactly what is stored.
  const content = (choice?.message?.content ?? '').replace(NUL, '\uFFFD');
  const u = completion.usage;
  const reported = !!u && isCount(u.prompt_tokens) && isCount(u.completion_tokens);
  const prompt = reported ? u.prompt_tokens : estimateTokens(promptChars(req.messages), config.llm);
  const cachedReported = reported ? u.prompt_tokens_details?.cached_tokens : undefined;
  const cached = isCount(cachedReported) ? Math.min(cachedReported, prompt) : 0;
  const reasoningReported = reported ? u.completion_tokens_details?.reasoning_tokens : undefined;
  const reasoning = isCount(reasoningReported) ? reasoningReported : 0;
  const billed = { prompt_tokens: prompt, completion_tokens: reported ? u.completion_tokens : estimateTokens(content.length, config.llm), cached_tokens: cached, reasoning_tokens: reasoning };
  const out = Math.min(billedOutputTokens(billed), MAX_INT4);
  const cpu = local ? (u as { compute_ms?: unknown } | undefined)?.compute_ms : undefined;
  return {
    prompt_tokens: prompt,
    completion_tokens: out,
    cached_tokens: cached,
    reasoning_tokens: Math.min(reasoning, out),
    usage_details: usageDetails(u, config.llm.maxUsageDetailsChars),
    compute_ms: isCount(cpu) ? cpu : 0,
    usage_estimated: !reported,
    cost_micros: costMicros(billed, priceOf(config.llm, req.model)),
    latency_ms: latencyMs,
    finish_reason: choice?.finish_reason ?? null,
    content,
  };
}

const MAX_INT4 = 2_147_483_647;

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_INT4;
}

/** The provider's usage object for the record, unless it is absent or too large to keep. */
function usageDetails(u: unknown, maxChars: number): unknown {
  if (u === undefined || u === null) return null;
  const text = JSON.stringify(u);
  return text.length <= maxChars ? u : { omitted: `the provider's usage object was ${text.length} characters` };
}
