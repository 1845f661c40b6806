/**
 * The live stream's cost is bounded: one database listener and one periodic snapshot per server,
 * fanned out to every open page. Twenty open pages cost the database what one does (counted by the
 * dashboard's own query counter), each page gets every snapshot and every event, and the hub lets
 * go of the database once the last page closes.
 */
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { startDashboard, type Dashboard, type DashboardStats } from '../../src/dashboard/server';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { dispatch } from '../../src/genesis/dispatch';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { openSse, type SseMessage, type SseReader } from './support/http';
import { silentLogger } from '../../src/log/logger';

let db: TestDatabase;
let pool: Pool;
let config: EcologyConfig;
let dash: Dashboard;
let key = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  await bootstrapGenesis(pool);
  // Every tick reads the slow sections too, so that every tick costs the same.
  config = loadConfig({ env: {}, overrides: { database: { url: db.url }, dashboard: { pollIntervalMs: 300, slowPollIntervalMs: 100, minSnapshotGapMs: 50 } } });
  for (const id of ['ana', 'ben', 'cy']) await createOperatorPrincipal(pool, config, { id, kind: 'agent', scrip: 100, compute: 1000 });
  dash = await startDashboard({ pool, config, port: 0, logger: silentLogger() });
});

afterAll(async () => {
  await dash?.close();
  await db?.drop();
});

const snapshots = (ms: SseMessage[]) => ms.filter((m) => m.event === 'snapshot');
const streamUrl = () => `${dash.url}api/stream`;

/** Stats taken the moment `reader` receives each snapshot: between two ticks, so the counts are whole ticks. */
function recordAtSnapshots(reader: SseReader): DashboardStats[] {
  const seen: DashboardStats[] = [];
  reader.onMessage = (m) => {
    if (m.event === 'snapshot') seen.push(dash.stats());
  };
  return seen;
}

/** Snapshot queries per tick over the recorded stats (each record is taken right after a tick). */
function perTick(records: DashboardStats[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < records.length; i++) {
    const ticks = records[i]!.ticks - records[i - 1]!.ticks;
    if (ticks > 0) out.push((records[i]!.queries.snapshot - records[i - 1]!.queries.snapshot) / ticks);
  }
  return out;
}

test('twenty open pages cost the database what one page does', async () => {
  const first = await openSse(streamUrl());
  expect(first.status).toBe(200);
  const one = recordAtSnapshots(first);
  await first.until('4 snapshots on one page', (ms) => snapshots(ms).length >= 4);
  const alone = perTick(one);
  expect(alone.length).toBeGreaterThanOrEqual(2);
  const cost = alone[0]!;
  expect(cost).toBeGreaterThan(0);
  expect(alone.every((c) => c === cost)).toBe(true);
  expect(dash.stats()).toMatchObject({ streams: 1, followers: 1 });

  const others = await Promise.all(Array.from({ length: 19 }, () => openSse(streamUrl())));
  const many: DashboardStats[] = [];
  first.onMessage = (m) => {
    if (m.event === 'snapshot') many.push(dash.stats());
  };
  const counts = () => [first, ...others].map((r) => snapshots(r.messages).length);
  const start = counts();
  await Promise.all([first, ...others].map((r, i) => r.until(`page ${i} to see 4 more snapshots`, (ms) => snapshots(ms).length >= start[i]! + 4)));

  const stats = dash.stats();
  expect(stats).toMatchObject({ streams: 20, followers: 1 });
  // The same statements per tick as with one page open...
  const crowded = perTick(many);
  expect(crowded.length).toBeGreaterThanOrEqual(2);
  expect(crowded.every((c) => c === cost)).toBe(true);
  // ...and no page caused a snapshot of its own: one tick per interval for everyone.
  const [a, b] = [many[0]!, many.at(-1)!];
  expect(b.queries.snapshot - a.queries.snapshot).toBe((b.ticks - a.ticks) * cost);
  expect(b.ticks - a.ticks).toBe(many.length - 1);
  expect(stats.queries.api).toBe(0);
  // Pages that joined late got the last snapshot from memory first, then every broadcast one.
  for (const r of others) expect(snapshots(r.messages)[0]!.data.length).toBeGreaterThan(0);

  // An event reaches every page exactly once, read from the database by the one follower, not per page.
  for (const to of ['ben', 'cy']) {
    const out = await dispatch({ pool, config }, { caller: 'ana', artifactId: 'genesis_ledger', method: 'transfer', args: { to, amount: 3 }, key: `live-test:${++key}` });
    expect(out.ok).toBe(true);
  }
  const seqs = (await pool.query<{ seq: number }>(`SELECT seq FROM events WHERE type = 'transfer' AND actor_id = 'ana' ORDER BY seq`)).rows.map((r) => r.seq);
  expect(seqs).toHaveLength(2);
  const eventsSeen = (r: SseReader) => r.messages.filter((m) => m.event === 'events').flatMap((m) => (JSON.parse(m.data) as Array<{ seq: number }>).map((e) => e.seq));
  for (const r of [first, ...others]) {
    await r.until('the two transfers', () => seqs.every((s) => eventsSeen(r).includes(s)));
    for (const s of seqs) expect(eventsSeen(r).filter((x) => x === s)).toHaveLength(1);
  }
  expect(dash.stats().followers).toBe(1);
  // The new balances reach the pages in a snapshot.
  await first.until('ben at 103', (ms) => {
    const last = snapshots(ms).at(-1);
    return !!last && (JSON.parse(last.data) as { agents: Array<{ id: string; scrip: number }> }).agents.some((a) => a.id === 'ben' && a.scrip === 103);
  });

  for (const r of [first, ...others]) r.close();
  // Wait for the hub to wind down fully (a tick may still be in flight when the last page leaves).
  await waitFor(() => dash.stats().streams === 0 && dash.stats().followers === 0 && !dash.stats().active);
  // With no page open nothing is read.
  const idle = dash.stats();
  await new Promise((r) => setTimeout(r, 3 * config.dashboard.pollIntervalMs));
  expect(dash.stats().queries).toEqual(idle.queries);
});

test('a page that opens later starts the hub again and gets the state at once', async () => {
  const reader = await openSse(streamUrl());
  await reader.until('a snapshot and the recent events', (ms) => snapshots(ms).length >= 1 && ms.some((m) => m.event === 'events'));
  const hello = JSON.parse(reader.messages[0]!.data) as { poll_interval_ms: number };
  expect(reader.messages[0]!.event).toBe('hello');
  expect(hello.poll_interval_ms).toBe(300);
  const snap = JSON.parse(snapshots(reader.messages)[0]!.data) as { summary: { agents: number; scrip_supply: number }; agents: Array<{ id: string; state: { status: string; reason: string } }> };
  expect(snap.summary).toMatchObject({ agents: 3, scrip_supply: 300 });
  // No Temporal client here: every status is 'unknown', and the page is served all the same.
  expect(snap.agents.map((a) => [a.id, a.state.status, a.state.reason])).toEqual([
    ['ana', 'unknown', 'no Temporal client'],
    ['ben', 'unknown', 'no Temporal client'],
    ['cy', 'unknown', 'no Temporal client'],
  ]);
  expect(dash.stats()).toMatchObject({ streams: 1, followers: 1 });
  reader.close();
  await waitFor(() => dash.stats().followers === 0);
});

async function waitFor(check: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; stats ${JSON.stringify(dash.stats())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
