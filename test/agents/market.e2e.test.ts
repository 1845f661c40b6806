/**
 * Issue 14 end to end, against the real services: agent A places a sealed bid on the oracle, then
 * creates agent B with an endowment through its own action; B thinks on its own and offers part of
 * its llm_token_rate in escrow; agent C buys it for scrip. Scrip and right move together, the audit
 * passes, and A's bid amount appears in no prompt B or C received before a resolution.
 */
import { getQuotas } from '../../src/rights/quotas';
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
}, 60_000);
afterAll(() => w?.close());

const BID = 7331;
const REVEALS_BID = new RegExp(`\\b${BID}\\b`);
const THINKING_RIGHTS = { llm_dollars: 100_000_000, llm_token_rate: 500_000, llm_token_capacity: 5_000_000, compute_rate: 10, compute_capacity: 5000 };
const OFFERED = 120_000;
const PRICE = 9;
const invoke = (id: string, method: string, args: Record<string, unknown>) => JSON.stringify({ action: 'invoke_artifact', id, method, args });

async function tokenRate(id: string): Promise<number> {
  const c = await w.pool.connect();
  try {
    return (await getQuotas(c, id)).llm_token_rate;
  } finally {
    c.release();
  }
}

/** The first finished action of `agent` at `iteration`. */
const finished = (agent: string, iteration: number) =>
  w.waitFor(`${agent} to finish iteration ${iteration}`, async () => (await w.actions(agent)).find((r) => r.iteration === iteration && r.status !== 'thinking' && r.status !== 'ready'));

test('A bids sealed and endows B; B thinks, offers a right; C buys it; nothing of the bid reaches B or C', async () => {
  const a = await w.agent('bidder', { scrip: 20_000 });
  const tool = w.id('bidder_tool');
  const code = 'export async function run() { return 1 }';
  expect((await w.call(a, 'genesis_store', 'create', { id: tool, type: 'tool', code, can_execute: true })).ok).toBe(true);
  const b = w.id('endowed');
  const c = await w.agent('buyer', { scrip: 100 });

  w.script(a, [
    invoke('genesis_oracle', 'bid', { artifact_id: tool, amount: BID }),
    JSON.stringify({ action: 'write_artifact', id: b, type: 'agent', has_standing: true, can_execute: true, content: { system_prompt: 'endowed seller' }, endowment: { scrip: 11, compute: 2000, quotas: THINKING_RIGHTS } }),
  ]);
  w.script(b, [invoke('genesis_escrow', 'offer_right', { resource: 'llm_token_rate', amount: OFFERED, price: PRICE })]);
  const sale: { offerId?: number } = {};
  w.script(c, [({ iteration }) => ({ content: iteration === 0 && sale.offerId !== undefined ? invoke('genesis_escrow', 'buy_right', { offer_id: sale.offerId }) : SETTLE })]);

  await w.start(a);
  expect(await finished(a, 0)).toMatchObject({ status: 'done' });
  expect(await finished(a, 1)).toMatchObject({ status: 'done', result: { id: b, created: true, agent: true, workflow: 'started' } });

  // B was started by the creation, not by the test: it thinks on its own and offers.
  const offer = await finished(b, 0);
  expect(offer).toMatchObject({ status: 'done', result: { resource: 'llm_token_rate', amount: OFFERED, price: PRICE, seller: b, status: 'open' } });
  const offerId = (offer.result as { offer_id: number }).offer_id;
  sale.offerId = offerId;
  expect(await tokenRate(b)).toBe(THINKING_RIGHTS.llm_token_rate - OFFERED);
  expect(await tokenRate('genesis_escrow')).toBe(OFFERED);

  const [rateC, scripB] = [await tokenRate(c), await w.scrip(b)];
  await w.start(c);
  expect(await finished(c, 0)).toMatchObject({ status: 'done', result: { offer_id: offerId, status: 'sold', purchaser: c } });
  expect(await tokenRate(c)).toBe(rateC + OFFERED);
  expect(await tokenRate('genesis_escrow')).toBe(0);
  expect(await tokenRate(b)).toBe(THINKING_RIGHTS.llm_token_rate - OFFERED);
  expect(await w.scrip(c)).toBe(100 - PRICE);
  expect(await w.scrip(b)).toBe(scripB + PRICE);
  const payments = await w.pool.query(`SELECT count(*)::int AS n FROM events WHERE type = 'right_sold' AND data->>'offer_id' = $1`, [String(offerId)]);
  expect(payments.rows[0].n).toBe(1);
  await w.expectAuditOk();

  // No resolution has run: A's bid is still open, and every prompt B and C received is clean of it.
  expect(await w.call(a, 'genesis_oracle', 'check', { artifact_id: tool })).toMatchObject({ ok: true, result: { amount: BID, status: 'open' } });
  const seen = [...w.calls(b), ...w.calls(c)];
  expect(w.calls(b).length).toBeGreaterThanOrEqual(1);
  expect(w.calls(c).length).toBeGreaterThanOrEqual(1);
  for (const req of seen) for (const m of req.body.messages) expect(m.content).not.toMatch(REVEALS_BID);
  // The check can fail: A's own prompt after its bid shows the amount.
  expect(w.calls(a)[1].body.messages.map((m) => m.content).join('\n')).toMatch(REVEALS_BID);
});
