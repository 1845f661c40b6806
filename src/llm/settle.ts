import type { PoolClient } from 'pg';
import { seenBucketColumnsSql, spend, spendSeen, type AlsoWrite, type SeenBucket } from '../buckets/store';
import { correctAbandonedAttempt } from './abandon';
import { settleBudget } from './budget';
import { lockCall, markFailed, resultOf, type CallRow, type Completion } from './callRecords';
import { correctRateTokens } from './rateLimit';
import type { RateLimits } from './rateMath';
import type { LlmCallResult } from './types';

/** The shared rate limit's tokens to correct: what the attempt took (its estimate) against what the provider reported. */
export interface RateCorrection {
  limits: RateLimits;
  estimated: number;
}

const CALL_COLUMNS = `c.key, c.payer_id, c.model, c.status, c.worst_case_micros, c.worst_case_tokens, c.reserved_micros, c.max_tokens, c.prompt_tokens, c.completion_tokens,
  c.cached_tokens, c.reasoning_tokens, c.compute_ms, c.cost_micros, c.latency_ms, c.attempts, c.owner_token, c.finish_reason, c.content`;

/**
 * Settlement's first statement: locks the call and reads its payer's LLM token bucket as
 * BUCKET_READ_SQL does (what spendSeen needs to charge it in one more round trip).
 */
async function lockForSettle(client: PoolClient, key: string): Promise<(CallRow & SeenBucket) | undefined> {
  const r = await client.query<CallRow & SeenBucket>({
    name: 'llm_lock_for_settle',
    text: `SELECT ${CALL_COLUMNS}, ${seenBucketColumnsSql('c.payer_id', 'llm_tokens')}
           FROM llm_calls c LEFT JOIN buckets b ON b.principal_id = c.payer_id AND b.resource = 'llm_tokens'
           WHERE c.key = $1 FOR UPDATE OF c`,
    values: [key],
  });
  return r.rows[0];
}

/**
 * The writes of a settlement after the token charge, riding along with it (spendSeen): the
 * record, the budget (hold swapped for the cost), the allowance (cost, clamped at zero), the rate
 * limit's correction. Written in this order so that they run in the reverse one (PostgreSQL runs
 * the data-modifying CTEs a statement does not read last to first): allowance, then budget, as
 * claims lock them.
 */
function settledCte(key: string, payer: string | null, row: CallRow, c: Completion, rate: RateCorrection | undefined): AlsoWrite {
  return {
    name: 'llm_settled',
    cte: (p) => `llm_recorded AS (
        UPDATE llm_calls SET status = 'succeeded', reserved_micros = 0, prompt_tokens = $${p + 1}, completion_tokens = $${p + 2}, usage_estimated = $${p + 3},
          cost_micros = $${p + 4}, latency_ms = $${p + 5}, finish_reason = $${p + 6}, content = $${p + 7}, error = NULL, owner_token = NULL, finished_at = now(),
          cached_tokens = $${p + 12}, reasoning_tokens = $${p + 13}, compute_ms = $${p + 14}, usage_details = $${p + 15}::jsonb
        WHERE key = $${p}),
      llm_rate_corrected AS (
        UPDATE llm_rate_limit SET tokens = LEAST($${p + 11}::float8, tokens + $${p + 10}) WHERE id AND $${p + 10}::float8 <> 0),
      llm_budget_settled AS (
        UPDATE llm_budget SET reserved_micros = reserved_micros - $${p + 9}, spent_micros = spent_micros + $${p + 4}, updated_at = now()
        WHERE id AND ($${p + 9}::bigint <> 0 OR $${p + 4}::bigint <> 0)),
      llm_allowance_paid AS (
        UPDATE quotas SET amount = GREATEST(amount - $${p + 4}, 0) WHERE principal_id = $${p + 8} AND resource = 'llm_dollars')`,
    values: [
      key, c.prompt_tokens, c.completion_tokens, c.usage_estimated, c.cost_micros, c.latency_ms, c.finish_reason, c.content, payer, row.reserved_micros,
      rate ? rate.estimated - (c.prompt_tokens + c.completion_tokens) : 0, rate?.limits.tokens ?? 0,
      c.cached_tokens, c.reasoning_tokens, c.compute_ms, c.usage_details === null ? null : JSON.stringify(c.usage_details),
    ],
  };
}

