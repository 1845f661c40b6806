import type { PoolClient } from 'pg';
import { z } from 'zod';
import { settleBucket, transferBucket, type BucketResource } from '../buckets/store';
import { SCRIP } from '../genesis/ids';
import { transfer } from '../ledger/transfer';
import { moveQuota, QUOTA_RESOURCES, type QuotaResource } from '../rights/quotas';
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

/** Which bucket a right governs: its balance must be settled at the old rate before the rate moves. */
export const QUOTA_BUCKET: Partial<Record<QuotaResource, BucketResource>> = {
  compute_rate: 'compute',
  compute_capacity: 'compute',
  llm_token_rate: 'llm_tokens',
  llm_token_capacity: 'llm_tokens',
};

/** Moves a right, settling the bucket it governs for both parties first. */
export async function moveRight(client: PoolClient, from: string, to: string, resource: QuotaResource, amount: number) {
  const bucket = QUOTA_BUCKET[resource];
  if (bucket) for (const p of [from, to].sort()) await settleBucket(client, p, bucket);
  return moveQuota(client, from, to, resource, amount);
}

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
