/** Pool fairness: a per-owner container limit, and waits (and runs) bounded by the caller's own time. */
import type { SandboxPool } from '../../src/sandbox';
import { expectResult, makePool, sandboxImage } from './support';

let pool: SandboxPool;

beforeAll(async () => {
  pool = makePool(await sandboxImage(), { maxContainers: 3, maxContainersPerOwner: 1, queueTimeoutMs: 20_000 });
});
afterAll(() => pool?.close());

const SLEEP = (ms: number) => `export async function run() { await new Promise((r) => setTimeout(r, ${ms})); return "slept" }`;
const held = (owner: string) => pool.containers().filter((c) => c.owner === owner && c.state !== 'dead').length;

test('an owner at its limit waits for its own container, at most until its deadline; other owners start theirs meanwhile', async () => {
  let most = 0;
  const sampler = setInterval(() => (most = Math.max(most, held('greedy'))), 10);
  try {
    const long = pool.run({ owner: 'greedy', code: SLEEP(1500) });
    while (!pool.containers().some((c) => c.owner === 'greedy' && c.state === 'busy')) await new Promise((r) => setTimeout(r, 20));
    const impatient = await pool.run({ owner: 'greedy', code: 'export function run() { return 1 }', deadlineMs: Date.now() + 300 });
    expectResult(impatient, { ok: false, error: { code: 'TIMEOUT' }, cpuMs: 0 });
    if (!impatient.ok) expect(impatient.error.message).toMatch(/waited \d+ ms for a sandbox container/);
    const other = await pool.run({ owner: 'modest', code: 'export function run() { return "other" }' });
    expectResult(other, { ok: true, value: 'other', coldStart: true });
    const patient = await pool.run({ owner: 'greedy', code: 'export function run() { return "after" }' });
    expectResult(patient, { ok: true, value: 'after', coldStart: false });
    expectResult(await long, { ok: true, value: 'slept' });
  } finally {
    clearInterval(sampler);
  }
  expect(most).toBe(1);
}, 60_000);

test('a run with a deadline ends by it even when its own time limit is longer, and says when its limit ends', async () => {
  let endsAt = 0;
  const deadlineMs = Date.now() + 1500;
  const r = await pool.run({ owner: 'deadline', code: SLEEP(4000), timeoutMs: 10_000, deadlineMs, onDispatch: (t) => (endsAt = t) });
  expectResult(r, { ok: false, error: { code: 'TIMEOUT' } });
  expect(endsAt).toBeGreaterThan(0);
  expect(endsAt).toBeLessThanOrEqual(deadlineMs);
}, 60_000);

test("a run counted against another account takes that account's share, in a container of its own code; an idle one of the account's other code makes room", async () => {
  const at = (owner: string, account: string) => pool.containers().filter((c) => c.owner === owner && c.account === account && c.state !== 'dead');
  // The payer's own code, idle afterwards: at its limit of 1.
  expectResult(await pool.run({ owner: 'payer', code: 'export function run() { return 1 }' }), { ok: true, value: 1 });
  expect(at('payer', 'payer')).toHaveLength(1);
  // The poster's code run for the payer: the payer's idle container gives way; the poster's share is untouched.
  const busy = pool.run({ owner: 'poster', account: 'payer', code: SLEEP(1200) });
  while (!at('poster', 'payer').some((c) => c.state === 'busy')) await new Promise((r) => setTimeout(r, 20));
  expect(at('payer', 'payer')).toHaveLength(0);
  const impatient = await pool.run({ owner: 'payer', code: 'export function run() { return 2 }', deadlineMs: Date.now() + 300 });
  expectResult(impatient, { ok: false, error: { code: 'TIMEOUT' }, cpuMs: 0 });
  expectResult(await pool.run({ owner: 'poster', code: 'export function run() { return "own" }' }), { ok: true, value: 'own', coldStart: true });
  expect(at('poster', 'poster')).toHaveLength(1);
  expectResult(await busy, { ok: true, value: 'slept' });
}, 60_000);
