import type { PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { requirePrincipal } from '../ledger/standing';
import { bucketJsonSql, bucketViewFromRow, readBucket, type BucketRow, type BucketView } from '../buckets/store';
import { EcologyError } from '../errors';
import { getQuota } from '../rights/quotas';
import { holdBudget, lockBudget, remainingMicros, settleBudget, type BudgetRow } from './budget';
import { chargeAbandonedAttempt } from './abandon';
import { heldByPayer, lockCall, lockStaleCalls, reopenCall, resultOf, type OpenCall } from './callRecords';
import { tryAcquire, type RateLimits } from './rateMath';
import type { LlmCallResult } from './types';

/**
 * `admitted`: the claim also took the first attempt's slot of the shared rate limit; `attempt`: this
 * attempt's number (llm_calls.attempts once it is recorded). `refused`: the claim charged an
 * earlier attempt of the key (its outcome unknown) and then found the money short: the caller
 * commits the charge and throws `error`.
 */
export type Claim = { kind: 'replay'; result: LlmCallResult } | { kind: 'open'; admitted: boolean; attempt: number } | { kind: 'refused'; error: EcologyError };

/** The shared rate limit a claim may also pass, for `tokens` (its estimate). */
export interface RateClaim {
  limits: RateLimits;
  tokens: number;
}

/**
 * The first statement of a claim: inserts the call (only for a payer with standing; the system,
 * payer null, always), then locks the payer's dollar allowance, and reads its LLM token bucket and
 * the shared rate limit. Placeholders: $1 key, $2 payer, $3 purpose, $4 model, $5 worst case,
 * $6 max tokens, $7 owner token, $8 token worst case. The columns are evaluated in order: the call
 * row is locked before the allowance, the order settlement uses too.
 */
const CLAIM_SQL = `WITH payer AS (SELECT has_standing FROM artifacts WHERE id = $2),
  ins AS (
    INSERT INTO llm_calls (key, payer_id, purpose, model, status, worst_case_micros, reserved_micros, max_tokens, attempts, owner_token, worst_case_tokens)
    SELECT $1, $2, $3, $4, 'reserved', $5, $5, $6, 1, $7, $8 WHERE $2::text IS NULL OR (SELECT has_standing FROM payer)
    ON CONFLICT (key) DO NOTHING RETURNING key)
  SELECT EXISTS (SELECT 1 FROM ins) AS inserted,
    (SELECT has_standing FROM payer) AS standing,
    (SELECT amount FROM quotas WHERE principal_id = $2 AND resource = 'llm_dollars' FOR UPDATE) AS allowance,
    ${bucketJsonSql('$2', 'llm_tokens')} AS bucket,
    (SELECT json_build_object('requests', requests, 'tokens', tokens, 'xmin', xmin::text,
       'at_ms', extract(epoch FROM updated_at)::float8 * 1000, 'now_ms', extract(epoch FROM now())::float8 * 1000)
     FROM llm_rate_limit WHERE id) AS rate`;

interface ClaimFacts {
  inserted: boolean;
  standing: boolean | null;
  allowance: number | null;
  bucket: BucketRow;
  rate: { requests: number; tokens: number; xmin: string; at_ms: number; now_ms: number } | null;
}

/**
 * The second statement, run once the allowance is locked (so the sum of the payer's other holds is
 * read after any claim that held the lock before has committed): holds the worst case against the
 * budget (brought to its configured size) if both the budget and the allowance cover it, and takes
 * the rate-limit slot if the row is still the version the first statement read.
 * Placeholders: $1 key, $2 payer, $3 budget size, $4 needed, $5 allowance (null: the system),
 * $6 whether to take the slot, $7 the rate row version, $8 requests, $9 tokens, $10 clock (ms).
 */
const HOLD_SQL = `WITH elsewhere AS (
    SELECT COALESCE(sum(reserved_micros), 0)::bigint AS held FROM llm_calls WHERE payer_id = $2 AND status = 'reserved' AND key <> $1),
  held AS (
    UPDATE llm_budget SET budget_micros = $3, reserved_micros = reserved_micros + $4, updated_at = now()
    WHERE id AND $3 - spent_micros - reserved_micros >= $4 AND ($5::bigint IS NULL OR $5::bigint - (SELECT held FROM elsewhere) >= $4)
    RETURNING 1),
  admitted AS (
    UPDATE llm_rate_limit SET requests = $8, tokens = $9, updated_at = 'epoch'::timestamptz + $10 * interval '1 millisecond'
    WHERE id AND $6::boolean AND xmin = $7::xid AND EXISTS (SELECT 1 FROM held)
    RETURNING 1)
  SELECT (SELECT held FROM elsewhere) AS held_elsewhere, EXISTS (SELECT 1 FROM held) AS held, EXISTS (SELECT 1 FROM admitted) AS admitted`;

function budgetExhausted(budget: BudgetRow, needed: number): EcologyError {
  return new EcologyError('BUDGET_EXHAUSTED', `the system LLM budget cannot cover this call's worst case of ${needed} micro-dollars`, {
    budget_micros: budget.budget_micros,
    spent_micros: budget.spent_micros,
    reserved_micros: budget.reserved_micros,
    needed_micros: needed,
  });
}

function inDebt(payer: string, bucket: BucketView): EcologyError {
  return new EcologyError('IN_DEBT', `${payer} is in LLM token debt (${bucket.available})`, {
    resource: 'llm_tokens',
    available: bucket.available,
    recovers_at: bucket.recovers_at,
  });
}

function quotaExceeded(payer: string, allowance: number, held: number, needed: number): EcologyError {
  return new EcologyError('QUOTA_EXCEEDED', `${payer}'s LLM dollar allowance cannot cover this call's worst case of ${needed} micro-dollars`, {
    resource: 'llm_dollars',
    allowance_micros: allowance,
    held_micros: held,
    needed_micros: needed,
  });
}

/**
 * Before a call, in one transaction: replay a completed key; else check the system budget, the
 * payer's LLM token bucket and its dollar allowance against the call's worst case, and reserve it
 * (refusals in that order of precedence: BUDGET_EXHAUSTED, IN_DEBT, QUOTA_EXCEEDED). With `rate`,
 * also takes the first attempt's slot of the shared rate limit when it is free at once (else the
 * caller waits for it as usual). Locks in the order call row, quota row, budget row (settlement
 * uses the same order). A new key takes two statements; an attempt at a key that did not complete
 * (failed, or crashed while reserved) reopens it and swaps its old hold for the new worst case.
 */
export async function claimCall(client: PoolClient, config: EcologyConfig, call: OpenCall, rate?: RateClaim): Promise<Claim> {
  const r = await client.query<ClaimFacts>({
    name: 'llm_claim',
    text: CLAIM_SQL,
    values: [call.key, call.payer, call.purpose, call.model, call.worstCaseMicros, call.maxTokens, call.ownerToken, call.worstCaseTokens],
  });
  const facts = r.rows[0];
  // NOT_FOUND or INVALID_ARGUMENT, as it words them.
  if (call.payer !== null && !facts.standing) await requirePrincipal(client, call.payer);
  if (!facts.inserted) return reclaim(client, config, call);

  const needed = call.worstCaseMicros;
  const bucket = call.payer === null ? null : bucketViewFromRow(call.payer, 'llm_tokens', facts.bucket);
  if (bucket?.in_debt) {
    const budget = await lockBudget(client, config.llm.systemBudgetMicros);
    if (remainingMicros(budget) < needed) throw budgetExhausted(budget, needed);
    throw inDebt(call.payer!, bucket);
  }
  const allowance = call.payer === null ? null : (facts.allowance ?? 0);
  const next = rate && facts.rate ? tryAcquire({ requests: facts.rate.requests, tokens: facts.rate.tokens, atMs: facts.rate.at_ms }, rate.limits, rate.tokens, facts.rate.now_ms) : null;
  const take = next !== null && next.waitMs === 0;
  const h = await client.query<{ held_elsewhere: number; held: boolean; admitted: boolean }>({
    name: 'llm_claim_hold',
    text: HOLD_SQL,
    values: [
      call.key, call.payer, config.llm.systemBudgetMicros, needed, allowance,
      take, facts.rate?.xmin ?? '0', next?.state.requests ?? 0, next?.state.tokens ?? 0, next?.state.atMs ?? 0,
    ],
  });
  const hold = h.rows[0];
  if (hold.held) return { kind: 'open', admitted: hold.admitted, attempt: 1 };

  // Not held: the budget is short, or the allowance, or the budget row is new (the first call).
  const budget = await lockBudget(client, config.llm.systemBudgetMicros);
  if (remainingMicros(budget) < needed) throw budgetExhausted(budget, needed);
  const heldElsewhere = call.payer === null ? 0 : await heldByPayer(client, call.payer, call.key);
  if (allowance !== null && allowance - heldElsewhere < needed) throw quotaExceeded(call.payer!, allowance, heldElsewhere, needed);
  await holdBudget(client, needed);
  return { kind: 'open', admitted: false, attempt: 1 };
}

/**
 * A key that exists: replay it when it succeeded, else start a new attempt. An earlier attempt still
 * open had its worker die (a live one would have settled it, or failed it and given its hold back):
 * it may have been billed, so it is first charged its worst case, then the new attempt reserves.
 */
async function reclaim(client: PoolClient, config: EcologyConfig, call: OpenCall): Promise<Claim> {
  const prior = await lockCall(client, call.key);
  if (!prior) throw new Error(`llm call ${call.key} vanished`);
  if (prior.payer_id !== call.payer) {
    throw new EcologyError('IDEMPOTENCY_CONFLICT', `key ${call.key} was already used for an LLM call paid by ${prior.payer_id ?? 'the system'}`);
  }
  if (prior.status === 'succeeded') return { kind: 'replay', result: resultOf(prior, true) };
  const abandoned = prior.status === 'reserved';
  if (abandoned) await chargeAbandonedAttempt(client, prior, `attempt ${prior.attempts} was abandoned with its outcome unknown (its worker died): charged its worst case`);
  try {
    return await reopen(client, config, call, abandoned ? 0 : prior.reserved_micros, prior.attempts + 1);
  } catch (e) {
    if (abandoned && e instanceof EcologyError) return { kind: 'refused', error: e };
    throw e;
  }
}

/** The checks and the hold of a new attempt at an existing key, whose earlier attempt holds `priorHold`. */
async function reopen(client: PoolClient, config: EcologyConfig, call: OpenCall, priorHold: number, attempt: number): Promise<Claim> {
  const bucket = call.payer === null ? null : await readBucket(client, call.payer, 'llm_tokens');
  const allowance = call.payer === null ? null : await getQuota(client, call.payer, 'llm_dollars', true);
  const heldElsewhere = call.payer === null ? 0 : await heldByPayer(client, call.payer, call.key);
  const budget = await lockBudget(client, config.llm.systemBudgetMicros);

  const needed = call.worstCaseMicros;
  if (remainingMicros(budget) + priorHold < needed) throw budgetExhausted(budget, needed);
  if (bucket?.in_debt) throw inDebt(call.payer!, bucket);
  if (allowance !== null && allowance - heldElsewhere < needed) throw quotaExceeded(call.payer!, allowance, heldElsewhere, needed);

  await settleBudget(client, { release: priorHold, spend: 0 });
  await holdBudget(client, needed);
  await reopenCall(client, call);
  return { kind: 'open', admitted: false, attempt };
}

/**
 * Charges the reservations of callers that crashed and never came back (older than `olderThanMs`)
 * their worst case: their outcome is unknown. Returns how many were charged.
 */
export async function chargeStaleReservations(client: PoolClient, olderThanMs: number): Promise<number> {
  const stale = await lockStaleCalls(client, olderThanMs);
  for (const row of stale) await chargeAbandonedAttempt(client, row, `reservation expired with its outcome unknown (the caller never finished): charged its worst case`);
  return stale.length;
}
