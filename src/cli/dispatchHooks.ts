import type { Pool } from 'pg';
import { agentCreatedHook } from '../agents/startCreated';
import { bountyCommittedHook } from '../bountyChecks/hooks';
import type { EcologyConfig } from '../config/schema';
import type { DispatchHooks } from '../genesis/context';
import { startAgentWorkflow } from '../temporal/agentWorkflows';
import { bountyStarter } from '../temporal/bountyWorkflows';
import { readWorldId } from '../world/identity';
import type { CommandContext } from './command';

/**
 * What a genesis call from the command line starts after it commits, as the worker's calls do: a
 * created agent's workflow, a posted bounty's deadline timer, a submission's check. Temporal is
 * reached only when one of them is needed; a start that fails undoes its operation.
 */
export function cliDispatchHooks(ctx: Pick<CommandContext, 'temporal'>, pool: Pool, config: EcologyConfig): DispatchHooks {
  const agentCreated = agentCreatedHook(pool, { start: async (id) => startAgentWorkflow(await ctx.temporal(), config, id, await readWorldId(pool)) });
  const starter = async () => bountyStarter(await ctx.temporal(), config, () => readWorldId(pool));
  const bountyCommitted = bountyCommittedHook(pool, config, {
    startDeadline: async (id, deadline) => (await starter()).startDeadline(id, deadline),
    startCheck: async (id) => (await starter()).startCheck(id),
  });
  return { agentCreated, bountyCommitted };
}
