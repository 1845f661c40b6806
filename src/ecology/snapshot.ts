import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { readBucket } from '../buckets/store';
import type { EcologyConfig } from '../config/schema';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { getBalance } from '../ledger/queries';
import { getBudgetStatus } from '../llm/budget';
import { oracleStatus } from '../oracle/status';
import { displayStatus, queryAgentStates } from '../temporal/agentStates';
import type { WorldSnapshot } from './types';
import '../db/int8';

/** Ids of every agent (principals that run the loop), genesis excluded. */
export async function agentIds(pool: Pool): Promise<string[]> {
  return (await pool.query<{ id: string }>('SELECT id FROM artifacts WHERE has_standing AND can_execute AND NOT genesis ORDER BY id')).rows.map((r) => r.id);
}

export async function scripSupply(pool: Pool): Promise<number> {
  return (await pool.query<{ supply: number }>(`SELECT -balance AS supply FROM accounts WHERE principal_id = $1 AND asset = $2`, [SYSTEM_ACCOUNTS.mint, SCRIP])).rows[0]?.supply ?? 0;
}

/**
 * The world as the root's `summary` shows it: agents by status (each workflow's `state` query),
 * scrip supply, the treasury, LLM dollars spent, the oracle's next resolution. Only small values:
 * it travels through the root's history.
 */
export async function worldSnapshot(pool: Pool, config: EcologyConfig, temporal: Client, maxListed = 200): Promise<WorldSnapshot> {
  const ids = await agentIds(pool);
  const states = await queryAgentStates(temporal, ids, config.ecology.agentQueryTimeoutMs);
  const shown = states.map((s) => ({ id: s.id, iteration: s.state?.iteration, ...displayStatus(s, config.agents.debtNeedsHelpSeconds * 1000) }));
  const byStatus: Record<string, number> = {};
  for (const s of shown) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  // Read before taking a connection: holding one while asking the pool for another would wait
  // forever where the pool has a single connection (the embedded database).
  const budget = await getBudgetStatus(pool);
  const supply = await scripSupply(pool);
  const client = await pool.connect();
  try {
    const treasuryScrip = (await getBalance(client, SYSTEM_ACCOUNTS.treasury, SCRIP)) ?? 0;
    const treasuryCompute = (await readBucket(client, SYSTEM_ACCOUNTS.treasury, 'compute')).available;
    const oracle = await oracleStatus(client, config);
    return {
      at: new Date().toISOString(),
      agents: {
        total: ids.length,
        byStatus,
        list: shown.slice(0, maxListed).map((s) => ({
          id: s.id,
          status: s.status,
          ...(s.iteration !== undefined ? { iteration: s.iteration } : {}),
          // Why, where it matters, kept short: the summary travels through the root's history.
          ...(s.detail && (s.status === 'think-failing' || s.status === 'stuck-in-debt' || s.status === 'unknown') ? { detail: s.detail.slice(0, 200) } : {}),
        })),
      },
      scripSupply: supply,
      treasury: { scrip: treasuryScrip, compute: treasuryCompute },
      llm: { spentMicros: budget.spent_micros, budgetMicros: config.llm.systemBudgetMicros, remainingMicros: Math.max(0, config.llm.systemBudgetMicros - budget.spent_micros - budget.reserved_micros) },
      nextResolutionAt: oracle.next_resolution_at,
      lastResolution: oracle.last_resolution
        ? { id: oracle.last_resolution.resolution_id, status: oracle.last_resolution.status, resolvedAt: oracle.last_resolution.resolved_at ? new Date(oracle.last_resolution.resolved_at).toISOString() : null }
        : null,
    };
  } finally {
    client.release();
  }
}
