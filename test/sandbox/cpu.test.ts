/** CPU accounting: the host's cgroup reading matches the CPU the code really used. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SandboxPool } from '../../src/sandbox';
import { expectResult, makePool, sandboxImage } from './support';

let pool: SandboxPool;
let halfPool: SandboxPool;

beforeAll(async () => {
  const image = await sandboxImage();
  pool = makePool(image, { limits: { nanoCpus: 1e9 } });
  halfPool = makePool(image, { limits: { nanoCpus: 0.5e9 } });
});
afterAll(async () => {
  await pool?.close();
  await halfPool?.close();
});

// Spins until the process itself has used `ms` of CPU, and reports what the kernel says it used.
const BUSY = `
export function run(args) {
  const start = process.cpuUsage();
  let used = 0, x = 0;
  while (used < args.ms * 1000) {
    for (let i = 0; i < 1e5; i++) x += i;
    const d = process.cpuUsage(start);
    used = d.user + d.system;
  }
  return { selfMs: used / 1000 };
}`;

test.each([
  ['one CPU', () => pool],
  ['half a CPU', () => halfPool],
])('a ~300 ms busy loop is charged within 10%% of its real CPU time (%s)', async (_name, getPool) => {
  const p = getPool();
  const owner = 'cpu-accuracy';
  await p.prewarm(owner);
  const r = await p.run({ owner, code: BUSY, args: { ms: 300 } });
  expectResult(r, { ok: true });
  if (!r.ok) return;
  const { selfMs } = r.value as { selfMs: number };
  expect(selfMs).toBeGreaterThanOrEqual(300);
  expect(r.cpuMs).toBeGreaterThanOrEqual(Math.floor(selfMs));
  expect(r.cpuMs).toBeLessThanOrEqual(selfMs * 1.1);
});

test('cpuMs never exceeds what the CPU limit allows in the wall time', async () => {
  const r = await halfPool.run({ owner: 'cpu-limit', code: BUSY, args: { ms: 200 } });
  expectResult(r, { ok: true });
  expect(r.cpuMs).toBeLessThanOrEqual(r.wallMs * 0.5 * 1.1 + 5);
  expect(r.wallMs).toBeGreaterThanOrEqual(350); // 200 ms of CPU at half a CPU takes ~400 ms
});

test('the figure comes from the container cgroup on the host', async () => {
  await pool.run({ owner: 'cpu-source', code: 'export function run() { return 1 }' });
  const [info] = pool.containers().filter((c) => c.owner === 'cpu-source');
  expect(info?.cpuSource).toBe('cgroup');
  const cg = info!.cgroup!;
  const v1 = path.join(cg.cpu, 'cpuacct.usage');
  const usageNs = existsSync(v1) ? Number(readFileSync(v1, 'utf8')) : Number(/usage_usec (\d+)/.exec(readFileSync(path.join(cg.cpu, 'cpu.stat'), 'utf8'))![1]) * 1000;
  expect(usageNs).toBeGreaterThan(0);
  expect(cg.cpu).toContain(info!.id);
});

test('a trivial job is charged a few ms at least 1', async () => {
  const r = await pool.run({ owner: 'cpu-trivial', code: 'export function run() { return 1 }' });
  expectResult(r, { ok: true });
  expect(r.cpuMs).toBeGreaterThanOrEqual(1);
  expect(r.cpuMs).toBeLessThan(50);
});
