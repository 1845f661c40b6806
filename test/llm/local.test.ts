/**
 * The bundled local model (a real inference: Gemma 3 270M through node-llama-cpp, in its own
 * process behind a loopback OpenAI-compatible endpoint; scripts/test.sh installs it). A real agent
 * prompt becomes a valid action; the inference costs no dollars and its CPU time is charged to the
 * payer's compute bucket, so an agent it puts in compute debt stops thinking. Requests for another
 * model are refused as a provider refuses them.
 */
import { checkReadiness } from '../../src/agents/readiness';
import { think } from '../../src/agents/think';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { grant, readBucket } from '../../src/buckets/store';
import { deepMerge, loadConfig } from '../../src/config/load';
import { withLlmProvider } from '../../src/config/provider';
import type { EcologyConfig } from '../../src/config/schema';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { callLlm } from '../../src/llm/call';
import { stopLocalModel } from '../../src/llm/local/child';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { rejectsWith } from './harness';

jest.setTimeout(600_000);

let db: TestDatabase;
let config: EcologyConfig;
beforeAll(async () => {
  db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  // Generous waits: this machine may be busy, and a first inference loads the model.
  const overrides = { database: { url: db.url }, llm: { provider: 'local', requestTimeoutMs: 400_000, maxRetries: 0, local: { inferenceTimeoutMs: 300_000, queueTimeoutMs: 300_000 } } };
  config = withLlmProvider(loadConfig({ env: {}, overrides }));
});
afterAll(async () => {
  await stopLocalModel();
  await db?.drop();
});

/** An agent whose compute does not accrue (so what an inference took is exact), with `compute` to spend. */
async function agent(id: string, compute: number): Promise<void> {
  const quotas = { ...config.quotas.operatorPrincipal, compute_rate: 0, compute_capacity: 1_000_000, llm_token_rate: 0, llm_token_capacity: 1_000_000 };
  const c = deepMerge(config as never, { quotas: { operatorPrincipal: quotas } }) as unknown as EcologyConfig;
  // temperature 0: the same prompt gives the same action on every run. The model is small and not
  // wise: its own system prompt tells it what to do this turn (the rest is the full agent prompt).
  const content = { temperature: 0, max_tokens: 96, system_prompt: 'You are a patient agent. This turn you rest: your answer is exactly {"action": "noop"}' };
  await createOperatorPrincipal(db.pool, c, { id, kind: 'agent', scrip: 100, compute, content });
  const client = await db.pool.connect();
  try {
    await grant(client, { id: `test-grant:${id}`, principal: id, resource: 'llm_tokens', amount: 100_000, kind: 'test' });
  } finally {
    client.release();
  }
}

async function compute(id: string): Promise<number> {
  const c = await db.pool.connect();
  try {
    return (await readBucket(c, id, 'compute')).available;
  } finally {
    c.release();
  }
}

test('a real agent prompt on the local model becomes a valid action; no dollars, its CPU time charged to the payer', async () => {
  await agent('local_alice', 100_000);
  const before = await compute('local_alice');
  const summary = await think({ pool: db.pool, config }, { agentId: 'local_alice', iteration: 0, attempt: 0 });
  const row = (await db.pool.query('SELECT status, action_type, error, raw_output FROM agent_actions WHERE agent_id = $1', ['local_alice'])).rows[0];
  expect([summary.kind, row]).toEqual(['action', expect.objectContaining({ status: 'ready', error: null })]);

  const call = (await db.pool.query('SELECT model, cost_micros, prompt_tokens, completion_tokens, cached_tokens, compute_ms, usage_details FROM llm_calls WHERE payer_id = $1', ['local_alice'])).rows[0];
  expect(call).toMatchObject({ model: config.llm.local.model, cost_micros: 0 });
  // The real token count of a real agent prompt (the issue measured about 2,200 tokens).
  expect(call.prompt_tokens).toBeGreaterThan(1000);
  expect(call.completion_tokens).toBeGreaterThan(0);
  expect(call.compute_ms).toBeGreaterThan(0);
  expect(call.usage_details).toMatchObject({ prompt_tokens: call.prompt_tokens, compute_ms: call.compute_ms });
  expect(before - (await compute('local_alice'))).toBe(call.compute_ms);
});

test('the stable prefix stays evaluated: the next think of the same agent evaluates only what changed', async () => {
  await think({ pool: db.pool, config }, { agentId: 'local_alice', iteration: 1, attempt: 0 });
  const calls = (await db.pool.query('SELECT prompt_tokens, cached_tokens FROM llm_calls WHERE payer_id = $1 ORDER BY created_at', ['local_alice'])).rows;
  expect(calls).toHaveLength(2);
  expect(calls[1].cached_tokens).toBeGreaterThan(1000);
  expect(calls[1].cached_tokens).toBeLessThan(calls[1].prompt_tokens);
});

test('an agent the inference puts in compute debt stops thinking, as with any compute', async () => {
  await agent('local_poor', 1);
  await think({ pool: db.pool, config }, { agentId: 'local_poor', iteration: 0, attempt: 0 });
  expect(await compute('local_poor')).toBeLessThan(0);
  const ready = await checkReadiness(db.pool, config, 'local_poor');
  expect(ready.status).toBe('compute-debt');
});

test('another model name is refused as a provider refuses it (INVALID_ARGUMENT), nothing charged', async () => {
  await rejectsWith(
    callLlm({ pool: db.pool, config }, { key: 'local-other-model', payer: null, model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], maxTokens: 5 }),
    'INVALID_ARGUMENT',
  );
});
