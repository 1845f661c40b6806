/** Pool behaviour: reaping, eviction, saturation, closing, and what happens without a daemon. */
import { SandboxPool, checkDocker, connectDocker, isDockerAvailable } from '../../src/sandbox';
import { docker, eventually, expectResult, makePool, sandboxImage, waitIdle } from './support';

let image: string;

beforeAll(async () => {
  image = await sandboxImage();
});

async function exists(id: string): Promise<boolean> {
  return docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

test('idle containers are reaped after idleMs', async () => {
  const pool = makePool(image, { idleMs: 300 });
  try {
    await pool.run({ owner: 'reap', code: 'export function run() { return 1 }' });
    const [c] = pool.containers();
    expect(c).toBeDefined();
    await waitIdle(pool, 'reap');
    const idleSince = Date.now();
    expect(await eventually(() => pool.containers().length === 0)).toBe(true);
    expect(Date.now() - idleSince).toBeGreaterThanOrEqual(250);
    expect(await eventually(async () => !(await exists(c!.id)))).toBe(true);
  } finally {
    await pool.close();
  }
});

test('close() removes every container and later runs are refused', async () => {
  const pool = makePool(image);
  await Promise.all(['c1', 'c2'].map((owner) => pool.run({ owner, code: 'export function run() { return 1 }' })));
  const ids = pool.containers().map((c) => c.id);
  expect(ids).toHaveLength(2);
  await pool.close();
  for (const id of ids) expect(await exists(id)).toBe(false);
  expect(await pool.run({ owner: 'c1', code: 'export function run() { return 1 }' })).toMatchObject({ ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } });
});

test('a full pool evicts an idle container of another owner', async () => {
  const pool = makePool(image, { maxContainers: 1 });
  try {
    const a = await pool.run({ owner: 'evict-a', code: 'export function run() { return "a" }' });
    const b = await pool.run({ owner: 'evict-b', code: 'export function run() { return "b" }' });
    expectResult(a, { ok: true, value: 'a' });
    expectResult(b, { ok: true, value: 'b', coldStart: true });
    expect(pool.containers().map((c) => c.owner)).toEqual(['evict-b']);
  } finally {
    await pool.close();
  }
});

test('when every container is busy a run waits, then gives up with SANDBOX_UNAVAILABLE', async () => {
  const pool = makePool(image, { maxContainers: 1, queueTimeoutMs: 300 });
  try {
    const long = pool.run({ owner: 'busy-a', code: 'export async function run() { await new Promise((r) => setTimeout(r, 1500)); return "done" }' });
    await new Promise((r) => setTimeout(r, 600)); // let it start
    const refused = await pool.run({ owner: 'busy-b', code: 'export function run() { return 1 }' });
    expectResult(refused, { ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } });
    expectResult(await long, { ok: true, value: 'done' });
    await waitIdle(pool, 'busy-a'); // now an idle container of another owner can be evicted
    const waited = await pool.run({ owner: 'busy-b', code: 'export function run() { return 2 }' });
    expectResult(waited, { ok: true, value: 2 });
  } finally {
    await pool.close();
  }
});

test('without a daemon, runs fail fast with SANDBOX_UNAVAILABLE and a how-to message', async () => {
  const missing = connectDocker({ DOCKER_HOST: 'unix:///tmp/no-such-docker.sock' });
  expect(await isDockerAvailable(missing, 1000)).toBe(false);
  const status = await checkDocker(missing, 1000);
  expect(status.ok).toBe(false);
  const pool = new SandboxPool({ docker: missing });
  const t0 = Date.now();
  const r = await pool.run({ owner: 'x', code: 'export function run() { return 1 }' });
  expect(Date.now() - t0).toBeLessThan(3000);
  expectResult(r, { ok: false, error: { code: 'SANDBOX_UNAVAILABLE' }, cpuMs: 0 });
  if (!r.ok) {
    expect(r.error.message).toContain('No Docker daemon is reachable');
    expect(r.error.message).toContain('dockerd');
  }
  await pool.close();
});

test('the real daemon is reported available', async () => {
  expect(await isDockerAvailable(docker)).toBe(true);
});
