/**
 * The agent's act step runs invoke_artifact on agent-written code through the invocation saga (the
 * same key as the iteration), and still sends everything else to dispatch.
 */
import { act } from '../../src/agents/act';
import type { AgentControl } from '../../src/agents/types';
import { iterationKey } from '../../src/agents/types';
import { setupWorld, type World } from './support';

let w: World;
const control: AgentControl = { start: async () => undefined, signal: async () => false };

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'adder', { code: 'export function run(a) { return a.x + a.y }', price: 2 });
}, 60_000);
afterAll(() => w?.close());

async function stored(agentId: string, iteration: number, action: Record<string, unknown>): Promise<void> {
  await w.pool.query(`INSERT INTO agent_actions (key, agent_id, iteration, status, action_type, action) VALUES ($1, $2, $3, 'ready', $4, $5)`, [
    iterationKey(agentId, iteration),
    agentId,
    iteration,
    action.action,
    JSON.stringify(action),
  ]);
}

test('invoke_artifact on an executable artifact: the saga runs under the iteration key; the price is paid', async () => {
  const [bob, alice] = [await w.scrip('bob'), await w.scrip('alice')];
  await stored('bob', 1, { action: 'invoke_artifact', id: 'adder', method: 'run', args: { x: 2, y: 40 } });
  const summary = await act({ pool: w.pool, config: w.config, control, invoke: { sandbox: w.sandbox } }, { agentId: 'bob', iteration: 1 });
  expect(summary).toMatchObject({ ok: true, action: 'invoke_artifact' });
  const row = await w.pool.query(`SELECT status, result FROM agent_actions WHERE key = $1`, [iterationKey('bob', 1)]);
  expect(row.rows[0]).toEqual({ status: 'done', result: 42 });
  const inv = await w.pool.query(`SELECT status, invoker_id FROM invocations WHERE key = $1`, [iterationKey('bob', 1)]);
  expect(inv.rows[0]).toEqual({ status: 'paid', invoker_id: 'bob' });
  expect([await w.scrip('bob'), await w.scrip('alice')]).toEqual([bob - 2, alice + 2]);
  await w.expectAuditOk();
});

test('other actions still go through dispatch', async () => {
  await stored('bob', 2, { action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer', args: { to: 'alice', amount: 1 } });
  expect(await act({ pool: w.pool, config: w.config, control, invoke: { sandbox: w.sandbox } }, { agentId: 'bob', iteration: 2 })).toMatchObject({ ok: true });
  const op = await w.pool.query(`SELECT caller_id, artifact_id, ok FROM operations WHERE key = $1`, [iterationKey('bob', 2)]);
  expect(op.rows[0]).toEqual({ caller_id: 'bob', artifact_id: 'genesis_ledger', ok: true });
});

test('without a sandbox the invocation fails clearly, refunded, and the loop goes on', async () => {
  const bob = await w.scrip('bob');
  await stored('bob', 3, { action: 'invoke_artifact', id: 'adder', method: 'run', args: { x: 1, y: 1 } });
  const summary = await act({ pool: w.pool, config: w.config, control }, { agentId: 'bob', iteration: 3 });
  expect(summary).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } });
  expect(await w.scrip('bob')).toBe(bob);
  await w.expectAuditOk();
});

test("the action's max_price, code_hash and allowance reach the invocation: a price above max_price is refused, nothing charged", async () => {
  await w.artifact('alice', 'payer', { code: "export async function run(a, ctx) { return ctx.invoke('genesis_ledger', 'transfer', { to: 'alice', amount: 5 }).then(() => 'sent', (e) => e.code) }", price: 2 });
  const bob = await w.scrip('bob');
  await stored('bob', 4, { action: 'invoke_artifact', id: 'payer', method: 'run', args: {}, max_price: 1 });
  const deps = { pool: w.pool, config: w.config, control, invoke: { sandbox: w.sandbox } };
  expect(await act(deps, { agentId: 'bob', iteration: 4 })).toMatchObject({ ok: false, error: { code: 'ALLOWANCE_EXCEEDED' } });
  expect(await w.scrip('bob')).toBe(bob);
  await stored('bob', 5, { action: 'invoke_artifact', id: 'payer', method: 'run', args: {}, max_price: 2 });
  expect(await act(deps, { agentId: 'bob', iteration: 5 })).toMatchObject({ ok: true });
  expect((await w.pool.query('SELECT result FROM agent_actions WHERE key = $1', [iterationKey('bob', 5)])).rows[0].result).toBe('ALLOWANCE_EXCEEDED');
  await stored('bob', 6, { action: 'invoke_artifact', id: 'payer', method: 'run', args: {}, allowance: { scrip: 5 }, code_hash: '0'.repeat(64) });
  expect(await act(deps, { agentId: 'bob', iteration: 6 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  const d = await w.invoke('bob', 'genesis_store', 'describe', { id: 'payer' });
  await stored('bob', 7, { action: 'invoke_artifact', id: 'payer', method: 'run', args: {}, allowance: { scrip: 5 }, code_hash: (d as { result: { code_hash: string } }).result.code_hash });
  expect(await act(deps, { agentId: 'bob', iteration: 7 })).toMatchObject({ ok: true });
  expect((await w.pool.query('SELECT result FROM agent_actions WHERE key = $1', [iterationKey('bob', 7)])).rows[0].result).toBe('sent');
  expect(await w.scrip('bob')).toBe(bob - 2 - 2 - 5);
  await w.expectAuditOk();
});
