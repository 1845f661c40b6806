import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { readBalances } from '../../agents/balances';
import type { Balances } from '../../agents/types';
import type { EcologyConfig } from '../../config/schema';
import { agentIds } from '../../ecology/snapshot';
import { displayStatus, queryAgentStates, statusLabel, type AgentStateView } from '../../temporal/agentStates';
import type { Command, CommandContext } from '../command';
import { naturalCompare, table } from '../table';

export interface AgentRow {
  id: string;
  /** What people see: the state query's status, with `refilling` / `stuck-in-debt` for debt. */
  status: string;
  /** Why: a failing think's error, an unknown status's reason, what a debt waits for. */
  detail: string | null;
  iteration: number | null;
  waiting_for: string | null;
  until: string | null;
  last_action: string | null;
  last_result: string | null;
  balances: Balances;
  reason?: string;
  /** status and detail as one text column. */
  label: string;
}

/** A Temporal client, or why there is none (the listing still shows the database's part). */
export async function temporalOrReason(ctx: CommandContext): Promise<{ client: Client | null; reason: string | null }> {
  try {
    return { client: await ctx.temporal(), reason: null };
  } catch (e) {
    return { client: null, reason: (e as Error).message };
  }
}

export async function agentRows(pool: Pool, client: Client | null, ids: string[], config: EcologyConfig, unreachable: string | null): Promise<AgentRow[]> {
  const worker = { taskQueue: config.temporal.taskQueue, staleMs: config.ecology.workerPollStaleMs };
  const views: AgentStateView[] = client
    ? await queryAgentStates(client, ids, config.ecology.agentQueryTimeoutMs, worker)
    : ids.map((id) => ({ id, status: 'unknown', state: null, reason: unreachable ?? 'Temporal unreachable' }));
  const needsHelpMs = config.agents.debtNeedsHelpSeconds * 1000;
  const db = await pool.connect();
  try {
    const rows: AgentRow[] = [];
    for (const v of views) {
      const s = v.state;
      const shown = displayStatus(v, needsHelpMs);
      rows.push({
        id: v.id,
        status: shown.status,
        detail: shown.detail,
        label: statusLabel(v, needsHelpMs),
        iteration: s?.iteration ?? null,
        waiting_for: s?.waitingFor ?? null,
        until: s?.until ?? null,
        last_action: s?.lastAction ?? null,
        last_result: s?.lastResult?.summary ?? null,
        balances: await readBalances(db, v.id),
        ...('reason' in v ? { reason: v.reason } : {}),
      });
    }
    return rows.sort((a, b) => naturalCompare(a.id, b.id));
  } finally {
    db.release();
  }
}

export function agentTable(rows: AgentRow[]): string {
  return table(rows, [
    { header: 'AGENT', cell: (r) => r.id },
    { header: 'ITER', cell: (r) => r.iteration, right: true },
    { header: 'SCRIP', cell: (r) => r.balances.scrip, right: true },
    { header: 'COMPUTE', cell: (r) => r.balances.compute, right: true },
    { header: 'LLM_TOKENS', cell: (r) => r.balances.llm_tokens, right: true },
    { header: 'LAST RESULT', cell: (r) => (r.last_result ?? '-').slice(0, 40) },
    { header: 'STATUS', cell: (r) => r.label },
  ]);
}

export const agentsCommand: Command = {
  name: 'agents',
  usage: 'agents',
  summary: "every agent with its status (the workflow's state query, with why when it is unknown or its think fails) and balances",
  async run(ctx) {
    const pool = await ctx.pool();
    const config = ctx.config();
    const { client, reason } = await temporalOrReason(ctx);
    const rows = await agentRows(pool, client, await agentIds(pool), config, reason);
    if (reason && !ctx.json) process.stderr.write(`ecology: warning: ${reason}\n`);
    ctx.print({ ok: true, agents: rows, temporal: { reachable: client !== null, ...(reason ? { error: reason } : {}) } }, rows.length ? agentTable(rows) : 'no agents yet (run "ecology up" or "ecology bootstrap")');
    return 0;
  },
};
