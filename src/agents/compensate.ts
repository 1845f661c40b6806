import type { Pool } from 'pg';
import { withTransaction } from '../db/tx';
import { EcologyError } from '../errors';
import { emit } from '../events/emit';
import { revokeQuotas } from '../rights/quotas';

/**
 * The compensation of the agent-creation saga: removes an agent artifact whose workflow could not
 * start, with its principal rows (scrip account, buckets, rights), in one transaction. Refuses
 * (CONFLICT) once anything else depends on it: money or compute moved to it, artifacts it owns.
 * Returns false when the artifact is already gone.
 */
export async function removeUnstartedAgent(pool: Pool, agentId: string, reason: string): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const row = (await client.query<{ owner_id: string }>('SELECT owner_id FROM artifacts WHERE id = $1 AND NOT genesis FOR UPDATE', [agentId])).rows[0];
    if (!row) return false;
    const uses = (
      await client.query<{ what: string }>(
        `SELECT 'journal entries' AS what WHERE EXISTS (SELECT 1 FROM journal WHERE debit_principal = $1 OR credit_principal = $1)
         UNION ALL SELECT 'a non-zero balance' WHERE EXISTS (SELECT 1 FROM accounts WHERE principal_id = $1 AND balance <> 0)
         UNION ALL SELECT 'compute or LLM tokens' WHERE EXISTS (SELECT 1 FROM buckets WHERE principal_id = $1 AND balance <> 0)
         UNION ALL SELECT 'artifacts it owns or guards' WHERE EXISTS (SELECT 1 FROM artifacts WHERE id <> $1 AND (owner_id = $1 OR access_contract_id = $1))
         UNION ALL SELECT 'recorded actions' WHERE EXISTS (SELECT 1 FROM agent_actions WHERE agent_id = $1)`,
        [agentId],
      )
    ).rows;
    if (uses.length > 0) {
      throw new EcologyError('CONFLICT', `cannot undo the creation of ${agentId}: it already has ${uses.map((u) => u.what).join(', ')}`);
    }
    await client.query('DELETE FROM agent_subscriptions WHERE agent_id = $1', [agentId]);
    await revokeQuotas(client, agentId);
    await client.query('DELETE FROM buckets WHERE principal_id = $1', [agentId]);
    await client.query('DELETE FROM accounts WHERE principal_id = $1', [agentId]);
    await client.query('DELETE FROM artifacts WHERE id = $1', [agentId]);
    await emit(client, { type: 'artifact_deleted', actor: null, subject: agentId, data: { compensation: true, reason, owner_id: row.owner_id } });
    return true;
  });
}
