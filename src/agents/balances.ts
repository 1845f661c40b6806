import type { PoolClient } from 'pg';
import { readBucket } from '../buckets/store';
import { SCRIP } from '../genesis/ids';
import { getBalance } from '../ledger/queries';
import type { Balances } from './types';

/** The three balances the state query and predicate sleeps use. */
export async function readBalances(client: PoolClient, agentId: string): Promise<Balances> {
  const scrip = (await getBalance(client, agentId, SCRIP)) ?? 0;
  const compute = await readBucket(client, agentId, 'compute');
  const llm = await readBucket(client, agentId, 'llm_tokens');
  return { scrip, compute: compute.available, llm_tokens: llm.available };
}
