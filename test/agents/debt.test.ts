/**
 * Debt (SPEC section 4): work is charged after it runs, so an expensive action puts an agent in
 * compute debt. In debt it does not think: its workflow sleeps durably until the computed recovery
 * time (small rates keep the real wait short), and a transfer_compute from another principal
 * (the rescue) wakes it long before. The same holds for the LLM token bucket.
 */
import { withTransaction } from '../../src/db/tx';
import { setQuota, type QuotaResource } from '../../src/rights/quotas';
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld({
    genesis: { computeCost: { 'genesis_ledger.balance': 5000, 'genesis_rights_registry.all_quotas': 50_000_000 } },
  });
});
afterAll(() => w?.close());

/** The operator sets a right (what is issued follows, so the audit still balances). */
async function setRight(principal: string, resource: QuotaResource, amount: number): Promise<void> {
  await withTransaction(w.pool, (c) => setQuota(c, principal, resource, amount));
}

const invoke = (id: string, method: string, args: Record<string, unknown> = {}) => JSON.stringify({ action: 'invoke_artifact', id, method, args });
const thinkAt = (id: string, iteration: number) => w.calls(id).find((c) => c.body.messages[1].content.includes(`\nIteration: ${iteration}\n`))?.receivedAt;

test('an expensive action freezes the agent until its compute recovers; it thinks again only after that', async () => {
  const a = await w.agent('spender', { compute: 100 });
  // A small capacity keeps what accrues before the first action (slow on a loaded machine) below the
  // action's cost of 5000, so the debt is at least 4000: four seconds at 1000 CPU-ms per second.
  await setRight(a, 'compute_capacity', 1000);
  w.script(a, [invoke('genesis_ledger', 'balance'), '{"action":"noop"}']);
  await w.start(a);
  const frozen = await w.waitFor('the freeze', async () => {
    const s = await w.state(a);
    return s.status === 'frozen-in-debt' ? s : undefined;
  });
  expect(frozen.waitingFor).toMatch(/^compute debt to be paid off/);
  expect(frozen.balances!.compute).toBeLessThan(0);
  const bucket = await w.pool.query(`SELECT balance FROM buckets WHERE principal_id = $1 AND resource = 'compute'`, [a]);
  expect(bucket.rows[0].balance).toBeLessThan(0);
  const until = Date.parse(frozen.until!);

  await w.waitFor('the think after recovery', async () => thinkAt(a, 1));
  expect(thinkAt(a, 1)!).toBeGreaterThanOrEqual(until);
  await w.waitFor('the settle', async () => (await w.state(a)).iteration === 3);
  await w.expectAuditOk();
});

test('a rescue transfer_compute wakes a deeply frozen agent long before its recovery time', async () => {
  const a = await w.agent('deep', { compute: 100 });
  const rescuer = await w.account('rescuer', { compute: 60_000_000 });
  w.script(a, [invoke('genesis_rights_registry', 'all_quotas'), invoke('genesis_ledger', 'balance', {})], SETTLE);
  await w.start(a);
  const frozen = await w.waitFor('the freeze', async () => {
    const s = await w.state(a);
    return s.status === 'frozen-in-debt' ? s : undefined;
  });
  const until = Date.parse(frozen.until!);
  expect(until).toBeGreaterThan(Date.now() + 3600 * 1000); // ~14 hours at 1000 CPU-ms per second
  expect(w.calls(a)).toHaveLength(1);

  const rescue = await w.call(rescuer, 'genesis_ledger', 'transfer_compute', { to: a, amount: 50_010_000 });
  expect(rescue.ok).toBe(true);
  await w.waitFor('the think after the rescue', async () => thinkAt(a, 1));
  expect(thinkAt(a, 1)!).toBeLessThan(until);
  const after = await w.waitFor('the next action', async () => (await w.actions(a)).find((r) => r.iteration === 1 && r.status === 'done'));
  expect((after.result as { compute: number }).compute).toBeGreaterThanOrEqual(0);
  await w.expectAuditOk();
});

test('an agent in LLM token debt does not think until its token bucket recovers', async () => {
  const a = await w.agent('chatty');
  // ~1,900 tokens per think at 1,000 tokens per second: about two seconds of debt after each
  await setRight(a, 'llm_token_rate', 1000);
  w.script(a, ['{"action":"noop"}', '{"action":"noop"}']);
  await w.start(a);
  const frozen = await w.waitFor('the token freeze', async () => {
    const s = await w.state(a);
    return s.status === 'frozen-in-debt' ? s : undefined;
  });
  expect(frozen.waitingFor).toMatch(/^llm_tokens debt/);
  expect(frozen.balances!.llm_tokens).toBeLessThan(0);
  const until = Date.parse(frozen.until!);
  const next = frozen.iteration;
  await w.waitFor('the think after the tokens recover', async () => thinkAt(a, next));
  expect(thinkAt(a, next)!).toBeGreaterThanOrEqual(until);
});
