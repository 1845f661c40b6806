/**
 * Two worlds (two databases) on ONE Temporal task queue, as happens when two ecologies are run
 * against one dev server by mistake (SPEC section 11): a worker of world B picks up tasks of world
 * A's agents. It must refuse them without acting, loudly, and never end them: A's agent keeps
 * running once A's worker serves the queue, and A's oracle resolution resolves A's bids only. An
 * agent whose deletion its own world recorded still
 * ends as missing.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { removeUnstartedAgent } from '../../src/agents/compensate';
import { AGENT_WORKFLOW_TYPE, agentWorkflowId } from '../../src/agents/types';
import { RESOLUTION_WORKFLOW, resolutionInput } from '../../src/oracle/schedule';
import { readWorldId } from '../../src/world/identity';
import { setProcessLogger, silentLogger } from '../../src/log/logger';
import { startEcologyWorker, type RunningWorker } from '../../workers/worker';
import { captureLog, type LogLine } from '../support/logCapture';
import { workflowBundle } from './support/bundle';
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let a: AgentWorld;
let b: AgentWorld;
let workerA: RunningWorker | undefined;
let workerB: RunningWorker | undefined;
// The refusals are logged by the activities, through the process logger: read its JSON lines.
const captured = captureLog({ level: 'warn' });
const refusals = (): LogLine[] => captured.lines.filter((l) => l.msg.includes('WORLD_MISMATCH'));

beforeAll(async () => {
  setProcessLogger(captured.logger);
  // Neither world's own worker: both of ours serve A's task queue.
  // Quick retries of the resolution's steps, so a refused one is soon asked again.
  a = await startAgentWorld({ oracle: { activities: { initialIntervalMs: 100, maximumIntervalMs: 500 } } }, { worker: false });
  b = await startAgentWorld({}, { worker: false });
  const { code } = await workflowBundle();
  workerB = await startEcologyWorker({ config: b.config, pool: b.pool, taskQueue: a.taskQueue, workflowBundle: { code }, sandbox: null, logger: silentLogger() });
}, 60_000);
afterAll(async () => {
  await workerA?.shutdown();
  await workerB?.shutdown();
  await a?.close();
  await b?.close();
});

async function status(id: string): Promise<string> {
  try {
    return (await a.handle(id).describe()).status.name;
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    throw e;
  }
}

test("world B's worker refuses the tasks of world A's agents and never ends them; A's worker runs them", async () => {
  expect(await readWorldId(a.pool)).not.toBe(await readWorldId(b.pool));
  const agent = await a.agent('alice');
  a.script(agent, ['{"action":"noop"}', '{"action":"noop"}'], SETTLE);
  // One that carries its world, and one started the old way, without a world id.
  const legacy = await a.agent('old_timer');
  a.script(legacy, ['{"action":"noop"}'], SETTLE);
  await a.start(agent);
  await a.client.workflow.start(AGENT_WORKFLOW_TYPE, { workflowId: agentWorkflowId(legacy), taskQueue: a.taskQueue, args: [{ agentId: legacy }] });

  // Only B's worker serves the queue: it takes the agents' tasks and refuses them, saying why.
  await a.waitFor('B to refuse both agents', async () => [agent, legacy].every((id) => refusals().some((l) => l.workflowId === agentWorkflowId(id))));
  const refusal = refusals().find((l) => l.workflowId === agentWorkflowId(agent))!;
  expect(refusal.msg).toContain(await readWorldId(a.pool));
  expect(refusal.msg).toContain(await readWorldId(b.pool));
  // One JSON line with the level and the ids of the workflow and the refused activity.
  expect(refusal).toMatchObject({ level: 'warn', code: 'WORLD_MISMATCH', world: await readWorldId(b.pool), activityId: expect.any(String), activityType: expect.any(String) });
  expect(await status(agent)).toBe('RUNNING');
  expect(await status(legacy)).toBe('RUNNING');
  // A's oracle resolution too: B does not resolve it against its own database.
  const resolutionId = `${a.prefix}-resolution`;
  const resolution = await a.client.workflow.start(RESOLUTION_WORKFLOW, {
    taskQueue: a.taskQueue,
    workflowId: resolutionId,
    args: [resolutionInput(a.config, new Date().toISOString(), await readWorldId(a.pool))],
  });
  await a.waitFor("B to refuse A's resolution", async () => refusals().some((l) => l.workflowId === resolutionId));

  // Now A's worker serves the queue too; B's worker keeps taking some of the tasks.
  const { code } = await workflowBundle();
  workerA = await startEcologyWorker({ config: a.config, pool: a.pool, workflowBundle: { code }, sandbox: null, logger: silentLogger() });
  await a.waitFor('alice to run three iterations', async () => (await a.actions(agent)).length >= 3, 60_000);
  await a.waitFor('the old-style agent to run two iterations', async () => (await a.actions(legacy)).length >= 2, 60_000);
  expect(await status(agent)).toBe('RUNNING');
  expect(await status(legacy)).toBe('RUNNING');
  expect((await a.actions(agent)).slice(0, 2).map((r) => r.status)).toEqual(['done', 'done']);
  expect(await resolution.result()).toMatchObject({ bid_count: 0 });
  expect((await a.pool.query('SELECT count(*)::int AS n FROM oracle_resolutions')).rows[0].n).toBe(1);
  // World B acted for none of them.
  expect((await b.pool.query('SELECT count(*)::int AS n FROM oracle_resolutions')).rows[0].n).toBe(0);
  expect((await b.pool.query('SELECT count(*)::int AS n FROM agent_actions')).rows[0].n).toBe(0);
  expect((await b.pool.query('SELECT count(*)::int AS n FROM agent_runs')).rows[0].n).toBe(0);
  await a.handle(legacy).terminate('test over');
}, 120_000);

test('an agent whose deletion its own world recorded ends as missing', async () => {
  const gone = await a.agent('gone', { compute: 0 });
  expect(await removeUnstartedAgent(a.pool, gone, 'test: deleted')).toBe(true);
  const handle = await a.start(gone);
  expect(await handle.result()).toMatchObject({ agentId: gone, reason: 'missing' });
}, 60_000);
