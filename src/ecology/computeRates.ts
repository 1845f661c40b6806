import type { Pool } from 'pg';
import { settleBucket } from '../buckets/store';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { emit } from '../events/emit';
import { getQuota, setQuota } from '../rights/quotas';

export interface RateChange {
  principal: string;
  from: number;
  to: number;
}

/**
 * Sets the compute_rate of the principals named in config.ecology.computeRates (an operator's act,
 * e.g. after `ecology calibrate`): each bucket is settled first, so what accrued until now accrued
 * at the old rate. Principals that do not exist are skipped; an unchanged rate writes nothing.
 */
export async function applyComputeRates(pool: Pool, config: EcologyConfig): Promise<{ changed: RateChange[]; missing: string[] }> {
  const wanted = Object.entries(config.ecology.computeRates).sort(([a], [b]) => a.localeCompare(b));
  if (wanted.length === 0) return { changed: [], missing: [] };
  return withTransaction(pool, async (client) => {
    const changed: RateChange[] = [];
    const missing: string[] = [];
    for (const [principal, rate] of wanted) {
      const exists = (await client.query('SELECT 1 FROM artifacts WHERE id = $1 AND has_standing', [principal])).rowCount;
      if (!exists) {
        missing.push(principal);
        continue;
      }
      const current = await getQuota(client, principal, 'compute_rate', true);
      if (current === rate) continue;
      await settleBucket(client, principal, 'compute');
      await setQuota(client, principal, 'compute_rate', rate);
      await emit(client, { type: 'quota_set', actor: null, subject: principal, data: { resource: 'compute_rate', from: current, to: rate, by: 'operator' } });
      changed.push({ principal, from: current, to: rate });
    }
    return { changed, missing };
  });
}
