/**
 * One owner cannot take the whole sandbox pool: it holds at most sandbox.maxContainersPerOwner
 * containers, a nested invocation waits for one no longer than its parent has left, and the time an
 * invocation waits for a container counts against its own time limit.
 */
import { setupWorld, show, type World } from './support';

let w: World;
const TIMEOUT_MS = 2000;
const PER_OWNER = 3;
const SLEEP_MS = 1200;

beforeAll(async () => {
  w = await setupWorld({ overrides: { sandbox: { limits: { timeoutMs: TIMEOUT_MS }, maxContainers: 6, maxContainersPerOwner: PER_OWNER, queueTimeoutMs: 4000 } } });
  for (const p of ['mallory', 'bob', 'bystander', 'zed']) await w.principal(p);
  const sleeper = `export async function run(a) { await new Promise((r) => setTimeout(r, ${SLEEP_MS})); return a.i }`;
  await w.artifact('mallory', 'sleeper', { code: sleeper });
  await w.artifact('mallory', 'fanout', {
    code: `export async function run(a, ctx) {
  const all = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => ctx.invoke('sleeper', 'run', { i }, { allowance: { compute: 100000 } })));
  return all.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.code));
}`,
  });
  await w.artifact('bystander', 'calm', { code: 'export function run() { return "calm" }' });
  await w.artifact('zed', 'nap', { code: sleeper, price: 3 });
}, 60_000);
afterAll(() => w?.close());

const containersOf = (owner: string) => w.sandbox!.containers().filter((c) => c.owner === owner && c.state !== 'dead').length;

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("one owner's fan-out of 40 slow nested invocations cannot take the pool: another owner's invocation runs meanwhile", async () => {
  const malloryCpu = await w.compute('mallory');
  let most = 0;
  const sampler = setInterval(() => (most = Math.max(most, containersOf('mallory'))), 10);
  // The grant lets the fan-out pay its children's CPU (by default a tool may not spend: src/invoke/grant.ts).
  const fan = w.invoke('mallory', 'fanout', 'run', {}, undefined, { allowance: { compute: 10_000_000 } });
  try {
    await until(() => containersOf('mallory') >= PER_OWNER, 20_000);
    const calm = await w.invoke('bob', 'calm');
    expect(calm).toMatchObject({ ok: true, result: 'calm' });
    await fan;
  } finally {
    clearInterval(sampler);
  }
  expect(most).toBe(PER_OWNER);

  // The parent runs out of time; its children end with it, whether they were running or waiting.
  const parent = await fan;
  expect(parent).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
  await until(async () => (await w.pool.query(`SELECT 1 FROM invocations WHERE artifact_id = 'sleeper' AND status = 'held'`)).rowCount === 0, 15_000);
  const children = (
    await w.pool.query<{ status: string; cpu_ms: number; code: string | null; message: string | null }>(
      `SELECT status, cpu_ms, error->>'code' AS code, error->>'message' AS message FROM invocations WHERE artifact_id = 'sleeper'`,
    )
  ).rows;
  expect(children).toHaveLength(40);
  // At most PER_OWNER - 1 children ran beside their parent, and a second round does not fit in its time limit.
  const paid = children.filter((c) => c.status === 'paid');
  expect(paid.length).toBeLessThanOrEqual(PER_OWNER - 1);
  const neverRan = children.filter((c) => c.cpu_ms === 0);
  expect(neverRan.length).toBeGreaterThanOrEqual(40 - 2 * (PER_OWNER - 1));
  for (const c of neverRan) expect(`${c.status} ${c.code}`).toBe('refunded TIMEOUT');
  expect(show(neverRan[0])).toMatch(/waited \d+ ms for a sandbox container/);
  // mallory pays the CPU of everything that ran, and only that.
  const charged = (await w.pool.query<{ n: string }>(`SELECT COALESCE(sum(cpu_ms), 0)::text AS n FROM invocations WHERE payer_id = 'mallory'`)).rows[0]!.n;
  expect(await w.compute('mallory')).toBe(malloryCpu - Number(charged));
  await w.expectAuditOk();
}, 60_000);

test("the time an invocation waits for a container counts against its own time limit", async () => {
  const before = { bob: await w.scrip('bob'), zed: await w.scrip('zed') };
  // zed may hold PER_OWNER containers: one more invocation waits until a nap ends (SLEEP_MS at least),
  // and what is left of its time limit is then shorter than its own nap.
  const outcomes = await Promise.all(Array.from({ length: PER_OWNER + 1 }, (_, i) => w.invoke('bob', 'nap', 'run', { i })));
  const ok = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  expect(ok).toHaveLength(PER_OWNER);
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ ok: false, error: { code: 'TIMEOUT' }, invocation: { refunded: true, paid_to: null } });
  expect(await w.scrip('zed')).toBe(before.zed + 3 * PER_OWNER);
  expect(await w.scrip('bob')).toBe(before.bob - 3 * PER_OWNER);
  await w.expectAuditOk();
}, 60_000);
