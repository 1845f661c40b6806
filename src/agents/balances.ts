import type { PoolClient } from 'pg';
import { bucketJsonSql, bucketViewFromRow, type BucketRow, type BucketView } from '../buckets/store';
import { SCRIP } from '../ids';
import type { Balances } from './types';
import '../db/int8';

/** The three balances the state query and predicate sleeps use. */
export async function readBalances(client: Pick<PoolClient, 'query'>, agentId: string): Promise<Balances> {
  return (await readBalanceViews(client, agentId)).balances;
}

/**
 * The columns scrip, compute and llm (bucket rows as JSON) of an agent named by placeholder
 * `principal`, for statements that read the balances next to other things; placeholder `asset`
 * holds SCRIP. balanceViewsFromRow makes the views.
 */
export function balanceColumnsSql(principal: string, asset: string): string {
  return `(SELECT balance FROM accounts WHERE principal_id = ${principal} AND asset = ${asset}) AS scrip,
    ${bucketJsonSql(principal, 'compute')} AS compute, ${bucketJsonSql(principal, 'llm_tokens')} AS llm`;
}

export interface BalanceColumns {
  scrip: number | null;
  compute: BucketRow;
  llm: BucketRow;
}

export type BalanceViews = { balances: Balances; compute: BucketView; llm: BucketView };

export function balanceViewsFromRow(agentId: string, row: BalanceColumns): BalanceViews {
  const compute = bucketViewFromRow(agentId, 'compute', row.compute);
  const llm = bucketViewFromRow(agentId, 'llm_tokens', row.llm);
  return { balances: { scrip: row.scrip ?? 0, compute: compute.available, llm_tokens: llm.available }, compute, llm };
}

/** The balances and the two bucket views they come from (readiness needs the debt details too), in one statement. */
export async function readBalanceViews(client: Pick<PoolClient, 'query'>, agentId: string): Promise<BalanceViews> {
  const r = await client.query<BalanceColumns>({ name: 'agent_balances', text: `SELECT ${balanceColumnsSql('$1', '$2')}`, values: [agentId, SCRIP] });
  return balanceViewsFromRow(agentId, r.rows[0]);
}
