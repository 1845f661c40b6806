import { bootstrapWorld } from '../../ecology/bootstrap';
import { startRootWorkflow } from '../../ecology/root';
import { startAgentWorkflow } from '../../temporal/agentWorkflows';
import { readWorldId } from '../../world/identity';
import { UsageError, type Command } from '../command';

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  usage: 'bootstrap [--no-start | --root]',
  summary:
    "genesis, the treasury's issuance, the initial agents and the two schedules, without a worker; starts the agents' workflows unless --no-start, or with --root the root ecologyWorkflow instead (it starts them)",
  flagOptions: ['no-start', 'root'],
  async run(ctx) {
    const config = ctx.config();
    const root = ctx.options.root === true;
    if (root && ctx.options['no-start'] === true) throw new UsageError('--root and --no-start exclude each other');
    const temporal = await ctx.temporal();
    const result = await bootstrapWorld({ pool: await ctx.pool(), config, temporal });
    const r = result.report;
    if (root) {
      // The root starts the agents as its children; a second run finds it running and changes nothing.
      const action = await startRootWorkflow(temporal, config, result.worldId);
      ctx.print({ ok: true, report: r, agents: result.agents, root: { workflow_id: config.ecology.workflowId, action } }, [
        `migrations applied: ${r.migrationsApplied.length ? r.migrationsApplied.join(', ') : 'none'}; genesis artifacts created: ${r.genesisCreated}`,
        `agents created: ${r.agentsCreated.join(', ') || 'none'}; already there: ${r.agentsExisting.join(', ') || 'none'}`,
        `${config.ecology.workflowId}: ${action === 'started' ? 'started' : 'already running'} (it runs once a worker serves ${config.temporal.taskQueue})`,
      ].join('\n'));
      return 0;
    }
    const started: string[] = [];
    if (ctx.options['no-start'] !== true) {
      // Plain workflows, not children: a later ecologyWorkflow finds them running and leaves them.
      const world = await readWorldId(await ctx.pool());
      for (const id of result.agents) {
        await startAgentWorkflow(temporal, config, id, world);
        started.push(id);
      }
    }
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
