/**
 * ecologyWorkflow, the world's root, against the real dev server with an in-process worker (the
 * agent tests' harness): idempotent bootstrap, children that outlive it, spawns paid by the
 * treasury, continue-as-new, shutdown. Ids, the task queue and the schedule ids are this test's own
 * (the dev server is shared).
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { agentWorkflowId } from '../../src/agents/types';
import { ECOLOGY_WORKFLOW_TYPE, type EcologyResult, type EcologyWorkflowInput } from '../../src/ecology/types';
import { startAgentWorld, type AgentWorld } from '../agents/support/harness';
import { shutdownSignal, spawnAgentSignal, summaryQuery } from '../../src/ecology/signals';

const suffix = randomBytes(3).toString('hex');
const ROOT_ID = `ecology-test-${suffix}`;
const SCHEDULES = { oracle: `oracle-resolution-test-${suffix}`, metrics: `metrics-window-test-${suffix}` };

let w: AgentWorld;
let root: WorkflowHandle;
const roots: WorkflowHandle[] = [];
const agents: string[] = [];

function startRoot(id: string, input: EcologyWorkflowInput | null): Promise<WorkflowHandle> {
  return w.client.workflow
    .start(ECOLOGY_WORKFLOW_TYPE, { workflowId: id, taskQueue: w.taskQueue, args: [input], workflowIdConflictPolicy: 'USE_EXISTING' })
    .then((h) => (roots.push(h), h));
}

const summary = (h: WorkflowHandle = root) => h.query(summaryQuery);

async function running(id: string): Promise<boolean> {
  return (await w.client.workflow.getHandle(agentWorkflowId(id)).describe()).status.name === 'RUNNING';
}

beforeAll(async () => {
  w = await startAgentWorld({
    oracle: { scheduleId: SCHEDULES.oracle, enabled: false },
    metrics: { scheduleId: SCHEDULES.metrics, enabled: false },
    ecology: { workflowId: ROOT_ID, treasury: { scrip: 100, compute: 1000 }, summaryRefreshSeconds: 1, maxRefreshesPerRun: 3, spawnDefaults: { scrip: 10, compute: 100 } },
  });
  agents.push(w.id('alpha'), w.id('beta'));
}, 120_000);

afterAll(async () => {
  for (const h of roots) await h.terminate('test over').catch(() => undefined);
  for (const id of [...agents, w.id('gamma'), w.id('delta')]) await w.client.workflow.getHandle(agentWorkflowId(id)).terminate('test over').catch(() => undefined);
  for (const id of Object.values(SCHEDULES)) await w.client.schedule.getHandle(id).delete().catch(() => undefined);
  await w?.close();
});

describe('ecologyWorkflow', () => {
  it('bootstraps the world and starts the agents as children that outlive it', async () => {
    root = await startRoot(ROOT_ID, { agents: [{ id: agents[0]!, scrip: 7 }, { id: agents[1]!, system_prompt: 'You are beta.', model: 'gpt-4o-mini' }] });
    const s = await w.waitFor('the bootstrap', async () => ((await summary()).status === 'running' ? summary() : undefined));
    expect(s.children.started.sort()).toEqual([...agents].sort());
    expect(s.bootstrap).toMatchObject({ agentsCreated: agents, agentsExisting: [], treasuryIssued: { scrip: 100, compute: 1000 } });
    expect(await w.scrip(agents[0]!)).toBe(7);
    // No amount given: the spawn defaults, minted (not taken from the treasury).
    expect(await w.scrip(agents[1]!)).toBe(10);
    expect(await w.scrip('treasury')).toBe(100);
    const content = (await w.pool.query<{ content: unknown }>('SELECT content FROM artifacts WHERE id = $1', [agents[1]])).rows[0]!.content;
    expect(content).toEqual({ system_prompt: 'You are beta.', model: 'gpt-4o-mini' });
    const issuance = await w.pool.query(`SELECT 1 FROM journal WHERE id = $1 AND kind = 'issuance'`, [`issue:${agents[0]}:scrip`]);
    expect(issuance.rowCount).toBe(1);
    for (const id of agents) expect(await running(id)).toBe(true);
    const schedules = await Promise.all(Object.values(SCHEDULES).map((id) => w.client.schedule.getHandle(id).describe()));
    expect(schedules.map((d) => d.state.paused)).toEqual([true, true]);
    const world = await w.waitFor('a world snapshot', async () => (await summary()).world);
    expect(world.agents.total).toBe(2);
    expect(world.treasury).toEqual({ scrip: 100, compute: 1000 });
  });

  it('changes nothing when started twice, and a second root leaves existing agents alone', async () => {
    const runId = (await root.describe()).runId;
    const again = await startRoot(ROOT_ID, {});
    expect((await again.describe()).runId).toBe(runId);
    const supply = (await w.pool.query<{ b: number }>(`SELECT -balance AS b FROM accounts WHERE principal_id = 'mint' AND asset = 'scrip'`)).rows[0]!.b;

    const other = await startRoot(`${ROOT_ID}-b`, { agents: [{ id: agents[0]!, scrip: 7 }] });
    const s = await w.waitFor('the second root', async () => ((await summary(other)).status === 'running' ? summary(other) : undefined));
    expect(s.bootstrap).toMatchObject({ agentsCreated: [], agentsExisting: [agents[0]], treasuryIssued: { scrip: 0, compute: 0 } });
    expect(s.children).toEqual({ started: [], alreadyRunning: [agents[0]] });
    expect((await w.pool.query<{ b: number }>(`SELECT -balance AS b FROM accounts WHERE principal_id = 'mint' AND asset = 'scrip'`)).rows[0]!.b).toBe(supply);
    await other.signal(shutdownSignal);
    const result = await other.result();
    expect(result).toMatchObject({ stopped: true, agentsStopped: null });
    expect(await running(agents[0]!)).toBe(true);
  });

  it('spawns agents paid by the treasury; one it cannot pay creates nothing', async () => {
    const gamma = w.id('gamma');
    const delta = w.id('delta');
    await root.signal(spawnAgentSignal, { id: gamma, system_prompt: 'You are gamma.', scrip: 30, compute: 200 });
    await root.signal(spawnAgentSignal, { id: delta, system_prompt: 'You are delta.', scrip: 1000 });
    await root.signal(spawnAgentSignal, { id: 'bad id!', system_prompt: 'x' });
    const s = await w.waitFor('three spawn records', async () => ((await summary()).spawns.length >= 3 ? summary() : undefined));
    const byId = Object.fromEntries(s.spawns.map((r) => [r.id, r]));
    expect(byId[gamma]).toMatchObject({ ok: true, scrip: 30, compute: 200, workflow: 'started' });
    expect(byId[delta]).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(byId['bad id!']).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await w.scrip(gamma)).toBe(30);
    expect(await w.scrip('treasury')).toBe(70);
    expect((await w.pool.query('SELECT 1 FROM artifacts WHERE id = $1', [delta])).rowCount).toBe(0);
    expect(await running(gamma)).toBe(true);
    const transfer = await w.pool.query(`SELECT debit_principal, amount FROM journal WHERE id = $1`, [`spawn:${gamma}:scrip`]);
    expect(transfer.rows).toEqual([{ debit_principal: 'treasury', amount: 30 }]);
    agents.push(gamma);
    await w.expectAuditOk();
  });

  it('continues as new when its refreshes add up, keeping what it knows', async () => {
    const s = await w.waitFor('a continued run', async () => ((await summary()).runs >= 1 ? summary() : undefined));
    expect(s.spawns.map((r) => r.id)).toContain(w.id('gamma'));
    expect(s.children.started.sort()).toEqual(agents.slice(0, 2).sort());
    expect(s.status).toBe('running');
  });

  it('shuts down on the shutdown signal, stopping the agents when asked', async () => {
    await root.signal(shutdownSignal, { stopAgents: true });
    const result = (await w.client.workflow.getHandle(ROOT_ID).result()) as EcologyResult;
    expect(result.stopped).toBe(true);
    expect(result.agentsStopped).toBe(3);
    for (const id of agents) {
      await w.waitFor(`${id} to stop`, async () => !(await running(id)));
    }
  });
});
