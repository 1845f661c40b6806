/**
 * SPEC section 10: metrics windows record bounties. Real bounties on the real services (PostgreSQL,
 * the Temporal dev server, Docker): posted, solved by a passing check, failed checks, cancelled, and
 * refunded at a deadline, some inside a window and some outside; the window records the counts, the
 * rewards posted, paid and returned, and the submissions checked, and `ecology metrics` and the
 * dashboard's metrics API show them.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startDashboard } from '../../src/dashboard/server';
import { silentLogger } from '../../src/log/logger';
import { aggregateWindow } from '../../src/metrics/aggregate';
import type { MetricsWindow } from '../../src/metrics/types';
import { DOUBLER_CHECKER, GOOD_SUBMISSION, setupBountyWorld, type BountyWorld } from '../bounties/support';
import { request } from '../dashboard/support/http';

const ROOT = join(__dirname, '..', '..');
let w: BountyWorld;
let t0: Date;
let t1: Date;

/** A boundary on the database clock that a JS Date holds exactly (see aggregate.test.ts). */
async function clock(): Promise<Date> {
  const r = await w.pool.query<{ t: Date }>(
    `SELECT t, pg_sleep(EXTRACT(EPOCH FROM t - clock_timestamp()) + 0.0005) FROM (SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS t) b`,
  );
  return r.rows[0]!.t;
}

async function post(id: string, reward: number, deadlineSeconds = 3600): Promise<void> {
  const o = await w.call('poster', 'post', { id, description: `bounty ${id}`, checker: 'doubler_check', reward, deadline_seconds: deadlineSeconds });
  if (!o.ok) throw new Error(`post ${id} failed: ${JSON.stringify(o)}`);
}

async function submitAndWait(submitter: string, bountyId: string, artifactId: string): Promise<string> {
  const o = await w.call(submitter, 'submit', { bounty_id: bountyId, artifact_id: artifactId });
  if (!o.ok) throw new Error(`submit failed: ${JSON.stringify(o)}`);
  return (await w.verdict((o.result as { submission_id: number }).submission_id)).status;
}

function ecology(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: w.db.url };
    delete env.ECOLOGY_CONFIG;
    execFile(process.execPath, [join(ROOT, 'bin', 'ecology.cjs'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const EXPECTED = {
  posted: 4,
  posted_rewards: 10 + 20 + 30 + 40,
  solved: 2,
  rewards_paid: 10 + 5,
  refunded: 1,
  cancelled: 1,
  rewards_returned: 30 + 40,
  checked: 3,
  passed: 2,
  failed: 1,
  late: 0,
};

beforeAll(async () => {
  w = await setupBountyWorld();
  await w.principal('poster', { scrip: 1000 });
  for (const p of ['sam', 'sue']) await w.principal(p, { scrip: 100 });
  await w.artifact('poster', 'doubler_check', { code: DOUBLER_CHECKER });
  await w.artifact('sam', 'sam_answer', { code: GOOD_SUBMISSION });
  await w.artifact('sue', 'sue_wrong', { code: 'export function run(a) { return a.x }' });
  // Before the window: a bounty posted (it is solved inside the window), one failed check.
  await post('early', 5);
  expect(await submitAndWait('sue', 'early', 'sue_wrong')).toBe('failed');
  t0 = await clock();
  await post('solved_in', 10);
  expect(await submitAndWait('sue', 'solved_in', 'sue_wrong')).toBe('failed');
  expect(await submitAndWait('sam', 'solved_in', 'sam_answer')).toBe('passed');
  expect(await submitAndWait('sam', 'early', 'sam_answer')).toBe('passed');
  await post('open_in', 20);
  await post('cancelled_in', 30);
  expect(await w.call('poster', 'cancel', { bounty_id: 'cancelled_in' })).toMatchObject({ ok: true });
  await post('expires_in', 40, 1);
  await w.waitFor('the deadline refund', async () => ((await w.bounty('expires_in')).status === 'refunded' ? true : undefined));
  t1 = await clock();
  // After the window.
  await post('late_post', 50);
  expect(await w.call('poster', 'cancel', { bounty_id: 'late_post' })).toMatchObject({ ok: true });
  await aggregateWindow(w.pool, { start: t0, end: t1 });
}, 180_000);
afterAll(async () => {
  await w?.stop();
});

test('a window records the bounties posted, solved, refunded and cancelled in it, the rewards, and the submissions checked', async () => {
  const win = await aggregateWindow(w.pool, { start: t0, end: t1 });
  expect(win.data.bounties).toEqual(EXPECTED);
  // A window with no bounty activity: all zero.
  const quiet = await aggregateWindow(w.pool, { start: new Date(t0.getTime() - 3_600_000 * 24), end: new Date(t0.getTime() - 3_600_000 * 23) });
  expect(quiet.data.bounties).toEqual(Object.fromEntries(Object.keys(EXPECTED).map((k) => [k, 0])));
});

test('`ecology metrics` prints the newest window\'s bounties, as JSON and as text', async () => {
  await w.pool.query('DELETE FROM metrics_windows WHERE window_start <> $1', [t0]);
  const json = await ecology(['metrics', '--json']);
  expect(json.code).toBe(0);
  const windows = JSON.parse(json.stdout.trim()) as MetricsWindow[];
  expect(windows.find((x) => x.window_start === t0.toISOString())?.data.bounties).toEqual(EXPECTED);

  const text = await ecology(['metrics', '--limit', '1']);
  expect(text.code).toBe(0);
  const lines = text.stdout.trim().split('\n');
  const i = lines.indexOf('bounties in the newest window:');
  expect(i).toBeGreaterThan(0);
  expect(lines[i + 1]!.trim().split(/\s+/)).toEqual(['posted', '4', '(rewards', '100)', 'solved', '2', '(paid', '15)', 'refunded', '1', 'cancelled', '1', '(returned', '70)']);
  expect(lines[i + 2]!.trim().split(/\s+/)).toEqual(['checks', '3', '(passed', '2,', 'failed', '1,', 'late', '0)']);
}, 120_000);

test("the dashboard's metrics API carries each window's bounties", async () => {
  const d = await startDashboard({ pool: w.pool, config: w.config, port: 0, logger: silentLogger() });
  try {
    const reply = await request(`${d.url}api/metrics`);
    expect(reply.status).toBe(200);
    const { windows } = reply.json<{ windows: Array<{ window_start: string; bounties: unknown }> }>();
    expect(windows.find((x) => x.window_start === t0.toISOString())?.bounties).toEqual(EXPECTED);
  } finally {
    await d.close();
  }
});
