/**
 * The LLM dollar allowance is a conserved right: while a call holds part of it, only the rest can
 * be transferred, so settling the call cannot find the allowance gone (and clamp at zero, making
 * allowance from nothing). The audit checks every right: held plus consumed equals issued.
 */
import { randomUUID } from 'node:crypto';
import { audit } from '../../src/audit/audit';
import { dispatch } from '../../src/genesis/dispatch';
import { NOOP_ACTION } from '../support/fakeLlm';
import { setupLlm, worstCase, type LlmHarness } from './harness';

let h: LlmHarness;
const ALLOWANCE = 1_000_000;

beforeAll(async () => {
  h = await setupLlm();
  await h.agent('alice', { dollars: ALLOWANCE });
  await h.agent('bob', { dollars: ALLOWANCE });
});
afterAll(() => h.close());

const transfer = (from: string, to: string, amount: number) =>
  dispatch({ pool: h.pool, config: h.config }, { caller: from, artifactId: 'genesis_rights_registry', method: 'transfer_quota', args: { to, resource: 'llm_dollars', amount }, key: `test:${randomUUID()}` });

async function allowanceTotal(): Promise<number> {
  const r = await h.pool.query<{ n: string }>(`SELECT sum(amount)::text AS n FROM quotas WHERE resource = 'llm_dollars' AND principal_id IN ('alice', 'bob')`);
  return Number(r.rows[0].n);
}

test('moving the whole allowance while a call holds part of it: refused, only the unreserved part moves, the total is conserved', async () => {
  const worst = worstCase(h.config, 50);
  let release!: () => void;
  const answered = new Promise<void>((r) => (release = r));
  h.fake.respond(async () => {
    await answered;
    return { content: NOOP_ACTION, usage: { prompt_tokens: 100, completion_tokens: 20 } };
  });
  const call = h.call({ key: 'held-1', payer: 'alice' });
  let whole, rest;
  try {
    for (let i = 0; i < 100 && h.fake.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(h.fake.calls).toHaveLength(1);
    whole = await transfer('alice', 'bob', ALLOWANCE);
    rest = await transfer('alice', 'bob', ALLOWANCE - worst);
  } finally {
    release();
  }
  const res = await call;
  expect(whole.ok).toBe(false);
  expect(!whole.ok && whole.error).toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  expect(!whole.ok && whole.error.message).toMatch(/reserved/);
  expect(rest.ok).toBe(true);
  expect(res.cost_micros).toBe(100 + 40);
  expect(await h.dollars('alice')).toBe(worst - res.cost_micros);
  expect(await h.dollars('bob')).toBe(2 * ALLOWANCE - worst);
  expect(await allowanceTotal()).toBe(2 * ALLOWANCE - res.cost_micros);
  const report = await audit(h.pool);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.map((c) => c.name)).toContain('quotas_conserved');
});
