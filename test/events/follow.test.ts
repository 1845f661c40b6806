/**
 * Following the event log (src/events/follow.ts) against the real server: every event committed
 * after the starting point is delivered exactly once, whatever order transactions commit in (a
 * lower seq may commit after a higher one), events of rolled-back transactions and savepoints
 * never are, and nothing from before the start is. The ordering cases use two sessions held open
 * on purpose; the last test runs many writers at once and compares the delivered set with the
 * committed one.
 */
import type { PoolClient } from 'pg';
import { emit } from '../../src/events/emit';
import { eventLogNow, FOLLOW_EVENTS_SQL, followEvents, type EventFollower, type FollowedEvent } from '../../src/events/follow';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

let db: TestDatabase;
const followers: EventFollower[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const f of followers.splice(0)) await f.stop();
});
afterAll(async () => {
  await db.drop();
});

/** A follower that records what it gets; `seen()` is the seqs in delivery order. */
function record(opts: { from?: string; types?: string[]; batch?: number } = {}) {
  const got: FollowedEvent[] = [];
  const f = followEvents(db.pool, { intervalMs: 20, batch: opts.batch ?? 100, from: opts.from, types: opts.types, onEvents: (es) => void got.push(...es) });
  followers.push(f);
  return { f, got, seen: () => got.map((e) => e.seq) };
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Several reads of the follower: what has not arrived by then is being held back, not late. */
const settle = () => new Promise((r) => setTimeout(r, 200));

async function open(): Promise<PoolClient> {
  const c = await db.pool.connect();
  await c.query('BEGIN');
  return c;
}

async function commit(c: PoolClient, how: 'COMMIT' | 'ROLLBACK' = 'COMMIT'): Promise<void> {
  await c.query(how);
  c.release();
}

const ping = (c: PoolClient | TestDatabase['pool'], subject: string) => emit(c as PoolClient, { type: 'follow_ping', subject });

test('a lower seq that commits after a higher one is delivered, once, when its transaction ends', async () => {
  const r = record();
  await r.f.ready;
  const slow = await open();
  const early = await ping(slow, 'slow'); // takes the lower seq, commits last
  const late = await ping(db.pool, 'fast'); // commits at once with a higher seq
  expect(late).toBeGreaterThan(early);
  await settle();
  // Held back behind the open transaction (which is older), not skipped.
  expect(r.seen()).toEqual([]);
  await commit(slow);
  await waitFor('both events', () => r.got.length >= 2);
  await settle();
  expect(r.seen().sort((a, b) => a - b)).toEqual([early, late]);
});

test('a transaction that wrote first but took its seq last is delivered before the later one', async () => {
  const r = record();
  await r.f.ready;
  const older = await open();
  await older.query("SELECT pg_current_xact_id()"); // its transaction id now: older than the next one's
  const newer = await open();
  const first = await ping(newer, 'newer');
  const second = await ping(older, 'older');
  await commit(newer);
  await settle();
  expect(r.seen()).toEqual([]);
  await commit(older);
  await waitFor('both events', () => r.got.length >= 2);
  // Transaction order: the older transaction's event (the higher seq) first.
  expect(r.seen()).toEqual([second, first]);
});

test('rolled-back transactions and savepoints deliver nothing and hold nothing back', async () => {
  const r = record();
  await r.f.ready;
  const gone = await open();
  await ping(gone, 'rolled back');
  await commit(gone, 'ROLLBACK');
  const partly = await open();
  await partly.query('SAVEPOINT s');
  await ping(partly, 'savepoint rolled back');
  await partly.query('ROLLBACK TO SAVEPOINT s');
  await partly.query('SAVEPOINT t');
  const kept = await ping(partly, 'savepoint kept');
  await partly.query('RELEASE SAVEPOINT t');
  await commit(partly);
  const after = await ping(db.pool, 'after');
  await waitFor('the two committed events', () => r.got.length >= 2);
  await settle();
  expect(r.seen()).toEqual([kept, after]);
  expect(r.got.map((e) => e.subject_id)).toEqual(['savepoint kept', 'after']);
});

test('from a point: what was visible then is not delivered, what committed after it is, including a transaction open at that point', async () => {
  const gone = await ping(db.pool, 'long before');
  const open1 = await open();
  const during = await ping(open1, 'open at the point');
  // Committed before the point by a transaction younger than the open one: past the point's
  // oldest running transaction, yet visible at the point.
  const before = await ping(db.pool, 'before');
  const from = await eventLogNow(db.pool);
  const afterPoint = await ping(db.pool, 'after the point');
  const r = record({ from });
  await r.f.ready;
  await commit(open1);
  await waitFor('two events', () => r.got.length >= 2);
  await settle();
  expect(r.seen().sort((a, b) => a - b)).toEqual([during, afterPoint]);
  expect(r.seen()).not.toContain(before);
  expect(r.seen()).not.toContain(gone);
});

test('types filter, and batches smaller than the backlog deliver everything in order', async () => {
  const from = await eventLogNow(db.pool);
  const wanted: number[] = [];
  for (let i = 0; i < 25; i++) {
    wanted.push(await emit(db.pool as unknown as PoolClient, { type: 'follow_kept', subject: String(i) }));
    await emit(db.pool as unknown as PoolClient, { type: 'follow_other' });
  }
  const r = record({ from, types: ['follow_kept'], batch: 4 });
  await waitFor('25 events', () => r.got.length >= 25);
  await settle();
  expect(r.seen()).toEqual(wanted);
  expect(new Set(r.got.map((e) => e.type))).toEqual(new Set(['follow_kept']));
});

test('many writers at once, some rolling back: exactly the committed events, each once', async () => {
  const r = record({ batch: 50 });
  await r.f.ready;
  const committed: number[] = [];
  const writer = async (w: number) => {
    for (let i = 0; i < 25; i++) {
      const c = await open();
      const seqs = [await ping(c, `w${w}`)];
      if (i % 3 === 0) seqs.push(await ping(c, `w${w}`));
      // A random pause with the transaction open, so commits land out of seq order.
      await new Promise((res) => setTimeout(res, Math.random() * 8));
      const keep = i % 5 !== 4;
      await commit(c, keep ? 'COMMIT' : 'ROLLBACK');
      if (keep) committed.push(...seqs);
    }
  };
  await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
  await waitFor(`${committed.length} events`, () => r.got.length >= committed.length);
  await settle();
  const seen = r.seen();
  expect(seen).toHaveLength(committed.length);
  expect(new Set(seen)).toEqual(new Set(committed));
});

test('a read finds rows through the (xid, seq) index and orders by the xid itself, not by its text', async () => {
  await db.pool.query(`INSERT INTO events (type) SELECT 'follow_bulk' FROM generate_series(1, 5000)`);
  await db.pool.query('ANALYZE events');
  const from = await eventLogNow(db.pool);
  const xmin = (await db.pool.query<{ x: string }>('SELECT pg_snapshot_xmin($1::pg_snapshot)::text AS x', [from])).rows[0]!.x;
  const c = await db.pool.connect();
  try {
    await c.query(`PREPARE follow_plan AS ${FOLLOW_EVENTS_SQL}`);
    const plan = (await c.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) EXECUTE follow_plan(${c.escapeLiteral(xmin)}, 0, ${c.escapeLiteral(from)}, NULL, 500, false)`)).rows[0]!['QUERY PLAN'];
    const nodes: Array<Record<string, unknown>> = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push(n);
      for (const child of (n.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
    };
    walk((plan as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
    expect(nodes.map((n) => n['Index Name'])).toContain('events_xid_idx');
    // The planner may walk the index in order or sort what it found; a sort must be by the xid8
    // value (a text sort would put xid 10 before xid 9).
    for (const n of nodes.filter((n) => n['Node Type'] === 'Sort')) expect(n['Sort Key']).toEqual(['xid', 'seq']);
  } finally {
    await c.query('DEALLOCATE follow_plan').catch(() => undefined);
    c.release();
  }
});
