/**
 * LLM dollars an open call holds cannot be offered for sale (genesis_escrow.offer_right): settling
 * the call must find them still there. Only the unreserved part can be offered; the audit counts
 * the offered part as held by the escrow.
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
});
afterAll(() => h.close());

const offer = (amount: number) =>
  dispatch({ pool: h.pool, config: h.config }, { caller: 'alice', artifactId: 'genesis_escrow', method: 'offer_right', args: { resource: 'llm_dollars', amount, price: 5 }, key: `test-${randomUUID()}` });

test('offering the whole allowance while a call holds part of it: refused; the unreserved part can be offered', async () => {
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
    whole = await offer(ALLOWANCE);
    rest = await offer(ALLOWANCE - worst);
  } finally {
    release();
  }
  const res = await call;
  expect(whole).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
  expect(!whole.ok && whole.error.message).toMatch(/reserved/);
  expect(rest).toMatchObject({ ok: true, result: { resource: 'llm_dollars', amount: ALLOWANCE - worst } });
  expect(await h.dollars('alice')).toBe(worst - res.cost_micros);
  const report = await audit(h.pool);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks.map((c) => c.name)).toContain('quotas_conserved');
});
