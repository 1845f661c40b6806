/**
 * Records the replay fixtures of ecologyWorkflow: a real run (dev server, a fresh database, the
 * fake LLM, an in-process worker) that bootstraps two agents, takes three spawns (one paid, one the
 * treasury cannot pay, one invalid), continues as new, and shuts down stopping the agents. Each run
 * of the root is written to test/histories/ecology/ecology-run<n>.json; test/ecology/replay.test.ts
 * replays them. Re-record (and review the diff) after a deliberate, versioned change:
 *
 *   eval "$(scripts/services.sh --env)" && npx tsx test/histories/recordEcology.ts
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { agentWorkflowId } from '../../src/agents/types';
import { ECOLOGY_WORKFLOW_TYPE } from '../../src/ecology/types';
import { startAgentWorld } from '../agents/support/harness';
import { shutdownSignal, spawnAgentSignal, summaryQuery } from '../../src/ecology/signals';

async function main(): Promise<void> {
  const suffix = randomBytes(3).toString('hex');
  const rootId = `ecology-record-${suffix}`;
  const schedules = [`oracle-record-${suffix}`, `metrics-record-${suffix}`];
  const w = await startAgentWorld({
    oracle: { scheduleId: schedules[0], enabled: false },
    metrics: { scheduleId: schedules[1], enabled: false },
    ecology: { workflowId: rootId, treasury: { scrip: 100, compute: 1000 }, summaryRefreshSeconds: 1, maxRefreshesPerRun: 4 },
  });
  const ids = [w.id('alpha'), w.id('beta'), w.id('gamma')];
  try {
    const root = await w.client.workflow.start(ECOLOGY_WORKFLOW_TYPE, { workflowId: rootId, taskQueue: w.taskQueue, args: [{ agents: [{ id: ids[0] }, { id: ids[1], system_prompt: 'You are beta.' }] }] });
    const summary = () => w.client.workflow.getHandle(rootId).query(summaryQuery);
    await w.waitFor('the bootstrap', async () => (await summary()).status === 'running');
    await root.signal(spawnAgentSignal, { id: ids[2], system_prompt: 'You are gamma.', scrip: 20 });
    await root.signal(spawnAgentSignal, { id: w.id('rich'), system_prompt: 'x', scrip: 1_000_000 });
    await root.signal(spawnAgentSignal, { id: 'not valid!', system_prompt: 'x' });
    await w.waitFor('the spawns', async () => (await summary()).spawns.length === 3);
    await w.waitFor('a continued run', async () => (await summary()).runs >= 1, 60_000);
    await w.client.workflow.getHandle(rootId).signal(shutdownSignal, { stopAgents: true });
    await w.client.workflow.getHandle(rootId).result();
    const runs: Array<{ runId: string; startTime: Date }> = [];
    for await (const e of w.client.workflow.list({ query: `WorkflowId = '${rootId}'` })) runs.push({ runId: e.runId, startTime: e.startTime });
    runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
    for (const [i, r] of runs.entries()) {
      const history = await w.client.workflow.getHandle(rootId, r.runId).fetchHistory();
      const file = join(__dirname, 'ecology', `ecology-run${i + 1}.json`);
      writeFileSync(file, historyToJSON(history) + '\n');
      process.stdout.write(`wrote ${file} (${history.events?.length} events)\n`);
    }
  } finally {
    for (const id of ids) await w.client.workflow.getHandle(agentWorkflowId(id)).terminate('recorded').catch(() => undefined);
    for (const id of schedules) await w.client.schedule.getHandle(id).delete().catch(() => undefined);
    await w.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  },
);
