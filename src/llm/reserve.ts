import type { PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { requirePrincipal } from '../artifacts/principals';
import { readBucket } from '../buckets/store';
import { EcologyError } from '../errors';
import { getQuota } from '../rights/quotas';
import { holdBudget, lockBudget, remainingMicros, settleBudget } from './budget';
import { expireStaleCalls, heldByPayer, insertOpenCall, lockCall, reopenCall, resultOf, type OpenCall } from './callRecords';
import type { LlmCallResult } from './types';

export type Claim = { kind: 'replay'; result: LlmCallResult } | { kind: 'open' };

/**
 * Before a call, in one transaction: replay a completed key; else check the system budget, the
 * payer's LLM token bucket and its dollar allowance against the call's worst case, and reserve it.
 * Locks in the order call row, quota row, budget row (settlement uses the same order).
 * An attempt at a key that did not complete (failed, or crashed while reserved) reopens it and
 * swaps its old hold for the new worst case.
 */
export async function claimCall(client: PoolClient, config: EcologyConfig, call: OpenCall): Promise<Claim> {
  if (call.payer !== null) await requirePrincipal(client, call.payer);
  const inserted = await insertOpenCall(client, call);
  let priorHold = 0;
  if (!inserted) {
    const prior = await lockCall(client, call.key);
    if (!prior) throw new Error(`llm call ${call.key} vanished`);
    if (prior.payer_id !== call.payer) {
      throw new EcologyError('IDEMPOTENCY_CONFLICT', `key ${call.key} was already used for an LLM call paid by ${prior.payer_id ?? 'the system'}`);
    }
    if (prior.status === 'succeeded') return { kind: 'replay', result: resultOf(prior, true) };
    priorHold = prior.reserved_micros;
  }

  const bucket = call.payer === null ? null : await readBucket(client, call.payer, 'llm_tokens');
  const allowance = call.payer === null ? null : await getQuota(client, call.payer, 'llm_dollars', true);
  const heldElsewhere = call.payer === null ? 0 : await heldByPayer(client, call.payer, call.key);
  const budget = await lockBudget(client, config.llm.systemBudgetMicros);

  const needed = call.worstCaseMicros;
  if (remainingMicros(budget) + priorHold < needed) {
    throw new EcologyError('BUDGET_EXHAUSTED', `the system LLM budget cannot cover this call's worst case of ${needed} micro-dollars`, {
      budget_micros: budget.budget_micros,
      spent_micros: budget.spent_micros,
      reserved_micros: budget.reserved_micros,
      needed_micros: needed,
    });
  }
  if (bucket?.in_debt) {
    throw new EcologyError('IN_DEBT', `${call.payer} is in LLM token debt (${bucket.available})`, {
      resource: 'llm_tokens',
      available: bucket.available,
      recovers_at: bucket.recovers_at,
    });
  }
  if (allowance !== null && allowance - heldElsewhere < needed) {
    throw new EcologyError('QUOTA_EXCEEDED', `${call.payer}'s LLM dollar allowance cannot cover this call's worst case of ${needed} micro-dollars`, {
      resource: 'llm_dollars',
      allowance_micros: allowance,
      held_micros: heldElsewhere,
      needed_micros: needed,
    });
  }

  if (inserted) {
    await holdBudget(client, needed);
  } else {
    await settleBudget(client, { release: priorHold, spend: 0 });
    await holdBudget(client, needed);
    await reopenCall(client, call);
  }
  return { kind: 'open' };
}

/** Gives back what crashed callers still hold; returns the micro-dollars freed. */
export async function releaseStaleReservations(client: PoolClient, olderThanMs: number): Promise<number> {
  const freed = await expireStaleCalls(client, olderThanMs);
  if (freed > 0) await settleBudget(client, { release: freed, spend: 0 });
  return freed;
}
