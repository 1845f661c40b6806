import { randomUUID } from 'node:crypto';
import { agentCreatedHook } from '../../agents/startCreated';
import { bountyCommittedHook } from '../../bounties/hooks';
import { bountyStarter } from '../../temporal/bountyWorkflows';
import { invoke } from '../../invoke/invoke';
import { startAgentWorkflow } from '../../temporal/agentWorkflows';
import { readWorldId } from '../../world/identity';
import { sandboxPoolFromConfig } from '../../invoke/sandboxPool';
import { UsageError, type Command } from '../command';
import { callerKey, parseArgs } from '../../validation';
import { jsonArgument, stringOption } from '../parse';

export const invokeCommand: Command = {
  name: 'invoke',
  usage: 'invoke --as <principal> <artifact> <method> [json-args] [--key <id>] [--grant <json: {max_price?, code_hash?, allowance?, allow?}>]',
  summary: 'call a genesis method, or run an executable artifact\'s function (`run`...) in the sandbox, as a principal',
  valueOptions: ['as', 'key', 'grant'],
  async run(ctx) {
    const caller = stringOption(ctx.options.as, 'as');
    const [artifactId, method, argsText] = ctx.positionals;
    if (!caller || !artifactId || !method) throw new UsageError('expected --as <principal> <artifact> <method>');
    const chosen = stringOption(ctx.options.key, 'key');
    // A chosen key may not contain ':', so it can never equal a key the system derives.
    const key = chosen === undefined ? `cli:${randomUUID()}` : parseArgs(callerKey, chosen, '--key');
    // What code without standing may do in the principal's name (src/invoke/grant.ts); by default only read.
    const grantText = stringOption(ctx.options.grant, 'grant');
    const grant = grantText === undefined ? {} : { grant: jsonArgument(grantText, '--grant') };
    const config = ctx.config();
    // Made lazily by the pool itself: a genesis call never touches Docker unless a custom contract runs.
    const sandbox = sandboxPoolFromConfig(config);
    const pool = await ctx.pool();
    // A created agent's workflow starts here too (Temporal is reached only then); undone when it cannot.
    const agentCreated = agentCreatedHook(pool, { start: async (id) => startAgentWorkflow(await ctx.temporal(), config, id, await readWorldId(pool)) });
    // A posted bounty's deadline timer and a submission's check start the same way.
    const lazyStarter = async () => bountyStarter(await ctx.temporal(), config, () => readWorldId(pool));
    const bountyCommitted = bountyCommittedHook(pool, config, {
      startDeadline: async (id, deadline) => (await lazyStarter()).startDeadline(id, deadline),
      startCheck: async (id) => (await lazyStarter()).startCheck(id),
    });
    try {
      const outcome = await invoke(
        { pool, config, sandbox, hooks: { agentCreated, bountyCommitted } },
        { caller, artifactId, method, args: jsonArgument(argsText, 'json-args'), key, ...grant },
      );
      const { ok, replayed, compute_charged } = outcome;
      const extra = outcome.invocation ? { invocation: outcome.invocation } : {};
      const out = outcome.ok ? { ok, result: outcome.result, key, replayed, compute_charged, ...extra } : { ok, error: outcome.error, key, replayed, compute_charged, ...extra };
      ctx.print(out, outcome.ok ? JSON.stringify(outcome.result, null, 2) : `failed: ${outcome.error.code}: ${outcome.error.message}`);
      return outcome.ok ? 0 : 1;
    } finally {
      await sandbox.close();
    }
  },
};
