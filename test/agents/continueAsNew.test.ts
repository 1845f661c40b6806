/**
 * Forced continue-as-new (agents.maxIterationsPerRun = 3): the workflow starts new runs, and the
 * iteration counter and short memory carry over, so nothing is lost or repeated: every iteration
 * thinks once, every transfer happens once under its own key.
 */
import { startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld({ agents: { maxIterationsPerRun: 3, memorySize: 5 } });
});
afterAll(() => w?.close());

test('iteration numbers continue across runs; nothing is lost or repeated', async () => {
  const a = await w.agent('looper', { scrip: 100 });
  const b = await w.agent('payee');
  const pay = JSON.stringify({ action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer', args: { to: b, amount: 1 } });
  w.script(a, Array.from({ length: 8 }, () => pay));
  await w.start(a);
  const settled = await w.waitFor('the settle at iteration 8', async () => {
    const s = await w.state(a);
    return s.iteration === 9 && s.status === 'sleeping' ? s : undefined;
  });

  // three runs of one workflow id: iterations 0-2, 3-5, 6-8
  const runs = await w.waitFor('three runs in visibility', async () => {
    const found = [];
    for await (const e of w.client.workflow.list({ query: `WorkflowId = 'agent-${a}'` })) found.push(e);
    return found.length >= 3 ? found : undefined;
  });
  expect(runs).toHaveLength(3);
  expect(runs.filter((r) => r.status.name === 'CONTINUED_AS_NEW')).toHaveLength(2);

  const rows = await w.actions(a);
  expect(rows.map((r) => r.iteration)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  expect(rows.slice(0, 8).every((r) => r.status === 'done')).toBe(true);
  const iterationsAsked = w.calls(a).map((c) => Number(/\nIteration: (\d+)\n/.exec(c.body.messages[1].content)![1]));
  expect(iterationsAsked).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  const journal = await w.pool.query(`SELECT id FROM journal WHERE kind = 'transfer' ORDER BY seq`);
  expect(journal.rows.map((r) => r.id)).toEqual(Array.from({ length: 8 }, (_, i) => `${a}:${i}`));
  expect(await w.scrip(b)).toBe(8);
  expect(await w.scrip(a)).toBe(92);

  // the short memory survived two continue-as-new
  expect(settled.memory.map((m) => m.iteration)).toEqual([4, 5, 6, 7, 8]);
  expect(settled.memory[0]).toMatchObject({ action: 'invoke_artifact', ok: true });
  await w.expectAuditOk();
});
