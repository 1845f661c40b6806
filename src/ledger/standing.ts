import type { PoolClient } from 'pg';
import { invalid, notFound } from '../errors';

/**
 * Throws NOT_FOUND for a missing artifact and INVALID_ARGUMENT for one without standing. Only a
 * principal (an artifact with standing) may hold or move money, so the ledger asks this itself.
 */
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
