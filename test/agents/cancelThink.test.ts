/**
 * A cancelled think stops its provider request: the think activity passes its cancellation signal
 * to the LLM call, so cancelling the agent's workflow while the provider has not answered closes
 * the request (it does not keep running, and keep its hold, until the provider answers or times
 * out), and the call's hold is given back.
 */
import { startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;

beforeAll(async () => {
  // a short heartbeat timeout: the cancellation reaches the activity with its next heartbeat
  w = await startAgentWorld({ agents: { activities: { thinkHeartbeatTimeoutMs: 2000 } } });
});
afterAll(async () => {
  await w?.close();
});

test('cancelling an agent mid-think aborts the LLM request the think waits for', async () => {
  const a = await w.agent('canceller');
  w.script(a, [{ hang: true }]); // the provider never answers
  const handle = await w.start(a);
  const request = await w.waitFor('the think request at the provider', async () => w.calls(a)[0]);
  expect(request.abortedAt).toBeUndefined();

  await handle.cancel();
  await w.waitFor('the provider request closed by the client', async () => request.abortedAt !== undefined, 20000);
  const call = await w.waitFor('the aborted call recorded', async () => {
    const r = await w.pool.query<{ status: string; reserved_micros: number }>(`SELECT status, reserved_micros FROM llm_calls WHERE payer_id = $1`, [a]);
    return r.rows[0]?.status === 'failed' ? r.rows[0] : undefined;
  });
  expect(call.reserved_micros).toBe(0);
  expect(w.calls(a)).toHaveLength(1);
});
