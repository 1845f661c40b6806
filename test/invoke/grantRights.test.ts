/**
 * Tools and the market for rights: code running under a grant may not offer or withdraw its
 * invoker's rights (or compute balance) unless the grant allows the method by name, and a purchase
 * of a right spends scrip that counts against the allowance like any purchase.
 */
import { invoke } from '../../src/invoke/invoke';
import type { InvocationOutcome, InvokeRequest } from '../../src/invoke/types';
import { getQuotas } from '../../src/rights/quotas';
import { setupWorld, type World } from './support';

let w: World;
let offerId: number;

const MARKET = `export async function run(a, ctx) {
  const tries = {
    offer_disk: () => ctx.invoke('genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: 1000, price: 1, buyer: 'mallory' }),
    offer_llm: () => ctx.invoke('genesis_escrow', 'offer_right', { resource: 'llm_dollars', amount: 1000, price: 1, buyer: 'mallory' }),
    offer_compute: () => ctx.invoke('genesis_escrow', 'offer_right', { resource: 'compute', amount: 1000, price: 1, buyer: 'mallory' }),
    cancel: () => ctx.invoke('genesis_escrow', 'cancel_right', { offer_id: a.mine }),
    buy: () => ctx.invoke('genesis_escrow', 'buy_right', { offer_id: a.theirs }),
  };
  const out = {};
  for (const [name, f] of Object.entries(tries)) {
    try { await f(); out[name] = 'DONE'; } catch (e) { out[name] = e.code || String(e); }
  }
  return out;
}`;

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['victim', 'mallory']) await w.principal(p);
  await w.artifact('mallory', 'market_tool', { code: MARKET });
  const theirs = await w.invoke('mallory', 'genesis_escrow', 'offer_right', { resource: 'llm_token_capacity', amount: 5, price: 200 });
  if (!theirs.ok) throw new Error(`offer failed: ${JSON.stringify(theirs)}`);
  offerId = (theirs.result as { offer_id: number }).offer_id;
}, 120_000);
afterAll(() => w?.close());

const call = (grant: NonNullable<InvokeRequest['grant']> | undefined, args: unknown): Promise<InvocationOutcome> =>
  invoke(w.deps, { caller: 'victim', artifactId: 'market_tool', method: 'run', args, key: w.key(), ...(grant ? { grant } : {}) } as InvokeRequest);

async function quotas(id: string) {
  const client = await w.pool.connect();
  try {
    return await getQuotas(client, id);
  } finally {
    client.release();
  }
}

test('by default a tool can neither offer nor withdraw its invoker\'s rights, and cannot buy beyond the allowance', async () => {
  const mine = await w.invoke('victim', 'genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: 10, price: 9 });
  expect(mine.ok).toBe(true);
  const [q, scrip, compute] = [await quotas('victim'), await w.scrip('victim'), await w.compute('victim')];
  const o = await call(undefined, { mine: (mine.ok && (mine.result as { offer_id: number }).offer_id) || 0, theirs: offerId });
  expect(o.ok && o.result).toEqual({ offer_disk: 'FORBIDDEN', offer_llm: 'FORBIDDEN', offer_compute: 'FORBIDDEN', cancel: 'FORBIDDEN', buy: 'ALLOWANCE_EXCEEDED' });
  expect(await quotas('victim')).toEqual(q);
  expect(await w.scrip('victim')).toBe(scrip);
  expect(await w.compute('victim')).toBeGreaterThan(compute - 1000);
  await w.expectAuditOk();
}, 60_000);

test('with an allowance the tool buys a right, the price counted as spent; allow names the offering methods', async () => {
  const q = await quotas('victim');
  const key = w.key();
  const o = await invoke(w.deps, {
    caller: 'victim', artifactId: 'market_tool', method: 'run', args: { mine: 999_999, theirs: offerId }, key,
    grant: { allowance: { scrip: 200 }, allow: ['genesis_escrow.offer_right'] },
  } as InvokeRequest);
  // Allowed by name, an offer still counts what leaves the invoker: LLM dollars need an allowance of them.
  expect(o.ok && o.result).toMatchObject({ offer_disk: 'DONE', offer_llm: 'ALLOWANCE_EXCEEDED', buy: 'DONE', cancel: 'FORBIDDEN' });
  const after = await quotas('victim');
  expect(after.llm_token_capacity).toBe(q.llm_token_capacity + 5);
  expect(after.disk_bytes).toBe(q.disk_bytes - 1000);
  const row = await w.pool.query('SELECT spent_scrip FROM invocations WHERE key = $1', [key]);
  expect(row.rows[0].spent_scrip).toBe(200);
  await w.expectAuditOk();
}, 60_000);
