import type { Pool } from 'pg';
import { openBountyDeadlines } from '../bounties/queries';
import type { BountyStarter } from './hooks';

/**
 * Starts the deadline workflow of every open bounty again (a running one is kept: starts are
 * idempotent by workflow id). A post whose hook never ran (the process died between its commit and
 * the start) would otherwise keep its reward held forever; the world's bootstrap calls this.
 */
export async function ensureBountyDeadlines(pool: Pool, starter: Pick<BountyStarter, 'startDeadline'>): Promise<number> {
  const open = await openBountyDeadlines(pool);
  for (const b of open) await starter.startDeadline(b.id, b.deadline.toISOString());
  return open.length;
}
