import { bootstrapWorld } from '../../ecology/bootstrap';
import { startAgentWorkflow } from '../../temporal/agentWorkflows';
import type { Command } from '../command';

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  usage: 'bootstrap [--no-start]',
  summary: "genesis, the treasury's issuance, the initial agents and the two schedules, without a worker; starts the agents' workflows unless --no-start",
  flagOptions: ['no-start'],
  async run(ctx) {
    const config = ctx.config();
    const temporal = await ctx.temporal();
    const result = await bootstrapWorld({ pool: await ctx.pool(), config, temporal });
    const started: string[] = [];
    if (ctx.options['no-start'] !== true) {
      // Plain workflows, not children: a later ecologyWorkflow finds them running and leaves them.
      for (const id of result.agents) {
        await startAgentWorkflow(temporal, config, id);
        started.push(id);
      }
    }
    const r = result.report;
    ctx.print({ ok: true, report: r, agents: result.agents, workflows_started: started }, [
      `migrations applied: ${r.migrationsApplied.length ? r.migrationsApplied.join(', ') : 'none'}; genesis artifacts created: ${r.genesisCreated}`,
      `treasury issued: ${r.treasuryIssued.scrip} scrip, ${r.treasuryIssued.compute} compute`,
      `agents created: ${r.agentsCreated.join(', ') || 'none'}; already there: ${r.agentsExisting.join(', ') || 'none'}`,
      ...r.schedules.map((s) => `schedule ${s.scheduleId}: ${s.action}${s.paused ? ' (paused)' : ''}, next ${s.nextActionAt ?? '-'}`),
      started.length ? `agent workflows running: ${started.join(', ')} (they act once a worker serves ${config.temporal.taskQueue})` : 'agent workflows not started (--no-start)',
    ].join('\n'));
    return 0;
  },
};