/**
 * After the provider answered, in one transaction: the payer's LLM token bucket pays the tokens
 * (into debt if need be), its compute bucket the CPU time of a local inference, its dollar allowance pays the cost (clamped at zero; the reservation
 * made sure it fits), the budget swaps the hold for the actual cost, the call is recorded, and the
 * shared rate limit gets back what the estimate took too much (or pays what it took too little).
 * Happens once per key: a twin that answered later gets the first result, and charges nothing.
 * Two statements: the lock with the bucket read, then the charge with every other write.
 */
export async function settleCall(
  client: PoolClient,
  key: string,
  payer: string | null,
  c: Completion,
  rateLimitedMs: number,
  rate?: RateCorrection,
  attempt?: number,
): Promise<LlmCallResult> {
  const row = await lockForSettle(client, key);
  if (!row) throw new Error(`llm call ${key} vanished`);
  if (attempt !== undefined && attempt !== row.attempts) {
    // A later attempt took the key over and charged this one its worst case (its outcome was
    // unknown then): now it is known, so that charge comes down to it. The later attempt settles
    // the call itself.
    await correctAbandonedAttempt(client, key, attempt, { tokens: c.prompt_tokens + c.completion_tokens, cost_micros: c.cost_micros });
    if (rate) await correctRateTokens(client, rate.limits, rate.estimated, c.prompt_tokens + c.completion_tokens);
    return resultOf(row.status === 'succeeded' ? row : { ...row, ...c, status: 'succeeded', reserved_micros: 0 }, row.status === 'succeeded', rateLimitedMs);
  }
  if (row.status === 'succeeded') {
    if (rate) await correctRateTokens(client, rate.limits, rate.estimated, c.prompt_tokens + c.completion_tokens);
    return resultOf(row, true, rateLimitedMs);
  }
  // This attempt was charged its worst case when it expired (or when a later attempt found it open
  // and was then refused): the settlement below charges what it really cost instead.
  if (row.status === 'failed') await correctAbandonedAttempt(client, key, row.attempts, { tokens: 0, cost_micros: 0 });
  // A hold an expiry or a twin already gave back reads 0 here, so nothing is released twice.
  const also = settledCte(key, payer, row, c, rate);
  if (payer !== null) {
    await spendSeen(client, { id: `${key}:tokens`, principal: payer, resource: 'llm_tokens', amount: c.prompt_tokens + c.completion_tokens, kind: 'llm_call' }, row, also);
    // The local model's inference ran on this machine's CPU: the payer's compute pays it, as any compute.
    if (c.compute_ms > 0) await spend(client, { id: `${key}:cpu`, principal: payer, resource: 'compute', amount: c.compute_ms, kind: 'llm_local_cpu' });
  } else {
    await client.query({ name: `${also.name}_alone`, text: `WITH ${also.cte(1)} SELECT 1`, values: also.values });
  }
  return resultOf({ ...row, ...c, status: 'succeeded', reserved_micros: 0 }, false, rateLimitedMs);
}

/**
 * After a final failure: gives back the hold and records the error, if this attempt still owns the
 * call (a retry that took it over decides for itself). Nothing is charged: a failed request
 * reports no usage.
 */
export async function failCall(client: PoolClient, key: string, ownerToken: string, error: string): Promise<void> {
  const row = await lockCall(client, key);
  if (!row || row.status !== 'reserved' || row.owner_token !== ownerToken) return;
  await settleBudget(client, { release: row.reserved_micros, spend: 0 });
  await markFailed(client, key, error);
}
