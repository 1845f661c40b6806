/**
 * Bad LLM output (invalid JSON, unknown actions, wrong types, huge or truncated output, unknown
 * keys, impersonation): each kind is a recorded failed action with its reason, the agent still pays for
 * the thinking, its loop goes on, and nothing in the scrip ledger moves. An action that names
 * another principal as the sender fails FORBIDDEN through the normal access checks: the caller is
 * always the workflow's own agent.
 */
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

test('invalid, unknown, mistyped, huge and impersonating outputs are failed actions; the loop goes on', async () => {
  const mallory = await w.agent('mallory', { scrip: 10 });
  const victim = await w.agent('victim', { scrip: 100 });
  const huge = JSON.stringify({ action: 'write_artifact', id: `${mallory}_big`, type: 'data', content: { blob: 'x'.repeat(300_000) } });
  w.script(mallory, [
    'this is not json {',
    '{"action":"fly","to":"the moon"}',
    '{"action":"sleep","seconds":"ten"}',
    { content: huge, usage: { prompt_tokens: 1000, completion_tokens: 1000 } },
    `{"action":"noop","from":"${victim}"}`,
    JSON.stringify({ action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer', args: { from: victim, to: mallory, amount: 50 } }),
    JSON.stringify({ action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer_compute', args: { from: victim, to: mallory, amount: 500 } }),
    JSON.stringify({ action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer', args: { to: victim, amount: -5 } }),
    '[{"action":"noop"}]',
    JSON.stringify({ action: 'write_artifact', id: `${mallory}_long`, type: 'data', content: { text: 'y'.repeat(10_000) } }),
    '{"action":"noop"}',
    SETTLE,
  ]);
  await w.start(mallory);
  // Twelve iterations: allow for a loaded machine.
  await w.waitFor('mallory to get through her script', async () => (await w.actions(mallory)).length >= 12 && (await w.state(mallory)).status === 'sleeping', 90_000);

  const rows = await w.actions(mallory);
  const brief = rows.slice(0, 11).map((r) => [r.iteration, r.status, r.error?.code ?? null]);
  expect(brief).toEqual([
    [0, 'invalid', 'INVALID_ACTION'],
    [1, 'invalid', 'INVALID_ACTION'],
    [2, 'invalid', 'INVALID_ACTION'],
    [3, 'invalid', 'INVALID_ACTION'],
    [4, 'invalid', 'INVALID_ACTION'],
    [5, 'failed', 'FORBIDDEN'],
    [6, 'failed', 'FORBIDDEN'],
    [7, 'failed', 'INVALID_ARGUMENT'],
    [8, 'invalid', 'INVALID_ACTION'],
    [9, 'invalid', 'INVALID_ACTION'],
    [10, 'done', null],
  ]);
  expect(rows[0].error!.message).toMatch(/not valid JSON/);
  expect(rows[0].raw_output).toBe('this is not json {');
  expect(rows[1].error!.message).toMatch(/action/);
  expect(rows[2].error!.message).toMatch(/seconds/);
  expect(rows[3].error!.message).toMatch(/above the limit/);
  expect(rows[3].raw_output!.length).toBeLessThanOrEqual(w.config.agents.maxStoredRawChars);
  expect(rows[4].error!.message).toMatch(/from/);
  expect(rows[5].error!.message).toMatch(new RegExp(`${mallory} may not transfer ${victim}`));
  expect(rows[9].error!.message).toMatch(/^the output was cut at max_tokens \(1024\); output is not valid JSON/);

  // every thought was paid for, including the invalid ones
  const calls = await w.pool.query(`SELECT key, status, cost_micros FROM llm_calls WHERE payer_id = $1 ORDER BY created_at`, [mallory]);
  expect(calls.rows.length).toBeGreaterThanOrEqual(12);
  expect(calls.rows.every((c) => c.status === 'succeeded' && c.cost_micros > 0)).toBe(true);
  expect(rows.every((r) => r.cost_micros > 0)).toBe(true);

  // the scrip ledger did not move; the refused transfers only cost their compute
  const moved = await w.pool.query(`SELECT count(*)::int AS n FROM journal WHERE kind <> 'issuance'`);
  expect(moved.rows[0].n).toBe(0);
  expect(await w.scrip(mallory)).toBe(10);
  expect(await w.scrip(victim)).toBe(100);
  const ops = await w.pool.query(`SELECT key, ok FROM operations WHERE caller_id = $1 ORDER BY key`, [mallory]);
  expect(ops.rows).toEqual([
    { key: `${mallory}:5`, ok: false },
    { key: `${mallory}:6`, ok: false },
    { key: `${mallory}:7`, ok: false },
  ]);
  const effects = await w.pool.query(`SELECT id FROM resource_effects WHERE id LIKE $1 ORDER BY id`, [`${mallory}:%:compute`]);
  expect(effects.rows.map((r) => r.id)).toEqual([`${mallory}:5:compute`, `${mallory}:6:compute`, `${mallory}:7:compute`]);

  const state = await w.state(mallory);
  expect(state.iteration).toBeGreaterThanOrEqual(12);
  await w.expectAuditOk();
}, 150_000);
