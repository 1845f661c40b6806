/**
 * Deeply nested LLM output (thousands of levels of JSON arrays and objects, well within the token
 * limit) is one invalid action: the provider is asked once, the agent pays for that thinking once,
 * the failed action is recorded with a clear reason, and the loop goes on.
 */
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

const DEPTH = 4200;

test('output nested 4,200 levels deep is one recorded invalid action after one provider call', async () => {
  const deep = await w.agent('deep', { scrip: 10 });
  // Arrays and objects in turn; a real tokenizer makes a few hundred tokens of these brackets.
  const nested = `${'[{"a":'.repeat(DEPTH / 2)}1${'}]'.repeat(DEPTH / 2)}`;
  const usage = { prompt_tokens: 1000, completion_tokens: 900 };
  w.script(deep, [
    { content: JSON.stringify({ action: 'write_artifact', id: `${deep}_x`, type: 'data', content: 'CONTENT' }).replace('"CONTENT"', nested), usage },
    { content: `{"action":"invoke_artifact","id":"genesis_ledger","method":"balance","args":{"x":${nested}}}`, usage },
    SETTLE,
  ]);
  await w.start(deep);
  await w.waitFor('two iterations and the settle', async () => (await w.actions(deep)).length >= 3 && (await w.state(deep)).status === 'sleeping', 60_000);

  const rows = await w.actions(deep);
  expect(rows.slice(0, 2).map((r) => [r.iteration, r.status, r.error?.code ?? null])).toEqual([
    [0, 'invalid', 'INVALID_ACTION'],
    [1, 'invalid', 'INVALID_ACTION'],
  ]);
  for (const r of rows.slice(0, 2)) expect(r.error!.message).toMatch(/nested more than \d+ levels deep/);
  // one provider call per iteration, each paid once
  const asked = w.calls(deep).map((c) => Number(/\nIteration: (\d+)\n/.exec(c.body.messages[1].content)![1]));
  expect(asked).toEqual([0, 1, 2]);
  const calls = await w.pool.query(`SELECT key, status, cost_micros FROM llm_calls WHERE payer_id = $1 ORDER BY key`, [deep]);
  expect(calls.rows.map((r) => [r.key, r.status])).toEqual([0, 1, 2].map((i) => [`${deep}:${i}`, 'succeeded']));
  expect(rows.slice(0, 2).every((r) => r.cost_micros > 0)).toBe(true);
  await w.expectAuditOk();
}, 120_000);
