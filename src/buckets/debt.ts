import type { PoolClient } from 'pg';
import { readBucket, type BucketView } from './store';

/**
 * The one meaning of "in debt", used by the dashboard's card and debt chart, `ecology metrics`,
 * `ecology balances` and the agents' statuses: a principal whose compute or LLM-token bucket is
 * below zero (work is charged after it runs, so a bucket can go negative; accrual refills it).
 */
export function isInDebt(compute: Pick<BucketView, 'in_debt'>, llmTokens: Pick<BucketView, 'in_debt'>): boolean {
  return compute.in_debt || llmTokens.in_debt;
}

export interface DebtsNow {
  /** Principal id -> available (negative) balance, per resource. */
  compute: Record<string, number>;
  llm_tokens: Record<string, number>;
}

/** Every bucket below zero now (after accrual), by resource. */
export async function debtsNow(client: Pick<PoolClient, 'query'>): Promise<DebtsNow> {
  const out: DebtsNow = { compute: {}, llm_tokens: {} };
  // Only a negative stored balance can be in debt now (accrual only adds).
  const r = await client.query<{ principal_id: string; resource: 'compute' | 'llm_tokens' }>(
    `SELECT principal_id, resource FROM buckets WHERE balance < 0 AND resource IN ('compute', 'llm_tokens') ORDER BY principal_id, resource`,
  );
  for (const b of r.rows) {
    const view = await readBucket(client as PoolClient, b.principal_id, b.resource);
    if (view.in_debt) out[b.resource][b.principal_id] = view.available;
  }
  return out;
}

/** How many principals are in debt: those with either bucket below zero, each counted once. */
export function principalsInDebt(d: Pick<DebtsNow, 'compute' | 'llm_tokens'>): number {
  return new Set([...Object.keys(d.compute), ...Object.keys(d.llm_tokens)]).size;
}
