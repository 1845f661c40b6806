/**
 * A model the price table does not list cannot be used (SPEC section 4): an agent configuration
 * naming one is refused when the agent is created, when it rewrites its own configuration and when
 * it is spawned; a configuration file naming one is refused at load; a call naming one is refused
 * before anything is reserved or sent. An agent whose stored configuration already names one (an
 * older world) gets a recorded failed action with the reason, not a crash loop.
 */
import { loadConfig } from '../../src/config/load';
import { spawnAgent } from '../../src/ecology/spawn';
import { callLlm } from '../../src/llm/call';
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

const UNPRICED = 'gpt-4-32k';
const NAMES_PRICED = /gpt-4-32k.*has no configured price.*gpt-4o-mini/;

test('creating, rewriting or spawning an agent that names an unpriced model is refused, naming the priced models', async () => {
  const parent = await w.agent('parent', { scrip: 10 });
  const kid = w.id('kid');
  const created = await w.call(parent, 'genesis_store', 'create', { id: kid, type: 'agent', has_standing: true, can_execute: true, content: { model: UNPRICED } });
  expect(created).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(NAMES_PRICED) } });

  const self = await w.agent('self', { content: { model: 'gpt-4o-mini' } });
  const rewritten = await w.call(self, 'genesis_store', 'write', { id: self, type: 'agent', content: { model: UNPRICED } });
  expect(rewritten).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(NAMES_PRICED) } });
  expect(await w.call(self, 'genesis_store', 'write', { id: self, type: 'agent', content: { model: 'gpt-4.1-mini' } })).toMatchObject({ ok: true });

  await expect(spawnAgent(w.pool, w.config, { id: w.id('spawned'), system_prompt: 'hi', model: UNPRICED })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(NAMES_PRICED) });
  const rows = await w.pool.query(`SELECT id FROM artifacts WHERE id = ANY($1)`, [[kid, w.id('spawned')]]);
  expect(rows.rows).toEqual([]);
});

test('a call naming an unpriced model is refused before anything is reserved or sent', async () => {
  const payer = await w.agent('caller');
  const before = w.fake.calls.length;
  await expect(
    callLlm({ pool: w.pool, config: w.config }, { key: `unpriced:${payer}`, payer, model: UNPRICED, messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }),
  ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(NAMES_PRICED) });
  expect(w.fake.calls.length).toBe(before);
  expect((await w.pool.query(`SELECT 1 FROM llm_calls WHERE key = $1`, [`unpriced:${payer}`])).rowCount).toBe(0);
});

test('a configuration naming an unpriced model is refused at load; an old file with defaultPrice still loads', () => {
  expect(() => loadConfig({ env: {}, overrides: { llm: { defaultModel: UNPRICED } } })).toThrow(/llm\.defaultModel.*gpt-4-32k.*has no configured price/);
  expect(() => loadConfig({ env: {}, overrides: { oracle: { scorer: { model: UNPRICED } } } })).toThrow(/oracle\.scorer\.model.*gpt-4-32k.*has no configured price/);
  expect(() =>
    loadConfig({ env: {}, overrides: { ecology: { initialAgents: [{ id: 'x', system_prompt: null, model: UNPRICED, scrip: 1, compute: 1 }] } } }),
  ).toThrow(/ecology\.initialAgents\.0\.model.*has no configured price/);
  expect(loadConfig({ env: {}, overrides: { llm: { defaultPrice: { input: 1, output: 2 } } } }).llm.prices['gpt-4o-mini']).toBeDefined();
});

test('an agent whose stored configuration names an unpriced model: each think is a recorded failed action, the provider is never asked', async () => {
  const old = await w.agent('old', { content: { model: 'gpt-4o-mini' } });
  // as an older world may have stored it, before models without a price were refused
  await w.pool.query(`UPDATE artifacts SET content = $2 WHERE id = $1`, [old, JSON.stringify({ model: UNPRICED, think_delay_ms: 200 })]);
  w.script(old, [SETTLE]);
  await w.start(old);
  await w.waitFor('two failed thinks', async () => (await w.actions(old)).filter((r) => r.status === 'invalid').length >= 2, 60_000);
  const rows = await w.actions(old);
  expect(rows[0]).toMatchObject({ status: 'invalid', error: { code: 'INVALID_ARGUMENT' }, cost_micros: 0 });
  expect(rows[0].error!.message).toMatch(NAMES_PRICED);
  expect(w.calls(old)).toEqual([]);
  expect((await w.state(old)).lastResult?.error?.code).not.toBe('THINK_FAILED');
  await w.expectAuditOk();
});
