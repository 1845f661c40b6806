import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { EcologyConfig } from '../../config/schema';
import { spawnAgent } from '../../ecology/spawn';
import type { AgentSpec, EcologySummary, SpawnRecord } from '../../ecology/types';
import { EcologyError } from '../../errors';
import { startAgentWorkflow } from '../../temporal/agentWorkflows';
import { explainQueryFailure } from '../../temporal/workerPresence';
import { readWorldId } from '../../world/identity';
import { UsageError, type Command } from '../command';
import { stringOption, wholeOption } from '../parse';
import { spawnAgentSignal, summaryQuery } from '../../ecology/signals';

/**
 * The root's summary when the root runs, else null. A query nobody answers (no worker) fails
 * after ecology.agentQueryTimeoutMs, saying "No worker is serving task queue ..." when that is why.
 */
export async function rootSummary(client: Client, config: EcologyConfig): Promise<EcologySummary | null> {
  const handle = client.workflow.getHandle(config.ecology.workflowId);
  let taskQueue: string;
  try {
    const d = await handle.describe();
    if (d.status.name !== 'RUNNING') return null;
    taskQueue = d.taskQueue;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return null;
    throw e;
  }
  const timeoutMs = config.ecology.agentQueryTimeoutMs;
  try {
    return await client.withDeadline(Date.now() + timeoutMs, () => handle.query(summaryQuery));
  } catch (e) {
    const why = await explainQueryFailure(client, taskQueue, config.ecology.workerPollStaleMs, `the ${config.ecology.workflowId} workflow did not answer its summary query within ${timeoutMs} ms (${(e as Error).message})`);
    throw new EcologyError('UNAVAILABLE', `${why.message} (Temporal at ${config.temporal.address}, namespace ${config.temporal.namespace})`, { service: 'temporal', reason: why.noWorker ? 'no_worker' : 'query_failed', task_queue: taskQueue });
  }
}

/** Signals spawnAgent and waits until the root records a new outcome for this id. */
async function spawnThroughRoot(client: Client, config: EcologyConfig, spec: AgentSpec, before: EcologySummary): Promise<SpawnRecord> {
  const seen = new Set(before.spawns.map((r) => JSON.stringify(r)));
  const handle = client.workflow.getHandle(config.ecology.workflowId);
  await handle.signal(spawnAgentSignal, spec);
  const deadline = Date.now() + config.ecology.spawnWaitMs;
  for (;;) {
    const s = await handle.query(summaryQuery);
    const mine = s.spawns.find((r) => r.id === spec.id && !seen.has(JSON.stringify(r)));
    if (mine) return mine;
    if (Date.now() > deadline) {
      throw new EcologyError('UNAVAILABLE', `signalled spawnAgent to ${config.ecology.workflowId}, but it reported no outcome for ${spec.id} within ${config.ecology.spawnWaitMs} ms; is a worker running? ("ecology agent ${spec.id}" shows it later)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const spawnCommand: Command = {
  name: 'spawn',
  usage: 'spawn --id <id> --prompt <text> [--model M] [--scrip N] [--compute N]',
  summary: "a new agent whose scrip and compute come from the treasury (through ecologyWorkflow's spawnAgent signal when it runs)",
  valueOptions: ['id', 'prompt', 'model', 'scrip', 'compute'],
  async run(ctx) {
    const id = stringOption(ctx.options.id, 'id');
    const prompt = stringOption(ctx.options.prompt, 'prompt');
    if (!id || !prompt) throw new UsageError('--id and --prompt are required');
    if (ctx.positionals.length > 0) throw new UsageError(`unexpected argument ${ctx.positionals[0]}`);
    const config = ctx.config();
    const spec: AgentSpec = { id, system_prompt: prompt };
    const model = stringOption(ctx.options.model, 'model');
    if (model) spec.model = model;
    if (ctx.options.scrip !== undefined) spec.scrip = wholeOption(ctx.options.scrip, 'scrip', 0);
    if (ctx.options.compute !== undefined) spec.compute = wholeOption(ctx.options.compute, 'compute', 0);
    const client = await ctx.temporal();
    const summary = await rootSummary(client, config);
    if (summary) {
      const r = await spawnThroughRoot(client, config, spec, summary);
      if (!r.ok) {
        const error = r.error ?? { code: 'FAILED', message: 'the spawn failed' };
        if (ctx.json) ctx.print({ ok: false, via: config.ecology.workflowId, error, spawn: r });
        else process.stderr.write(`ecology: ${error.code}: ${error.message}\n`);
        return 1;
      }
      ctx.print({ ok: true, via: config.ecology.workflowId, spawn: r }, `spawned ${r.id} with ${r.scrip} scrip and ${r.compute} compute from the treasury (workflow ${r.workflow})`);
      return 0;
    }
    // No root running: do it here, then start the agent's workflow.
    const pool = await ctx.pool();
    const done = await spawnAgent(pool, config, spec);
    await startAgentWorkflow(client, config, id, await readWorldId(pool));
    ctx.print({ ok: true, via: 'cli', spawn: { ...done, workflow: 'started' } }, `spawned ${id} with ${done.scrip} scrip and ${done.compute} compute from the treasury (no ${config.ecology.workflowId} workflow running; its workflow was started directly)`);
    return 0;
  },
};
