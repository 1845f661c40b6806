import type { Pool } from 'pg';
import { getArtifact } from '../artifacts/queries';
import { readBucket } from '../buckets/store';
import type { EcologyConfig } from '../config/schema';
import { getBudgetStatus } from '../llm/budget';
import { agentConfigFrom } from './config';
import { readBalances } from './balances';
import { unsubscribeAll } from './queries';
import { loopSettings } from './settings';
import type { Readiness } from './types';

/**
 * Step 2 of the loop (SPEC section 8): may the agent think now? Not while its compute or LLM token
 * bucket is in debt (until: the computed recovery time, null when it never recovers by accrual) or
 * while the system LLM budget is spent. Also drops the agent's event subscriptions: it is awake.
 */
export async function checkReadiness(pool: Pool, config: EcologyConfig, agentId: string): Promise<Readiness> {
  const settings = loopSettings(config);
  const client = await pool.connect();
  try {
    const art = await getArtifact(client, agentId);
    if (!art || !art.has_standing || !art.can_execute) {
      return { status: 'missing', until: null, reason: `${agentId} is not an agent (missing, or no standing or not executable)`, balances: null, thinkDelayMs: 0, settings };
    }
    const thinkDelayMs = agentConfigFrom(art.content, config).think_delay_ms;
    await unsubscribeAll(client, agentId);
    const balances = await readBalances(client, agentId);
    const base = { balances, thinkDelayMs, settings };
    const compute = await readBucket(client, agentId, 'compute');
    if (compute.in_debt) return { ...base, status: 'compute-debt', until: compute.recovers_at, reason: `compute ${compute.available} (in debt)` };
    const llm = await readBucket(client, agentId, 'llm_tokens');
    if (llm.in_debt) return { ...base, status: 'llm-debt', until: llm.recovers_at, reason: `llm_tokens ${llm.available} (in debt)` };
    // A read; only a budget that looks spent is re-read at its configured size (which an operator
    // may have raised), so the hot budget row is not written on every iteration of every agent.
    let budget = await getBudgetStatus(pool);
    if (budget.exhausted) budget = await getBudgetStatus(pool, config);
    if (budget.exhausted) return { ...base, status: 'budget', until: null, reason: `the system LLM budget is spent (${budget.remaining_micros} micro-dollars left)` };
    return { ...base, status: 'ready', until: null, reason: 'ready' };
  } finally {
    client.release();
  }
}
