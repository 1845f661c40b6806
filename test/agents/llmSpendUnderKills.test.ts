/**
 * LLM spend while the worker dies again and again (SPEC section 4: the LLM dollars recorded are
 * never less than what the provider billed). Agents think against the fake LLM, which counts what
 * it answered (the tokens a provider bills, whether or not the caller lived to read the answer),
 * while the worker child process is SIGKILLed with requests in flight. Afterwards the recorded spend
 * (tokens and micro-dollars: settled calls plus the worst cases of attempts whose outcome was
 * unknown) is at least what was billed, and at most that plus the worst case of the calls that
 * were in flight at the kills; the audit passes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { recordedSpend } from '../../src/llm/call';
import { costMicros, priceOf } from '../../src/llm/pricing';
import { llmSpentBefore } from '../../src/metrics/queries';
import { NOOP_ACTION } from '../support/fakeLlm';
import { childWorkers, type ChildWorkers } from './support/childWorker';
import { SETTLE, startAgentWorld, type AgentWorld, type ScriptItem } from './support/harness';

let w: AgentWorld;
let workers: ChildWorkers;

beforeAll(async () => {
  // a short heartbeat timeout: a killed think is retried soon
  w = await startAgentWorld({ agents: { activities: { thinkHeartbeatTimeoutMs: 2000 } } }, { worker: false });
  workers = await childWorkers(w);
});
afterAll(async () => {
  workers?.killAll();
  await w?.close();
});

const AGENTS = 3;
const ITERATIONS = 6;
const KILLS = 4;
/** How long the fake takes to answer: kills land while requests are in flight. */
const ANSWER_MS = 700;

test('the recorded LLM spend is never less than what the provider billed, however often the worker dies', async () => {
  const billed = { requests: 0, tokens: 0, micros: 0 };
  let inFlight = 0;
  const price = priceOf(w.config.llm, w.config.llm.defaultModel);
  // Every reply is counted as billed when the provider has produced it, before it is sent.
  const answer = (content: string): ScriptItem => async () => {
    const usage = { prompt_tokens: 900, completion_tokens: Math.ceil(content.length / 4) };
    billed.requests++;
    billed.tokens += usage.prompt_tokens + usage.completion_tokens;
    billed.micros += costMicros(usage, price);
    inFlight++;
    try {
      await sleep(ANSWER_MS);
    } finally {
      inFlight--;
    }
    return { content, usage };
  };
  const ids: string[] = [];
  for (let i = 0; i < AGENTS; i++) {
    const id = await w.agent(`thinker${i}`);
    w.script(id, Array.from({ length: ITERATIONS }, () => answer(NOOP_ACTION)), answer(SETTLE));
    ids.push(id);
  }

  let worker = await workers.start();
  for (const id of ids) await w.start(id);
  for (let k = 0; k < KILLS; k++) {
    await w.waitFor('a request in flight', async () => inFlight > 0, 60_000);
    worker.proc.kill('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');
    worker = await workers.start();
  }
  await w.waitFor('every agent through its script', async () => {
    for (const id of ids) {
      const s = await w.state(id);
      if (s.iteration < ITERATIONS || s.status !== 'sleeping') return false;
    }
    return true;
  }, 180_000);
  await Promise.all(ids.map((id) => w.handle(id).terminate('measured')));
  worker.proc.kill('SIGTERM');
  await worker.exited;

  // Every attempt a dead worker left open was charged when the think was retried (under the same
  // key, or the next one): nothing waits for an expiry.
  const spend = await recordedSpend(w.pool);
  expect(spend.open_calls).toBe(0);
  const recorded = { tokens: spend.calls_tokens + spend.abandoned_tokens, micros: spend.calls_cost_micros + spend.abandoned_cost_micros };
  const worst = (await w.pool.query<{ micros: number; tokens: number }>(`SELECT max(worst_case_micros) AS micros, max(worst_case_tokens) AS tokens FROM llm_calls`)).rows[0];
  // the dead workers' requests were billed too
  expect(billed.requests).toBeGreaterThan(AGENTS * (ITERATIONS + 1));
  expect(spend.abandoned_attempts).toBeGreaterThanOrEqual(1);
  expect(recorded.tokens).toBeGreaterThanOrEqual(billed.tokens);
  expect(recorded.micros).toBeGreaterThanOrEqual(billed.micros);
  // at most every agent's call was in flight at each kill
  expect(recorded.tokens).toBeLessThanOrEqual(billed.tokens + KILLS * AGENTS * worst.tokens);
  expect(recorded.micros).toBeLessThanOrEqual(billed.micros + KILLS * AGENTS * worst.micros);
  expect(spend.budget.spent_micros).toBe(recorded.micros);
  // the metrics count the same spend
  expect(await llmSpentBefore(w.pool, new Date(Date.now() + 60_000))).toBe(recorded.micros);
  await w.expectAuditOk();
}, 300_000);
