/**
 * A bounty's checks count against the submitter's share of the sandbox (who asked for them and
 * pays for them), not the poster's, on the real services (PostgreSQL, Temporal dev server,
 * Docker): one submitter flooding a poster's bounty with slow checks cannot keep the poster's own
 * tools from running. A wait for a container fails at once here (sandbox.queueTimeoutMs is short),
 * so a poster's tool kept waiting by the flood fails instead of running.
 */
import { setupBountyWorld, type BountyWorld } from './support';
import { TEST_SANDBOX } from '../invoke/support';

let w: BountyWorld;
const PER_OWNER = 2;
const FLOOD = 6;

beforeAll(async () => {
  w = await setupBountyWorld({
    sandbox: {
      ...TEST_SANDBOX,
      limits: { ...TEST_SANDBOX.limits, timeoutMs: 4000 },
      maxContainers: 6,
      maxContainersPerOwner: PER_OWNER,
      queueTimeoutMs: 300,
      activities: { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 500, runScheduleToStartMs: 20_000, runTimeoutMs: 30_000, runMaximumAttempts: 2 },
    },
  });
  await w.principal('poster', { scrip: 1000 });
  await w.principal('flooder', { scrip: 100 });
  // A slow checker: each check holds a container for 2.5 s.
  await w.artifact('poster', 'slow_check', { code: 'export async function run() { await new Promise((r) => setTimeout(r, 2500)); return { pass: false, score: 0 } }' });
  await w.artifact('poster', 'own_tool', { code: 'export function run() { return "mine" }' });
  await w.artifact('flooder', 'junk', { code: 'export function run() { return 0 }' });
}, 180_000);
afterAll(async () => {
  await w?.stop();
});

const busy = () => w.sandbox!.containers().filter((c) => c.state === 'busy').length;

test("one submitter's flood of slow checks takes its own share of containers, not the poster's: the poster's tool still runs", async () => {
  const posted = await w.call('poster', 'post', { id: 'flooded', description: 'slow checks', checker: 'slow_check', reward: 50, deadline_seconds: 3600 });
  expect(posted.ok).toBe(true);
  const poster = { scrip: await w.scrip('poster'), compute: await w.compute('poster') };
  let most = 0;
  const sampler = setInterval(() => (most = Math.max(most, busy())), 10);
  try {
    const ids: number[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const o = await w.call('flooder', 'submit', { bounty_id: 'flooded', artifact_id: 'junk' });
      if (!o.ok) throw new Error(`submit failed: ${JSON.stringify(o)}`);
      ids.push((o.result as { submission_id: number }).submission_id);
    }
    await w.waitFor('the flood to fill its share of containers', async () => (busy() >= PER_OWNER ? true : undefined), 30_000);
    // The poster's own tool, while the flood's checks hold every container they may.
    expect(await w.invoke('poster', 'own_tool')).toMatchObject({ ok: true, result: 'mine' });
    const verdicts = await Promise.all(ids.map((id) => w.verdict(id)));
    expect(verdicts.every((v) => v.status === 'failed')).toBe(true);
  } finally {
    clearInterval(sampler);
  }
  // The flood never held more than one share (the poster's tool ran beside it, in a container of its own).
  expect(most).toBeLessThanOrEqual(PER_OWNER + 1);
  // The flooder paid for every check that ran; the poster paid nothing but its own tool's CPU.
  const posterCpu = (await w.pool.query<{ n: string }>(`SELECT COALESCE(sum(cpu_ms), 0)::text AS n FROM invocations WHERE payer_id = 'poster'`)).rows[0]!.n;
  expect(await w.scrip('poster')).toBe(poster.scrip);
  expect(await w.compute('poster')).toBe(poster.compute - Number(posterCpu));
  await w.expectAuditOk();
}, 120_000);
