import type { PoolClient } from 'pg';
import { diskUsed } from './queries';
import { settleBucket, type BucketResource } from '../buckets/store';
import { EcologyError } from '../errors';
import { moveQuota, type QuotaResource } from '../rights/quotas';

/** Which bucket a right governs: its balance must be settled at the old rate before the rate moves. */
const GOVERNS: Partial<Record<QuotaResource, BucketResource>> = {
  compute_rate: 'compute',
  compute_capacity: 'compute',
  llm_token_rate: 'llm_tokens',
  llm_token_capacity: 'llm_tokens',
};

/**
 * Moves `amount` of a right from one principal to another (a gift, or into and out of an escrow
 * offer): the buckets it governs are settled first, the part LLM calls in flight hold stays
 * (moveQuota), and disk the giver uses stays with it (the escrow, which holds listed artifacts for
 * their sellers, gives disk back with `giverUsesDisk: false`).
 * It lives with the principals, not in src/rights/: it settles buckets and reads the disk a
 * principal's artifacts use, and both of those stand above the rights themselves.
 */
export async function moveRight(
  client: PoolClient,
  from: string,
  to: string,
  resource: QuotaResource,
  amount: number,
  opts: { giverUsesDisk?: boolean } = {},
): Promise<{ from_amount: number; to_amount: number }> {
  const bucket = GOVERNS[resource];
  if (bucket) {
    for (const p of [from, to].sort()) await settleBucket(client, p, bucket);
  }
  const moved = await moveQuota(client, from, to, resource, amount);
  if (resource === 'disk_bytes' && opts.giverUsesDisk !== false) {
    // Disk already in use stays charged: giving it away would leave more stored than the quota allows.
    const used = await diskUsed(client, from);
    if (used > moved.from_amount) {
      throw new EcologyError('QUOTA_EXCEEDED', `${from} uses ${used} bytes of disk; it may give away at most ${moved.from_amount + amount - used}`, {
        used,
        quota: moved.from_amount + amount,
      });
    }
  }
  return moved;
}
