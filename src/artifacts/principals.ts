import type { PoolClient } from 'pg';
import type { QuotaSet } from '../config/schema';
import { ensureAccount } from '../ledger/queries';
import { grantInitialQuotas } from '../rights/quotas';
import { SCRIP } from '../ids';

/** The rows every principal needs: a scrip account, empty buckets and its initial rights. */
export async function initPrincipal(client: PoolClient, id: string, quotas: QuotaSet, isSystem = false): Promise<void> {
  await ensureAccount(client, id, SCRIP, isSystem);
  await client.query(
    `INSERT INTO buckets (principal_id, resource, balance) VALUES ($1, 'compute', 0), ($1, 'llm_tokens', 0) ON CONFLICT DO NOTHING`,
    [id],
  );
  await grantInitialQuotas(client, id, quotas);
}
