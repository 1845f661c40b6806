import type { Pool } from 'pg';
import { readBucket } from '../buckets/store';
import { readBalances } from './balances';
import type { Predicate, PredicateCheck } from './types';

export function holds(p: Predicate, actual: number): boolean {
  switch (p.op) {
    case '>=':
      return actual >= p.value;
    case '>':
      return actual > p.value;
    case '<=':
      return actual <= p.value;
    case '<':
      return actual < p.value;
    case '==':
      return actual === p.value;
  }
}

/**
 * Checks a `sleep {until}` predicate. Scrip changes only by transfers (which signal the workflow);
 * a bucket also accrues by itself, so for a rising predicate we say when accrual will satisfy it.
 */
export async function checkPredicate(pool: Pool, agentId: string, p: Predicate): Promise<PredicateCheck> {
  const client = await pool.connect();
  try {
    const balances = await readBalances(client, agentId);
    if (holds(p, balances[p.resource])) return { satisfied: true, balances, recheckAt: null };
    let recheckAt: string | null = null;
    if (p.resource !== 'scrip' && (p.op === '>=' || p.op === '>' || p.op === '==')) {
      const b = await readBucket(client, agentId, p.resource);
      const target = p.op === '>' ? Math.floor(p.value) + 1 : Math.ceil(p.value);
      if (b.rate > 0 && target <= b.capacity && target > b.available) {
        recheckAt = new Date(Date.now() + Math.ceil(((target - b.available) * 1000) / b.rate)).toISOString();
      }
    }
    return { satisfied: false, balances, recheckAt };
  } finally {
    client.release();
  }
}
