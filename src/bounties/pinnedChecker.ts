/**
 * A bounty's checker is pinned while the bounty is open or a check of it runs: its poster could
 * otherwise rewrite it to fail a good submission (and take the reward back at the deadline),
 * delete it, or give it away. genesis_store's write, delete and transfer_ownership and
 * genesis_escrow's deposit call this before they change an artifact.
 */
import type { PoolClient } from 'pg';
import { getArtifact } from '../artifacts/queries';
import { EcologyError } from '../errors';

export async function refuseIfPinnedChecker(client: PoolClient, artifactId: string, change: string): Promise<void> {
  // The artifact's row lock first, as post takes it before inserting the bounty: a post that
  // commits meanwhile is seen below, and a change that commits first is what post pins.
  await getArtifact(client, artifactId, true);
  const r = await client.query<{ id: string; status: string }>(
    `SELECT b.id, b.status FROM bounties b
     WHERE b.checker_id = $1
       AND (b.status = 'open' OR EXISTS (SELECT 1 FROM bounty_submissions s WHERE s.bounty_id = b.id AND s.status = 'checking'))
     ORDER BY b.posted_at LIMIT 1`,
    [artifactId],
  );
  const b = r.rows[0];
  if (!b) return;
  const why = b.status === 'open' ? 'which is open' : 'whose submissions are still being checked';
  throw new EcologyError('CONFLICT', `${artifactId} is the checker of bounty ${b.id}, ${why}: it cannot be ${change} until the bounty is closed and its checks are done`, {
    bounty_id: b.id,
  });
}
