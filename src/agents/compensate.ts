import type { Pool } from 'pg';
import { moveEndowment } from '../artifacts/endowment';
import { withTransaction } from '../db/tx';
import { EcologyError } from '../errors';
import { emit } from '../events/emit';
import type { AgentCreation } from '../genesis/context';
import { revokeQuotas } from '../rights/quotas';

/**
 * The compensation of the agent-creation saga: returns the endowment to the creator and removes an
 * agent artifact whose workflow could not start, with its principal rows (scrip account, buckets,
 * rights), in one transaction. Refuses (CONFLICT) once anything else depends on it: money or compute
 * moved to it beyond its endowment, artifacts it owns. The journal is append-only and its entries
 * pin the scrip account, so an agent endowed with scrip is not removed but made inert (no longer
 * executable, so no workflow is expected) once its scrip went back. Returns false when the artifact
 * is already gone.
 */
export async function removeUnstartedAgent(pool: Pool, agentId: string, reason: string, creation?: Pick<AgentCreation, 'creator' | 'key' | 'endowment'>): Promise<boolean> {
  return withTransaction(pool, async (client) => {
    const row = (await client.query<{ owner_id: string; can_execute: boolean }>('SELECT owner_id, can_execute FROM artifacts WHERE id = $1 AND NOT genesis FOR UPDATE', [agentId])).rows[0];
    if (!row?.can_execute) return false;
    if (creation?.endowment) await moveEndowment(client, creation.key, 'endow-return', agentId, creation.creator, creation.endowment);
    // The endowment's own entries (given and returned) are no use of the agent.
    const endowPrefix = creation ? `${creation.key}:endow` : '';
    const uses = (
      await client.query<{ what: string }>(
        `SELECT 'journal entries' AS what WHERE EXISTS (SELECT 1 FROM journal WHERE (debit_principal = $1 OR credit_principal = $1) AND ($2 = '' OR left(id, length($2)) <> $2))
         UNION ALL SELECT 'a non-zero balance' WHERE EXISTS (SELECT 1 FROM accounts WHERE principal_id = $1 AND balance <> 0)
         UNION ALL SELECT 'compute or LLM tokens' WHERE CASE WHEN $2 = ''
           THEN EXISTS (SELECT 1 FROM buckets WHERE principal_id = $1 AND balance <> 0)
           -- endowed with rights, it accrues: only compute others moved to it counts
           ELSE EXISTS (SELECT 1 FROM resource_effects WHERE kind LIKE 'transfer:%' AND payload->>'to' = $1 AND left(id, length($2)) <> $2) END
         UNION ALL SELECT 'artifacts it owns or guards' WHERE EXISTS (SELECT 1 FROM artifacts WHERE id <> $1 AND (owner_id = $1 OR access_contract_id = $1))
         UNION ALL SELECT 'recorded actions' WHERE EXISTS (SELECT 1 FROM agent_actions WHERE agent_id = $1)`,
        [agentId, endowPrefix],
      )
    ).rows;
    if (uses.length > 0) {
      throw new EcologyError('CONFLICT', `cannot undo the creation of ${agentId}: it already has ${uses.map((u) => u.what).join(', ')}`);
    }
    await client.query('DELETE FROM agent_subscriptions WHERE agent_id = $1', [agentId]);
    await revokeQuotas(client, agentId);
    await client.query('DELETE FROM buckets WHERE principal_id = $1', [agentId]);
    const journaled = (await client.query('SELECT 1 FROM journal WHERE debit_principal = $1 OR credit_principal = $1 LIMIT 1', [agentId])).rowCount;
    if (journaled) {
      await client.query('UPDATE artifacts SET can_execute = false, updated_at = now() WHERE id = $1', [agentId]);
      await emit(client, { type: 'artifact_updated', actor: null, subject: agentId, data: { compensation: true, reason, can_execute: false } });
      return true;
    }
    await client.query('DELETE FROM accounts WHERE principal_id = $1', [agentId]);
    await client.query('DELETE FROM artifacts WHERE id = $1', [agentId]);
    await emit(client, { type: 'artifact_deleted', actor: null, subject: agentId, data: { compensation: true, reason, owner_id: row.owner_id } });
    return true;
  });
}
