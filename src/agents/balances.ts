import type { PoolClient } from 'pg';
import { readBucket, type BucketView } from '../buckets/store';
import { SCRIP } from '../genesis/ids';
import { getBalance } from '../ledger/queries';
import type { Balances } from './types';

/** The three balances the state query and predicate sleeps use. */
export async function readBalances(client: PoolClient, agentId: string): Promise<Balances> {
  return (await readBalanceViews(client, agentId)).balances;
}

/** The balances and the two bucket views they come from (readiness needs the debt details too). */
export async function readBalanceViews(client: PoolClient, agentId: string): Promise<{ balances: Balances; compute: BucketView; llm: BucketView }> {
  const scrip = (await getBalance(client, agentId, SCRIP)) ?? 0;
  const compute = await readBucket(client, agentId, 'compute');
  const llm = await readBucket(client, agentId, 'llm_tokens');
  return { balances: { scrip, compute: compute.available, llm_tokens: llm.available }, compute, llm };
}
