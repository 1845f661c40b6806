/**
 * The system LLM dollar budget: with a tiny budget and several agents thinking at once, the
 * recorded spend never exceeds it (each call reserves its worst case first); when it is spent, every
 * agent waits and its state says why. When money is back, a wake ends the wait.
 */
import { recordedSpend } from '../../src/llm/budget';
import { startAgentWorld, type AgentWorld } from './support/harness';
import { wakeSignal } from '../../src/agents/signals';

// A few thinks of each agent (each reserves its worst case: every prompt byte and the response format a token).
const BUDGET = 60_000;
let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld({
    llm: { systemBudgetMicros: BUDGET, defaultModel: 'test-model', prices: { 'test-model': { input: 1_000_000, output: 2_000_000 } } },
  });
});
afterAll(() => w?.close());

test('concurrent agents never spend more than the budget, then all wait for it', async () => {
  const ids = await Promise.all(['a', 'b', 'c', 'd'].map((n) => w.agent(`spender_${n}`)));
  for (const id of ids) w.script(id, [], '{"action":"noop"}');
  await Promise.all(ids.map((id) => w.start(id)));

  for (const id of ids) {
    const s = await w.waitFor(`${id} to wait for the budget`, async () => {
      const st = await w.state(id);
      return st.status === 'waiting-for-budget' ? st : undefined;
    });
    expect(s.waitingFor).toMatch(/system LLM budget/);
  }
  const spend = await recordedSpend(w.pool);
  expect(spend.succeeded_calls).toBeGreaterThan(ids.length);
  expect(spend.calls_cost_micros).toBeLessThanOrEqual(BUDGET);
  expect(spend.budget.spent_micros).toBe(spend.calls_cost_micros);
  expect(spend.open_calls).toBe(0);
  // every thought that was paid for is a recorded action; no iteration was charged twice
  const thoughts = await w.pool.query(`SELECT count(*)::int AS n, count(DISTINCT llm_key)::int AS keys FROM agent_actions WHERE status <> 'thinking'`);
  expect(thoughts.rows[0]).toEqual({ n: spend.succeeded_calls, keys: spend.succeeded_calls });

  // the operator adds money (here: the running worker's configuration) and wakes one agent
  w.config.llm.systemBudgetMicros = BUDGET * 2;
  const before = (await w.actions(ids[0])).length;
  await w.handle(ids[0]).signal(wakeSignal);
  await w.waitFor('a think after the wake', async () => (await w.actions(ids[0])).length > before);
  const after = await recordedSpend(w.pool);
  expect(after.calls_cost_micros).toBeLessThanOrEqual(BUDGET * 2);
  await w.expectAuditOk();
});
