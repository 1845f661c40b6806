/**
 * Creating an agent gives it an endowment from its creator in the same transaction, and starts its
 * workflow by one mechanism on every path (an agent's action, `ecology invoke`, code through
 * ctx.invoke): dispatch's agentCreated hook, after the commit. A start that fails undoes the
 * creation and returns the endowment. A child nobody funded says so: waiting-for-funding.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentCreatedHook } from '../../src/agents/startCreated';
import { main } from '../../src/cli/main';
import { dispatch } from '../../src/genesis/dispatch';
import { getQuotas } from '../../src/rights/quotas';
import { readBucket } from '../../src/buckets/store';
import { SETTLE, promptOf, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
}, 60_000);
afterAll(() => w?.close());

const THINKING_RIGHTS = { llm_dollars: 100_000_000, llm_token_rate: 500_000, llm_token_capacity: 5_000_000, compute_rate: 10, compute_capacity: 5000 };
const agentArgs = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'agent', has_standing: true, can_execute: true, ...extra });

async function rightsOf(id: string) {
  const c = await w.pool.connect();
  try {
    return { quotas: await getQuotas(c, id), compute: (await readBucket(c, id, 'compute')).available, scrip: await w.scrip(id) };
  } finally {
    c.release();
  }
}

async function rowCount(id: string): Promise<number> {
  return (await w.pool.query('SELECT count(*)::int AS n FROM artifacts WHERE id = $1', [id])).rows[0].n;
}

test('an agent creates a child with an endowment through its action, and the child thinks on its own', async () => {
  const parent = await w.agent('parent', { scrip: 100 });
  const child = w.id('child');
  const endowment = { scrip: 7, compute: 2000, quotas: THINKING_RIGHTS };
  w.script(parent, [JSON.stringify({ action: 'write_artifact', ...agentArgs(child, { content: { system_prompt: 'endowed child' }, endowment }) })]);
  w.script(child, ['{"action":"noop"}'], SETTLE);
  await w.start(parent);

  const created = await w.waitFor('the creation', async () => (await w.actions(parent)).find((r) => r.iteration === 0 && r.status !== 'thinking' && r.status !== 'ready'));
  expect(created).toMatchObject({ status: 'done', result: { id: child, created: true, agent: true, workflow: 'started' } });
  const settled = await w.waitFor('the child to think and settle', async () => {
    const s = await w.state(child);
    return s.iteration === 2 && s.status === 'sleeping' ? s : undefined;
  });
  expect(settled.memory.map((m) => m.action)).toEqual(['noop', 'sleep']);
  expect(w.calls(child)[0].body.messages[0].content).toContain('endowed child');
  expect(await w.scrip(child)).toBe(7);
  expect((await rightsOf(child)).quotas.llm_dollars).toBeLessThanOrEqual(THINKING_RIGHTS.llm_dollars);
  await w.expectAuditOk();
});

test('`ecology invoke --as A genesis_store create` with an agent starts its workflow', async () => {
  const creator = await w.account('cli_creator', { scrip: 100, compute: 1000 });
  const child = w.id('cli_child');
  w.script(child, [], SETTLE);
  const file = join(tmpdir(), `ecology-endowment-${w.prefix}.json`);
  writeFileSync(file, JSON.stringify(w.config));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const saved = { db: process.env.DATABASE_URL, file: process.env.ECOLOGY_CONFIG };
  process.env.DATABASE_URL = w.db.url;
  process.env.ECOLOGY_CONFIG = file;
  let code: number;
  try {
    code = await main(['invoke', '--as', creator, 'genesis_store', 'create', JSON.stringify(agentArgs(child, { endowment: { compute: 500, quotas: THINKING_RIGHTS } }))]);
  } finally {
    process.env.DATABASE_URL = saved.db;
    if (saved.file === undefined) delete process.env.ECOLOGY_CONFIG;
    else process.env.ECOLOGY_CONFIG = saved.file;
    out.mockRestore();
    err.mockRestore();
  }
  expect(code).toBe(0);
  const s = await w.waitFor('the child to think', async () => {
    const st = await w.state(child).catch(() => undefined);
    return st && st.iteration >= 1 ? st : undefined;
  });
  expect(s.iteration).toBeGreaterThanOrEqual(1);
  await w.expectAuditOk();
});

test('an agent created by code through ctx.invoke starts its workflow', async () => {
  const maker = await w.agent('code_maker', { scrip: 100 });
  const tool = w.id('maker_tool');
  const child = w.id('code_child');
  const code = "export async function run(args, ctx) { return ctx.invoke('genesis_store', 'create', { id: args.id, type: 'agent', has_standing: true, can_execute: true }) }";
  expect((await w.call(maker, 'genesis_store', 'create', { id: tool, type: 'tool', code, can_execute: true })).ok).toBe(true);
  w.script(maker, [JSON.stringify({ action: 'invoke_artifact', id: tool, method: 'run', args: { id: child }, allowance: { scrip: 50, compute: 5000 }, allow: ['genesis_store.create'] })]);
  await w.start(maker);
  const done = await w.waitFor('the invocation', async () => (await w.actions(maker)).find((r) => r.iteration === 0 && r.status !== 'thinking' && r.status !== 'ready'));
  expect(done).toMatchObject({ status: 'done' });
  // Unfunded, it runs and waits for funding; its owner's prompt says so.
  const waiting = await w.waitFor('the child to wait for funding', async () => {
    const s = await w.state(child).catch(() => undefined);
    return s?.status === 'waiting-for-funding' ? s : undefined;
  });
  expect(waiting.waitingFor).toMatch(/^its LLM dollar allowance/);
});

test('an unfunded child reports waiting-for-funding, and its creator\'s prompt names it', async () => {
  const parent = await w.agent('poor_parent', { scrip: 100 });
  const child = w.id('poor_child');
  w.script(parent, [JSON.stringify({ action: 'invoke_artifact', id: 'genesis_store', method: 'create', args: agentArgs(child) }), '{"action":"noop"}'], SETTLE);
  await w.start(parent);
  const waiting = await w.waitFor('the child to wait for funding', async () => {
    const s = await w.state(child).catch(() => undefined);
    return s?.status === 'waiting-for-funding' ? s : undefined;
  });
  expect(waiting.waitingFor).toMatch(/^its LLM dollar allowance/);
  const next = await w.waitFor('the parent to think again', async () => w.calls(parent)[1]);
  expect(promptOf(next)).toMatch(new RegExp(`wait for funding[^]*- ${child}`));
});

test('an endowment above what the creator holds fails the creation and moves nothing', async () => {
  const creator = await w.account('short', { scrip: 100, compute: 1000 });
  const before = await rightsOf(creator);
  for (const endowment of [{ scrip: 1000 }, { compute: 1_000_000 }, { quotas: { llm_dollars: 2_000_000_000 } }, { scrip: 5, quotas: { disk_bytes: 10 * 1024 * 1024 } }]) {
    const child = w.id(`short_child_${Object.keys(endowment).join('_')}`);
    const o = await w.call(creator, 'genesis_store', 'create', agentArgs(child, { endowment }));
    expect(o).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await rowCount(child)).toBe(0);
  }
  const after = await rightsOf(creator);
  expect(after.scrip).toBe(before.scrip);
  expect(after.quotas).toEqual(before.quotas);
  await w.expectAuditOk();
});

test('an endowment is refused for an existing artifact and for an artifact without standing', async () => {
  const creator = await w.account('misuse', { scrip: 100, compute: 1000 });
  const plain = w.id('plain');
  expect(await w.call(creator, 'genesis_store', 'create', { id: plain, type: 'note', endowment: { scrip: 1 } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect((await w.call(creator, 'genesis_store', 'create', { id: plain, type: 'note' })).ok).toBe(true);
  expect(await w.call(creator, 'genesis_store', 'write', { id: plain, type: 'note', endowment: { scrip: 1 } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
});

test('a workflow start that fails undoes the creation and returns the endowment', async () => {
  const creator = await w.account('unlucky', { scrip: 100, compute: 5000 });
  const hooks = { agentCreated: agentCreatedHook(w.pool, { start: () => Promise.reject(new Error('temporal is down')) }) };
  const before = await rightsOf(creator);
  const orphan = w.id('orphan');
  const key = `test:orphan:${w.prefix}`;
  const req = { caller: creator, artifactId: 'genesis_store', method: 'create', args: agentArgs(orphan, { endowment: { compute: 700, quotas: THINKING_RIGHTS } }), key };
  const o = await dispatch({ pool: w.pool, config: w.config, hooks }, req);
  expect(o).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  expect(o.ok || o.error.message).toMatch(/temporal is down.*undone/);
  expect(await rowCount(orphan)).toBe(0);
  const after = await rightsOf(creator);
  expect(after.quotas).toEqual(before.quotas);
  expect(after.scrip).toBe(before.scrip - w.config.genesis.principalFee);
  // the compute came back; what is missing is the create's own compute charge
  expect(after.compute).toBeGreaterThan(before.compute - 700);
  // a retry of the operation replays the failure
  expect(await dispatch({ pool: w.pool, config: w.config, hooks }, req)).toMatchObject({ ok: false, replayed: true, error: { code: 'UNAVAILABLE' } });

  // scrip in an endowment pins the child's account (the journal is append-only): its scrip goes back and it is left inert
  const inert = w.id('inert');
  const o2 = await dispatch({ pool: w.pool, config: w.config, hooks }, { ...req, args: agentArgs(inert, { endowment: { scrip: 20 } }), key: `${key}:2` });
  expect(o2).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  expect((await w.pool.query('SELECT can_execute FROM artifacts WHERE id = $1', [inert])).rows).toEqual([{ can_execute: false }]);
  expect(await w.scrip(inert)).toBe(0);
  expect(await w.scrip(creator)).toBe(before.scrip - 2 * w.config.genesis.principalFee);
  await w.expectAuditOk();
});
