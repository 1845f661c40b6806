/**
 * Price discovery: a metrics window records the rights sold through genesis_escrow (real
 * offer_right + buy_right through dispatch) by resource -- trades, units, scrip paid, the average
 * and the last price per unit -- and `ecology metrics` and the dashboard's metrics points show them.
 * Sales before and after the window, and offers cancelled or left open, do not count.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startDashboard } from '../../src/dashboard/server';
import { aggregateWindow } from '../../src/metrics/aggregate';
import type { MetricsWindow } from '../../src/metrics/types';
import { request } from '../dashboard/support/http';
import { setupFoundation, type Foundation } from '../support/harness';
import { silentLogger } from '../../src/log/logger';

const ROOT = join(__dirname, '..', '..');
let f: Foundation;
let t0: Date;
let t1: Date;

/** A boundary on the database clock that a JS Date holds exactly (see aggregate.test.ts). */
async function clock(): Promise<Date> {
  const r = await f.pool.query<{ t: Date }>(
    `SELECT t, pg_sleep(EXTRACT(EPOCH FROM t - clock_timestamp()) + 0.0005) FROM (SELECT date_trunc('milliseconds', clock_timestamp()) + interval '1 millisecond' AS t) b`,
  );
  return r.rows[0]!.t;
}

async function sell(seller: string, buyer: string, resource: string, amount: number, price: number): Promise<void> {
  const offer = await f.ok<{ offer_id: number }>(seller, 'genesis_escrow', 'offer_right', { resource, amount, price });
  await f.ok(buyer, 'genesis_escrow', 'buy_right', { offer_id: offer.offer_id });
}

function ecology(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: f.db.url };
    delete env.ECOLOGY_CONFIG;
    execFile(process.execPath, [join(ROOT, 'bin', 'ecology.cjs'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const EXPECTED = {
  llm_token_rate: { trades: 2, amount: 50, scrip: 35, unit_price: 0.7, last_unit_price: 1 },
  disk_bytes: { trades: 1, amount: 1000, scrip: 3, unit_price: 0.003, last_unit_price: 0.003 },
};

beforeAll(async () => {
  f = await setupFoundation();
  for (const p of ['alice', 'bob', 'carol']) await f.principal(p, { scrip: 1000, compute: 5000, quotas: { compute_rate: 0 } });
  await sell('alice', 'bob', 'llm_token_rate', 20, 100);
  t0 = await clock();
  await sell('alice', 'bob', 'llm_token_rate', 40, 25);
  await sell('carol', 'bob', 'disk_bytes', 1000, 3);
  const cancelled = await f.ok<{ offer_id: number }>('carol', 'genesis_escrow', 'offer_right', { resource: 'disk_bytes', amount: 500, price: 400 });
  await f.ok('carol', 'genesis_escrow', 'cancel_right', { offer_id: cancelled.offer_id });
  await f.ok('alice', 'genesis_escrow', 'offer_right', { resource: 'llm_token_rate', amount: 5, price: 500 });
  await sell('alice', 'carol', 'llm_token_rate', 10, 10);
  t1 = await clock();
  await sell('bob', 'carol', 'llm_token_rate', 10, 900);
  await aggregateWindow(f.pool, { start: t0, end: t1 });
}, 60_000);
afterAll(() => f?.close());

test('a window records, by resource, the trades, units, scrip paid and price per unit of the rights sold in it', async () => {
  const win = await aggregateWindow(f.pool, { start: t0, end: t1 });
  expect(win.data.rights).toEqual(EXPECTED);
  // Nothing sold: an empty record.
  expect((await aggregateWindow(f.pool, { start: new Date(t1.getTime() - 3_600_000 * 24), end: new Date(t1.getTime() - 3_600_000 * 23) })).data.rights).toEqual({});
});

test('`ecology metrics` prints the rights traded, as JSON and as text', async () => {
  const json = await ecology(['metrics', '--json']);
  expect(json.code).toBe(0);
  const windows = JSON.parse(json.stdout.trim()) as MetricsWindow[];
  expect(windows.find((w) => w.window_start === t0.toISOString())?.data.rights).toEqual(EXPECTED);

  await f.pool.query('DELETE FROM metrics_windows WHERE window_start <> $1', [t0]);
  const text = await ecology(['metrics', '--limit', '1']);
  expect(text.code).toBe(0);
  const lines = text.stdout.trim().split('\n');
  expect(lines).toContain('rights traded in the newest window:');
  expect(lines.find((l) => l.trim().startsWith('llm_token_rate'))?.trim().split(/\s+/)).toEqual(['llm_token_rate', 'trades', '2', 'amount', '50', 'scrip', '35', 'unit', 'price', '0.7', '(last', '1)']);
  expect(lines.find((l) => l.trim().startsWith('disk_bytes'))?.trim().split(/\s+/)).toEqual(['disk_bytes', 'trades', '1', 'amount', '1000', 'scrip', '3', 'unit', 'price', '0.003', '(last', '0.003)']);
});

test("the dashboard's metrics API carries each window's rights for the rights price chart", async () => {
  const d = await startDashboard({ pool: f.pool, config: f.config, port: 0, logger: silentLogger() });
  try {
    const reply = await request(`${d.url}api/metrics`);
    expect(reply.status).toBe(200);
    const { windows } = reply.json<{ windows: Array<{ window_start: string; rights: unknown }> }>();
    expect(windows.find((w) => w.window_start === t0.toISOString())?.rights).toEqual(EXPECTED);
  } finally {
    await d.close();
  }
});
