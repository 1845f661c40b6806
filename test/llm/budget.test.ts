/**
 * The system dollar budget under concurrency: many agents thinking at once can never record more
 * spend than the budget, and the budget row always agrees with the per-call records.
 */
import { llmBudgetCheck } from '../../src/llm/audit';
import { getBudgetStatus, recordedSpend } from '../../src/llm/call';
import { promptTokenBound } from '../../src/llm/estimate';
import { NOOP_ACTION } from '../support/fakeLlm';
import { MESSAGES, rejectsWith, setupLlm, worstCase, type LlmHarness } from './harness';

const AGENTS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const MAX_TOKENS = 50;

let h: LlmHarness;

beforeAll(async () => {
  h = await setupLlm();
  for (const id of AGENTS) await h.agent(id);
});
afterAll(() => h.close());

async function expectConsistent(budget: number): Promise<void> {
  const s = await recordedSpend(h.pool);
  expect(s.calls_cost_micros).toBeLessThanOrEqual(budget);
  expect(s.budget.spent_micros).toBe(s.calls_cost_micros);
  expect(s.budget.reserved_micros).toBe(0);
  expect(s.open_calls).toBe(0);
  const client = await h.pool.connect();
  try {
    expect(await llmBudgetCheck(client)).toMatchObject({ ok: true });
  } finally {
    client.release();
  }
}

/** 20 calls at once, 4 for each of 5 agents; returns how many succeeded and the refusal codes. */
async function race(round: string, config = h.config): Promise<{ ok: number; refused: string[] }> {
  const calls = Array.from({ length: 20 }, (_, i) => h.call({ key: `${round}-${i}`, payer: AGENTS[i % AGENTS.length], maxTokens: MAX_TOKENS }, { config }));
  const settled = await Promise.allSettled(calls);
  const refused = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as { code: string }).code);
  return { ok: settled.length - refused.length, refused };
}

it('when every call costs its worst case, exactly as many as the budget covers go through', async () => {
  const worst = worstCase(h.config, MAX_TOKENS);
  const budget = 5 * worst + Math.floor(worst / 2);
  const config = h.withLlm({ systemBudgetMicros: budget });
  // The provider reports the whole bound: each call costs exactly what it reserved.
  h.fake.respond(() => ({ content: NOOP_ACTION, usage: { prompt_tokens: promptTokenBound(MESSAGES, undefined, h.config.llm), completion_tokens: MAX_TOKENS }, delayMs: 30 }));
  const { ok, refused } = await race('exact', config);
  expect(ok).toBe(5);
  expect(refused).toEqual(Array(15).fill('BUDGET_EXHAUSTED'));
  expect(h.fake.calls).toHaveLength(5);
  await expectConsistent(budget);
  expect((await getBudgetStatus(h.pool, config)).remaining_micros).toBe(budget - 5 * worst);
});

it('with random real usage, the recorded spend never passes the budget', async () => {
  const worst = worstCase(h.config, MAX_TOKENS);
  const spent = (await getBudgetStatus(h.pool)).spent_micros;
  const budget = spent + 3 * worst;
  const config = h.withLlm({ systemBudgetMicros: budget });
  const bound = promptTokenBound(MESSAGES, undefined, h.config.llm);
  h.fake.respond(() => ({
    content: NOOP_ACTION,
    usage: { prompt_tokens: 1 + Math.floor(Math.random() * bound), completion_tokens: Math.floor(Math.random() * (MAX_TOKENS + 1)) },
    delayMs: Math.floor(Math.random() * 40),
  }));
  for (let round = 0; round < 4; round++) {
    const { refused } = await race(`random-${round}`, config);
    expect(refused.every((c) => c === 'BUDGET_EXHAUSTED')).toBe(true);
    await expectConsistent(budget);
  }
  // One at a time until refused: then less than one worst case is left, and every agent is refused.
  let n = 0;
  for (; n < 100; n++) {
    const r = await Promise.allSettled([h.call({ key: `drain-${n}`, payer: AGENTS[n % AGENTS.length], maxTokens: MAX_TOKENS }, { config })]);
    if (r[0].status === 'rejected') break;
  }
  expect(n).toBeLessThan(100);
  expect((await getBudgetStatus(h.pool, config)).remaining_micros).toBeLessThan(worst);
  for (const payer of AGENTS) await rejectsWith(h.call({ key: `after-${payer}`, payer, maxTokens: MAX_TOKENS }, { config }), 'BUDGET_EXHAUSTED');
  await expectConsistent(budget);
});
