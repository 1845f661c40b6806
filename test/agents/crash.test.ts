/**
 * Killing the worker process (kill -9) in the middle of an iteration: the worker runs as a child
 * process (`ecology worker`); when the fake LLM receives the think of iteration 1 it holds the
 * response and the test kills the worker. A new worker takes over: the think activity is retried
 * after its heartbeat timeout and the LLM call is taken over under the same key. A second kill
 * during a durable timer sleep changes nothing either. The agent goes on, no action runs twice,
 * no cost is charged twice (the killed attempt, its outcome unknown, is charged its worst case
 * once). A SIGTERM stops the last worker gracefully.
 */
import { childWorkers, type ChildWorker, type ChildWorkers } from './support/childWorker';
import { startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
let workers: ChildWorkers;

beforeAll(async () => {
  // a short heartbeat timeout: the killed think is retried two seconds after its last heartbeat
  w = await startAgentWorld({ agents: { activities: { thinkHeartbeatTimeoutMs: 2000 } } }, { worker: false });
  workers = await childWorkers(w);
});
afterAll(async () => {
  workers?.killAll();
  await w?.close();
});

const startChildWorker = () => workers.start();

test('a worker killed mid-think and mid-sleep: the agent goes on, nothing runs or is charged twice', async () => {
  const a = await w.agent('survivor', { scrip: 100 });
  const b = await w.agent('bystander');
  const pay = (amount: number) => JSON.stringify({ action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer', args: { to: b, amount } });
  const running: { first?: ChildWorker } = {};
  let killedAt = 0;
  w.script(a, [
    pay(3),
    () => {
      if (!killedAt) {
        killedAt = Date.now();
        running.first!.proc.kill('SIGKILL'); // the worker dies while this think waits for its answer
        return { hang: true };
      }
      return { content: pay(4) };
    },
    JSON.stringify({ action: 'sleep', seconds: 3 }),
    pay(5),
  ]);

  const first = (running.first = await startChildWorker());
  await w.start(a);
  const death = await first.exited;
  expect(death.signal).toBe('SIGKILL');
  expect((await w.actions(a)).find((r) => r.iteration === 1)?.status).toBe('thinking');

  const second = await startChildWorker();
  const sleeping = await w.waitFor('the timer sleep of iteration 2', async () => {
    const s = await w.state(a);
    return s.status === 'sleeping' && s.iteration === 3 ? s : undefined;
  }, 60000);
  second.proc.kill('SIGKILL'); // dies during a durable timer
  await second.exited;
  const third = await startChildWorker();
  await w.waitFor('the settle after the last payment', async () => {
    const s = await w.state(a);
    return s.iteration === 5 && s.status === 'sleeping' ? s : undefined;
  }, 60000);
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(sleeping.until!));

  // the held think was asked twice (the killed attempt and its retry), every other once
  const asked = w.calls(a).map((c) => Number(/\nIteration: (\d+)\n/.exec(c.body.messages[1].content)![1]));
  expect(asked).toEqual([0, 1, 1, 2, 3, 4]);
  // ...with the very same request: the retry re-sent the stored prompt
  const [held, retried] = w.calls(a).filter((c) => c.body.messages[1].content.includes('\nIteration: 1\n'));
  expect(retried.body.messages).toEqual(held.body.messages);

  // one LLM record and one token charge per iteration, each succeeded; the killed attempt's outcome
  // was unknown to the retry (the provider may have billed it), so it is charged its worst case
  const calls = await w.pool.query(`SELECT key, status, cost_micros FROM llm_calls WHERE payer_id = $1 ORDER BY key`, [a]);
  expect(calls.rows.map((r) => r.key)).toEqual([0, 1, 2, 3, 4].map((i) => `${a}:${i}`));
  expect(calls.rows.every((r) => r.status === 'succeeded' && r.cost_micros > 0)).toBe(true);
  const tokenCharges = await w.pool.query(`SELECT id FROM resource_effects WHERE kind = 'spend:llm_tokens' AND payload->>'principal' = $1 ORDER BY id`, [a]);
  expect(tokenCharges.rows.map((r) => r.id)).toEqual([...[0, 1].map((i) => `${a}:${i}:tokens`), `${a}:1:tokens@attempt1`, ...[2, 3, 4].map((i) => `${a}:${i}:tokens`)]);
  const abandoned = await w.pool.query(`SELECT key, attempt FROM llm_abandoned_attempts WHERE payer_id = $1`, [a]);
  expect(abandoned.rows).toEqual([{ key: `${a}:1`, attempt: 1 }]);

  // every action ran once: one operation and one journal row per payment
  const rows = await w.actions(a);
  expect(rows.map((r) => [r.iteration, r.status])).toEqual([[0, 'done'], [1, 'done'], [2, 'done'], [3, 'done'], [4, 'done']]);
  const ops = await w.pool.query(`SELECT key FROM operations WHERE caller_id = $1 ORDER BY key`, [a]);
  expect(ops.rows.map((r) => r.key)).toEqual([`${a}:0`, `${a}:1`, `${a}:3`]);
  const journal = await w.pool.query(`SELECT id, amount FROM journal WHERE kind = 'transfer' ORDER BY seq`);
  expect(journal.rows).toEqual([
    { id: `${a}:0`, amount: 3 },
    { id: `${a}:1`, amount: 4 },
    { id: `${a}:3`, amount: 5 },
  ]);
  expect(await w.scrip(b)).toBe(12);
  await w.expectAuditOk();

  // graceful shutdown on SIGTERM
  third.proc.kill('SIGTERM');
  const end = await third.exited;
  expect(end).toEqual({ code: 0, signal: null });
  expect(third.output()).toMatch(/SIGTERM received, shutting down gracefully[\s\S]*worker stopped/);
}, 180_000);
