import type { PoolClient } from 'pg';
import { z } from 'zod';
import { transferBucket } from '../buckets/store';
import { SCRIP } from '../ids';
import { transfer } from '../ledger/transfer';
import { moveRight } from './moveRight';
import { QUOTA_RESOURCES, type QuotaResource } from '../rights/quotas';
import { positiveAmount } from '../validation';

/**
 * What a creator gives a new principal in the transaction that creates it (SPEC section 7): scrip,
 * compute, and rights. A created principal starts with none of them, so an agent created without
 * an endowment cannot think until someone funds it.
 */
export const endowmentArgs = z.strictObject({
  scrip: positiveAmount.optional(),
  compute: positiveAmount.optional(),
  quotas: z.partialRecord(z.enum(QUOTA_RESOURCES), positiveAmount).optional(),
});
export type Endowment = z.infer<typeof endowmentArgs>;

/**
 * Moves an endowment from `from` to `to` in the caller's transaction; any shortfall fails the whole
 * transaction (INSUFFICIENT_FUNDS). Ids derive from `key` and `tag` (give or return), so a retry
 * replays instead of moving twice.
 */
export async function moveEndowment(client: PoolClient, key: string, tag: 'endow' | 'endow-return', from: string, to: string, e: Endowment): Promise<void> {
  if (e.scrip) await transfer(client, { id: `${key}:${tag}:scrip`, from, to, asset: SCRIP, amount: e.scrip, kind: 'endowment', reference: tag === 'endow' ? to : from });
  if (e.compute) await transferBucket(client, { id: `${key}:${tag}:compute`, from, to, resource: 'compute', amount: e.compute });
  for (const [resource, amount] of Object.entries(e.quotas ?? {}) as Array<[QuotaResource, number]>) {
    await moveRight(client, from, to, resource, amount);
  }
}
