import type { PoolClient } from 'pg';
import type { QuotaSet } from '../config/schema';
import { ensureAccount } from '../ledger/queries';
import { grantInitialQuotas } from '../rights/quotas';
import { SCRIP } from '../ids';
import { invalid, notFound } from '../errors';

/** The rows every principal needs: a scrip account, empty buckets and its initial rights. */
export async function initPrincipal(client: PoolClient, id: string, quotas: QuotaSet, isSystem = false): Promise<void> {
  await ensureAccount(client, id, SCRIP, isSystem);
  await client.query(
    `INSERT INTO buckets (principal_id, resource, balance) VALUES ($1, 'compute', 0), ($1, 'llm_tokens', 0) ON CONFLICT DO NOTHING`,
    [id],
  );
  await grantInitialQuotas(client, id, quotas);
}

/** Throws NOT_FOUND for a missing artifact and INVALID_ARGUMENT for one without standing. */
export async function requirePrincipal(client: PoolClient, id: string): Promise<{ genesis: boolean }> {
  const r = await client.query<{ has_standing: boolean; genesis: boolean }>({
    name: 'principal_require',
    text: 'SELECT has_standing, genesis FROM artifacts WHERE id = $1',
    values: [id],
  });
  if (r.rowCount === 0) throw notFound(`principal ${id} does not exist`);
  if (!r.rows[0].has_standing) throw invalid(`${id} is not a principal (it has no standing)`);
  return { genesis: r.rows[0].genesis };
}
