import { WorkflowNotFoundError } from '@temporalio/client';
import { recentActions } from '../../agents/queries';
import { agentWorkflowId } from '../../agents/types';
import { readBucket } from '../../buckets/store';
import { notFound } from '../../errors';
import { SCRIP } from '../../ids';
import { getBalance } from '../../ledger/queries';
import { getQuotas } from '../../rights/quotas';
import { displayStatus, queryAgentStates, statusLabel } from '../../temporal/agentStates';
import { UsageError, type Command } from '../command';
import { limitOption } from '../parse';
import { temporalOrReason } from './agents';

export const agentCommand: Command = {
  name: 'agent',
  usage: 'agent <id> [--limit N]',
  summary: "one agent: its workflow's state query, balances, quotas and last actions",
  valueOptions: ['limit'],
  async run(ctx) {
    const [id] = ctx.positionals;
    if (!id || ctx.positionals.length > 1) throw new UsageError('expected: agent <id>');
    const config = ctx.config();
    const limit = limitOption(ctx.options.limit, config.ecology.recentActions, config.limits.maxListLimit);
    const pool = await ctx.pool();
    const art = (await pool.query<{ type: string; content: unknown; owner_id: string; can_execute: boolean; has_standing: boolean }>('SELECT type, content, owner_id, can_execute, has_standing FROM artifacts WHERE id = $1', [id])).rows[0];
    if (!art) throw notFound(`no artifact ${id}; "ecology agents" lists the agents and their status`);
    const db = await pool.connect();
    const { balances, quotas } = await (async () => {
      const compute = await readBucket(db, id, 'compute');
      const llm = await readBucket(db, id, 'llm_tokens');
      return {
        balances: { scrip: (await getBalance(db, id, SCRIP)) ?? 0, compute: compute.available, compute_in_debt: compute.in_debt, compute_recovers_at: compute.recovers_at, llm_tokens: llm.available, llm_in_debt: llm.in_debt },
        quotas: await getQuotas(db, id),
      };
    })().finally(() => db.release());
    const { client, reason } = await temporalOrReason(ctx);
    let workflow: Record<string, unknown> | null = null;
    let state: unknown = null;
    let status = 'unknown';
    let label = reason ? `unknown: ${reason}` : 'unknown';
    let detail: string | null = reason;
    if (client) {
      const [view] = await queryAgentStates(client, [id], config.ecology.agentQueryTimeoutMs, { taskQueue: config.temporal.taskQueue, staleMs: config.ecology.workerPollStaleMs });
      ({ status, detail } = displayStatus(view!, config.agents.debtNeedsHelpSeconds * 1000));
      label = statusLabel(view!, config.agents.debtNeedsHelpSeconds * 1000);
      state = view!.state ?? ('reason' in view! ? { reason: view!.reason } : null);
      try {
        const d = await client.workflow.getHandle(agentWorkflowId(id)).describe();
        workflow = { workflow_id: d.workflowId, run_id: d.runId, status: d.status.name, started: d.startTime.toISOString(), history_length: d.historyLength, task_queue: d.taskQueue };
      } catch (e) {
        if (!(e instanceof WorkflowNotFoundError)) workflow = { error: (e as Error).message };
      }
    }
    const actions = (await recentActions(pool, id, limit)).map((a) => ({
      iteration: a.iteration,
      status: a.status,
      action: a.action_type,
      summary: a.summary,
      reasoning: a.reasoning,
      error: a.error,
      cost_micros: a.cost_micros,
      acted_at: (a.acted_at ?? a.thought_at)?.toISOString() ?? null,
    }));
    const out = { ok: true, id, artifact: { type: art.type, owner: art.owner_id, agent: art.has_standing && art.can_execute, content: art.content }, status, state, workflow, balances, quotas, actions, status_detail: detail, ...(reason ? { temporal_error: reason } : {}) };
    const human = [
      `${id}: ${label}${workflow ? ` (workflow ${workflow.status ?? '?'}, history ${workflow.history_length ?? '?'} events)` : reason ? ` (${reason})` : ' (no workflow)'}`,
      `balances: scrip ${balances.scrip}, compute ${balances.compute}${balances.compute_in_debt ? ` (in debt until ${balances.compute_recovers_at})` : ''}, llm tokens ${balances.llm_tokens}`,
      `quotas: ${Object.entries(quotas).map(([k, v]) => `${k} ${v}`).join(', ')}`,
      `last actions:`,
      ...actions.map((a) => `  #${a.iteration} ${a.status.padEnd(7)} ${a.summary ?? ''}`),
    ].join('\n');
    ctx.print(out, human);
    return 0;
  },
};
