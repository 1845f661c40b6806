import { notFound } from '../../errors';
import type { Command } from '../command';
import { rootSummary } from './spawn';
import { shutdownSignal } from '../../ecology/signals';

const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(4)}`;

export const summaryCommand: Command = {
  name: 'summary',
  usage: 'summary',
  summary: "the world's root (ecologyWorkflow): agents by status, scrip supply, dollars spent, next resolution, spawns",
  async run(ctx) {
    const config = ctx.config();
    const s = await rootSummary(await ctx.temporal(), config);
    if (!s) throw notFound(`no running ${config.ecology.workflowId} workflow on Temporal at ${config.temporal.address} (namespace ${config.temporal.namespace}); start it with "ecology up" (or from the Temporal UI)`, { service: 'temporal' });
    const w = s.world;
    ctx.print({ ok: true, summary: s }, [
      `${config.ecology.workflowId}: ${s.status} (run ${s.runs + 1})`,
      w ? `agents: ${w.agents.total} (${Object.entries(w.agents.byStatus).map(([k, v]) => `${v} ${k}`).join(', ') || 'none'})` : 'agents: not read yet',
      ...(w?.agents.list ?? []).filter((a) => a.detail).map((a) => `  ${a.id}: ${a.status}: ${a.detail}`),
      w ? `scrip supply ${w.scripSupply}; treasury ${w.treasury.scrip} scrip, ${w.treasury.compute} compute` : '',
      w ? `LLM spent ${dollars(w.llm.spentMicros)} of ${dollars(w.llm.budgetMicros)}; next resolution ${w.nextResolutionAt ?? '-'}` : '',
      ...s.spawns.slice(-5).map((r) => `spawn ${r.id}: ${r.ok ? `ok (${r.scrip} scrip, ${r.compute} compute)` : `${r.error?.code}: ${r.error?.message}`}`),
      s.lastError ? `last refresh failed: ${s.lastError}` : '',
    ].filter(Boolean).join('\n'));
    return 0;
  },
};

export const shutdownCommand: Command = {
  name: 'shutdown',
  usage: 'shutdown [--stop-agents]',
  summary: 'end the root workflow; the agents keep running unless --stop-agents',
  flagOptions: ['stop-agents'],
  async run(ctx) {
    const config = ctx.config();
    const client = await ctx.temporal();
    if (!(await rootSummary(client, config))) throw notFound(`no running ${config.ecology.workflowId} workflow on Temporal at ${config.temporal.address}`, { service: 'temporal' });
    const stopAgents = ctx.options['stop-agents'] === true;
    await client.workflow.getHandle(config.ecology.workflowId).signal(shutdownSignal, { stopAgents });
    ctx.print({ ok: true, signalled: shutdownSignal.name, stopAgents }, `asked ${config.ecology.workflowId} to shut down${stopAgents ? ' and stop every agent' : ' (agents keep running)'}`);
    return 0;
  },
};
