import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { readBalances } from '../../agents/balances';
import type { Balances } from '../../agents/types';
import { agentIds } from '../../ecology/snapshot';
import { queryAgentStates, type AgentStateView } from '../../temporal/agentStates';
import type { Command, CommandContext } from '../command';

export interface AgentRow {
  id: string;
  status: string;
  iteration: number | null;
  waiting_for: string | null;
  until: string | null;
  last_action: string | null;
  last_result: string | null;
  balances: Balances;
  reason?: string;
}

/** A Temporal client, or why there is none (the listing still shows the database's part). */
export async function temporalOrReason(ctx: CommandContext): Promise<{ client: Client | null; reason: string | null }> {
  try {
    return { client: await ctx.temporal(), reason: null };
  } catch (e) {
    return { client: null, reason: (e as Error).message };
  }
}

export async function agentRows(pool: Pool, client: Client | null, ids: string[], timeoutMs: number, unreachable: string | null): Promise<AgentRow[]> {
  const views: AgentStateView[] = client ? await queryAgentStates(client, ids, timeoutMs) : ids.map((id) => ({ id, status: 'unknown', state: null, reason: unreachable ?? 'Temporal unreachable' }));
  const db = await pool.connect();
  try {
    const rows: AgentRow[] = [];
    for (const v of views) {
      const s = v.state;
      rows.push({
        id: v.id,
        status: v.status,
        iteration: s?.iteration ?? null,
        waiting_for: s?.waitingFor ?? null,
        until: s?.until ?? null,
        last_action: s?.lastAction ?? null,
        last_result: s?.lastResult?.summary ?? null,
        balances: await readBalances(db, v.id),
        ...('reason' in v ? { reason: v.reason } : {}),
      });
    }
    return rows;
  } finally {
    db.release();
  }
}

function line(r: AgentRow): string {
  const waits = r.waiting_for ? ` (${r.waiting_for}${r.until ? ` until ${r.until.slice(11, 19)}Z` : ''})` : '';
  return `${r.id.padEnd(24)} ${r.status.padEnd(18)} iter ${String(r.iteration ?? '-').padStart(5)}  scrip ${String(r.balances.scrip).padStart(7)}  compute ${String(r.balances.compute).padStart(8)}  ${r.last_result ?? ''}${waits}`;
}

export const agentsCommand: Command = {
  name: 'agents',
  usage: 'agents',
  summary: "every agent with its workflow's status (the state query; 'unknown' when it cannot be reached) and balances",
  async run(ctx) {
    const pool = await ctx.pool();
    const config = ctx.config();
    const { client, reason } = await temporalOrReason(ctx);
    const rows = await agentRows(pool, client, await agentIds(pool), config.ecology.agentQueryTimeoutMs, reason);
    if (reason && !ctx.json) process.stderr.write(`ecology: warning: ${reason}\n`);
    ctx.print({ ok: true, agents: rows, temporal: { reachable: client !== null, ...(reason ? { error: reason } : {}) } }, rows.length ? rows.map(line).join('\n') : 'no agents yet (run "ecology up" or "ecology bootstrap")');
    return 0;
  },
};
