import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { SCRIP } from '../ids';
import { getBudgetStatus, remainingMicros, type BudgetRow } from '../llm/budget';
import { agentConfigFrom } from './config';
import { balanceColumnsSql, balanceViewsFromRow, type BalanceColumns } from './balances';
import { confirmGone } from './runs';
import { loopSettings as loadSettings } from './settings';
import type { Readiness } from './types';

/**
 * Everything readiness reads, in one statement: the agent's standing, its configuration, its
 * balances and the system budget; and, when it is an agent, its event subscriptions dropped.
 * Placeholders: $1 agent, $2 SCRIP.
 */
const READINESS_SQL = `WITH me AS (SELECT content, has_standing AND can_execute AS agent FROM artifacts WHERE id = $1),
  unsubscribed AS (DELETE FROM agent_subscriptions WHERE agent_id = $1 AND (SELECT agent FROM me)),
  running AS (INSERT INTO agent_runs (agent_id) SELECT $1 WHERE (SELECT agent FROM me)
      AND NOT EXISTS (SELECT 1 FROM agent_runs WHERE agent_id = $1 AND stopped_at IS NULL)
    ON CONFLICT (agent_id) DO UPDATE SET started_at = now(), stopped_at = NULL, stop_reason = NULL)
  SELECT COALESCE((SELECT agent FROM me), false) AS agent, (SELECT content FROM me) AS content,
    ${balanceColumnsSql('$1', '$2')},
    (SELECT row_to_json(b) FROM (SELECT budget_micros, reserved_micros, spent_micros FROM llm_budget WHERE id) b) AS budget`;

/**
 * Step 2 of the loop (SPEC section 8): may the agent think now? Not while its compute or LLM token
 * bucket is in debt (until: the computed recovery time, null when it never recovers by accrual) or
 * while the system LLM budget is spent. Also drops the agent's event subscriptions (it is awake) and
 * marks its workflow running (agent_runs: only running agents share UBI). An agent this world has
 * no record of is refused (WORLD_MISMATCH), not reported missing: see confirmGone.
 */
export async function checkReadiness(pool: Pool, config: EcologyConfig, agentId: string): Promise<Readiness> {
  const settings = loadSettings(config);
  const r = await pool.query<BalanceColumns & { agent: boolean; content: unknown; budget: BudgetRow | null }>({
    name: 'agent_readiness',
    text: READINESS_SQL,
    values: [agentId, SCRIP],
  });
  const row = r.rows[0];
  if (!row.agent) {
    await confirmGone(pool, agentId);
    return { status: 'missing', until: null, reason: `${agentId} is not an agent (missing, or no standing or not executable)`, balances: null, thinkDelayMs: 0, settings };
  }
  const thinkDelayMs = agentConfigFrom(row.content, config).think_delay_ms;
  const { balances, compute, llm } = balanceViewsFromRow(agentId, row);
  const base = { balances, thinkDelayMs, settings };
  if (compute.in_debt) return { ...base, status: 'compute-debt', until: compute.recovers_at, reason: `compute ${compute.available} (in debt)` };
  if (llm.in_debt) return { ...base, status: 'llm-debt', until: llm.recovers_at, reason: `llm_tokens ${llm.available} (in debt)` };
  // Before the first call there is no budget row, which reads as not spent (the first call
  // creates it from configuration). Only a budget that looks spent is re-read at its configured
  // size (which an operator may have raised), so the hot budget row is not written on every
  // iteration of every agent.
  if (row.budget && remainingMicros(row.budget) === 0) {
    const budget = await getBudgetStatus(pool, config);
    if (budget.exhausted) return { ...base, status: 'budget', until: null, reason: `the system LLM budget is spent (${budget.remaining_micros} micro-dollars left)` };
  }
  return { ...base, status: 'ready', until: null, reason: 'ready' };
}
