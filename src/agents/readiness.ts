import type { Pool } from 'pg';
import { getArtifact } from '../artifacts/queries';
import type { EcologyConfig } from '../config/schema';
import { getBudgetStatus } from '../llm/budget';
import { agentConfigFrom } from './config';
import { readBalanceViews } from './balances';
import { unsubscribeAll } from './queries';
import { loopSettings as loadSettings } from './settings';
import type { AgentLoopSettings, Readiness } from './types';

/**
 * Step 2 of the loop (SPEC section 8): may the agent think now? Not while its compute or LLM token
 * bucket is in debt (until: the computed recovery time, null when it never recovers by accrual) or
 * while the system LLM budget is spent. Also drops the agent's event subscriptions: it is awake.
 */
export async function checkReadiness(pool: Pool, config: EcologyConfig, agentId: string): Promise<Readiness> {
  const settings = loadSettings(config);
  const own = await agentReadiness(pool, config, agentId, settings);
  if (own.status !== 'ready') return own;
  // The budget is read once the agent's connection is back in the pool: an activity holding one
  // connection while it waits for another deadlocks the pool when many run at once.
  // A read; only a budget that looks spent is re-read at its configured size (which an operator
  // may have raised), so the hot budget row is not written on every iteration of every agent.
  let budget = await getBudgetStatus(pool);
  if (budget.exhausted) budget = await getBudgetStatus(pool, config);
  if (budget.exhausted) return { ...own, status: 'budget', until: null, reason: `the system LLM budget is spent (${budget.remaining_micros} micro-dollars left)` };
  return own;
}

/** The agent's own part of readiness, on one connection: standing, subscriptions, balances, debt. */
async function agentReadiness(pool: Pool, config: EcologyConfig, agentId: string, settings: AgentLoopSettings): Promise<Readiness> {
  const client = await pool.connect();
  try {
    const art = await getArtifact(client, agentId);
    if (!art || !art.has_standing || !art.can_execute) {
      return { status: 'missing', until: null, reason: `${agentId} is not an agent (missing, or no standing or not executable)`, balances: null, thinkDelayMs: 0, settings };
    }
    const thinkDelayMs = agentConfigFrom(art.content, config).think_delay_ms;
    await unsubscribeAll(client, agentId);
    const { balances, compute, llm } = await readBalanceViews(client, agentId);
    const base = { balances, thinkDelayMs, settings };
    if (compute.in_debt) return { ...base, status: 'compute-debt', until: compute.recovers_at, reason: `compute ${compute.available} (in debt)` };
    if (llm.in_debt) return { ...base, status: 'llm-debt', until: llm.recovers_at, reason: `llm_tokens ${llm.available} (in debt)` };
    return { ...base, status: 'ready', until: null, reason: 'ready' };
  } finally {
    client.release();
  }
}
