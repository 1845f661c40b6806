import type { Pool } from 'pg';
import { initPrincipal } from '../artifacts/principals';
import { insertArtifact } from '../artifacts/queries';
import { withTransaction } from '../db/tx';
import { methodCatalogue } from './registry';
import { CONTRACTS, GENESIS_SERVICES, SYSTEM_ACCOUNT_IDS } from '../ids';

const CONTRACT_DOCS: Record<string, string> = {
  [CONTRACTS.selfOwned]: 'The artifact controls itself; others may read and invoke it. Default for agents.',
  [CONTRACTS.ownerOnly]: 'The owner may do everything; others may read and invoke. Default for other artifacts.',
  [CONTRACTS.private]: 'Only the owner may read, invoke or change it.',
  [CONTRACTS.public]: 'Anyone may read, write and invoke; only the owner may delete or transfer it.',
};

const NO_QUOTAS = { compute_rate: 0, compute_capacity: 0, llm_token_rate: 0, llm_token_capacity: 0, disk_bytes: 0, llm_dollars: 0 };

/**
 * Creates the genesis artifacts (services, access contracts, system accounts) if missing.
 * Idempotent and safe to run concurrently.
 */
export async function bootstrapGenesis(pool: Pool): Promise<{ created: string[] }> {
  return withTransaction(pool, async (client) => {
    const created: string[] = [];
    const catalogue = methodCatalogue();
    const genesis = (id: string, type: string, content: unknown, hasStanding: boolean, canExecute: boolean) => ({
      id, type, content, code: null, owner_id: id, access_contract_id: CONTRACTS.ownerOnly, has_standing: hasStanding,
      can_execute: canExecute, price: 0, size_bytes: 0, genesis: true, created_by: null,
    });
    for (const [id, doc] of Object.entries(CONTRACT_DOCS)) {
      if (await insertArtifact(client, genesis(id, 'access_contract', { description: doc }, false, false))) created.push(id);
    }
    for (const id of GENESIS_SERVICES) {
      const methods = catalogue.filter((m) => m.artifact === id).map(({ method, description }) => ({ method, description }));
      if (await insertArtifact(client, genesis(id, 'genesis_service', { methods }, true, true))) created.push(id);
      // Keep the published method list current when a new version adds methods.
      await client.query('UPDATE artifacts SET content = $2 WHERE id = $1 AND genesis AND content <> $2::jsonb', [id, JSON.stringify({ methods })]);
      await initPrincipal(client, id, NO_QUOTAS, true);
    }
    for (const id of SYSTEM_ACCOUNT_IDS) {
      if (await insertArtifact(client, genesis(id, 'system_account', { description: `system account ${id}` }, true, false))) created.push(id);
      await initPrincipal(client, id, NO_QUOTAS, true);
    }
    return { created };
  });
}
