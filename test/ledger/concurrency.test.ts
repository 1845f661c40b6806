/**
 * Races against the real PostgreSQL server, through many pool connections at once: one listing and
 * 200 buyers, 32 clients of random transfers with retried ids, concurrent compute spends, and
 * concurrent migrations.
 */
import { Pool } from 'pg';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { spend } from '../../src/buckets/store';
import { isRetryableDbError, withTransaction } from '../../src/db/tx';
import { listMigrations, migrate } from '../../src/db/migrate';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { dispatch, dispatchGeneral, type Outcome } from '../../src/genesis/dispatch';
import { audit } from '../../src/audit/audit';
import { createTestDatabase } from '../support/testDb';
import { setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;

beforeAll(async () => {
  f = await setupFoundation({ quotas: { operatorPrincipal: { compute_rate: 0, llm_token_rate: 0 } } });
});
afterAll(() => f.close());
afterEach(() => f.expectAuditOk());

/** A pool of its own with more connections than the shared one, ended by the test. */
function widePool(max: number): Pool {
  const pool = new Pool({ connectionString: f.db.url, max });
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A wide pool that also counts deadlocks and serialization failures. withTransaction retries those
 * silently, so only a count shows that the lock order is not deadlock-free (each costs a second).
 */
function countingPool(max: number): { pool: Pool; retryable: () => number } {
  const pool = widePool(max);
  let n = 0;
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const r = query(...args);
      if (r instanceof Promise) r.catch((e: unknown) => (isRetryableDbError(e) ? n++ : undefined));
      return r;
    };
  });
  return { pool, retryable: () => n };
}

async function createPrincipals(ids: string[], scrip: number, compute: number): Promise<void> {
  await Promise.all(ids.map((id) => createOperatorPrincipal(f.pool, f.config, { id, kind: 'agent', scrip, compute })));
}

describe('200 concurrent purchases of one listing', () => {
  it('exactly one succeeds; every other buyer gets a clear NOT_FOUND and keeps all its scrip', async () => {
    await f.principal('seller', { scrip: 0, compute: 1000 });
    await f.ok('seller', 'genesis_store', 'create', { id: 'prize', type: 'good', content: { rare: true } });
    const listing = await f.ok('seller', 'genesis_escrow', 'deposit', { artifact_id: 'prize', price: 70 });
    const buyers = Array.from({ length: 200 }, (_, i) => `buyer_${String(i).padStart(3, '0')}`);
    await createPrincipals(buyers, 100, 1000);

    const pool = widePool(100);
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(
        buyers.map((b) => dispatch({ pool, config: f.config }, { caller: b, artifactId: 'genesis_escrow', method: 'purchase', args: { artifact_id: 'prize' }, key: `buy:${b}` })),
      );
    } finally {
      await pool.end();
    }

    const winners = buyers.filter((_, i) => outcomes[i].ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    for (const [i, o] of outcomes.entries()) {
      if (o.ok) {
        expect(o.result).toMatchObject({ listing_id: listing.listing_id, status: 'sold', purchaser: winner, price: 70, transfer_id: `buy:${winner}` });
        continue;
      }
      expect(o.error.code).toBe('NOT_FOUND');
      expect(o.error.message).toBe('prize has no open listing (it may just have been sold or cancelled)');
      expect(o.compute_charged).toBe(1);
      expect(o.replayed).toBe(false);
      expect(buyers[i]).not.toBe(winner);
    }

    const balances = await f.pool.query<{ principal_id: string; balance: string }>(
      `SELECT principal_id, balance::text FROM accounts WHERE asset = 'scrip' AND principal_id = ANY($1)`,
      [[...buyers, 'seller']],
    );
    const by = Object.fromEntries(balances.rows.map((r) => [r.principal_id, Number(r.balance)]));
    for (const b of buyers) expect(by[b]).toBe(b === winner ? 30 : 100);
    expect(by.seller).toBe(70);
    // Everyone paid exactly its one call's compute.
    const computes = await f.pool.query(`SELECT DISTINCT balance::int FROM buckets WHERE resource = 'compute' AND principal_id = ANY($1)`, [buyers]);
    expect(computes.rows).toEqual([{ balance: 999 }]);
    expect((await f.ok('seller', 'genesis_store', 'read', { id: 'prize' })).owner_id).toBe(winner);
    const journal = await f.pool.query(`SELECT id, debit_principal, credit_principal, amount::int FROM journal WHERE kind = 'purchase'`);
    expect(journal.rows).toEqual([{ id: `buy:${winner}`, debit_principal: winner, credit_principal: 'seller', amount: 70 }]);
    const events = await f.pool.query(`SELECT type, count(*)::int AS n FROM events WHERE subject_id = 'prize' AND type IN ('purchase', 'listing_closed') GROUP BY type ORDER BY type`);
    expect(events.rows).toEqual([
      { type: 'listing_closed', n: 1 },
      { type: 'purchase', n: 1 },
    ]);
    await f.expectAuditOk();
  });
});

describe('32 clients of random transfers among 50 accounts, with retried ids', () => {
  it('applies each id once, conserves the total, never goes negative, and replays return the first result', async () => {
    const accounts = Array.from({ length: 50 }, (_, i) => `acct_${String(i).padStart(2, '0')}`);
    const START = 1000;
    await createPrincipals(accounts, START, 1_000_000);

    interface Sent {
      key: string;
      from: string;
      to: string;
      amount: number;
      outcomes: Outcome[];
    }
    const sent: Sent[] = [];
    const byKey = new Map<string, Sent>();
    const { pool, retryable } = countingPool(40);
    const deadline = Date.now() + 3000;
    let n = 0;
    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

    async function client(worker: number): Promise<void> {
      while (Date.now() < deadline) {
        let s: Sent;
        // One call in five re-sends an earlier id (possibly still in flight) with the same payload.
        if (sent.length > 0 && Math.random() < 0.2) {
          s = pick(sent);
        } else {
          const from = pick(accounts);
          let to = pick(accounts);
          while (to === from) to = pick(accounts);
          s = { key: `rt:${worker}:${n++}`, from, to, amount: 1 + Math.floor(Math.random() * 120), outcomes: [] };
          sent.push(s);
          byKey.set(s.key, s);
        }
        const o = await dispatch({ pool, config: f.config }, { caller: s.from, artifactId: 'genesis_ledger', method: 'transfer', args: { to: s.to, amount: s.amount }, key: s.key });
        s.outcomes.push(o);
      }
    }
    try {
      await Promise.all(Array.from({ length: 32 }, (_, w) => client(w)));
    } finally {
      await pool.end();
    }

    expect(retryable()).toBe(0);
    const replays = sent.reduce((k, s) => k + s.outcomes.length - 1, 0);
    expect(sent.length).toBeGreaterThan(100);
    expect(replays).toBeGreaterThan(10);

    // Every id: exactly one first outcome, and every replay equals it.
    const expected = new Map(accounts.map((a) => [a, START]));
    const applied = new Map<string, { seq: number }>();
    for (const s of sent) {
      const first = s.outcomes.filter((o) => !o.replayed);
      expect(first).toHaveLength(1);
      for (const o of s.outcomes) expect({ ...o, replayed: false }).toEqual(first[0]);
      const o = first[0];
      if (o.ok) {
        expect(o.result).toMatchObject({ transfer_id: s.key, from: s.from, to: s.to, amount: s.amount, replayed: false });
        applied.set(s.key, o.result as { seq: number });
        expected.set(s.from, expected.get(s.from)! - s.amount);
        expected.set(s.to, expected.get(s.to)! + s.amount);
      } else {
        expect(o.error.code).toBe('INSUFFICIENT_FUNDS');
      }
    }
    expect(applied.size).toBeGreaterThan(50);

    // The journal has one row per applied id, and none for refused ones.
    const rows = await f.pool.query<{ id: string; seq: number; debit_principal: string; credit_principal: string; amount: number }>(
      `SELECT id, seq::int, debit_principal, credit_principal, amount::int FROM journal WHERE id LIKE 'rt:%'`,
    );
    expect(rows.rows).toHaveLength(applied.size);
    for (const r of rows.rows) {
      const s = byKey.get(r.id)!;
      expect(applied.get(r.id)!.seq).toBe(r.seq);
      expect([r.debit_principal, r.credit_principal, r.amount]).toEqual([s.from, s.to, s.amount]);
    }

    // Balances are exactly what the successful outcomes imply; the total is unchanged; none negative.
    const balances = await f.pool.query<{ principal_id: string; balance: string }>(`SELECT principal_id, balance::text FROM accounts WHERE asset = 'scrip' AND principal_id = ANY($1)`, [accounts]);
    const actual = new Map(balances.rows.map((r) => [r.principal_id, Number(r.balance)]));
    expect(actual).toEqual(expected);
    expect([...actual.values()].reduce((a, b) => a + b, 0)).toBe(50 * START);
    expect(Math.min(...actual.values())).toBeGreaterThanOrEqual(0);

    // Each first call cost 1 compute; replays cost nothing more.
    const calls = new Map(accounts.map((a) => [a, 0]));
    for (const s of sent) calls.set(s.from, calls.get(s.from)! + 1);
    const computes = await f.pool.query<{ principal_id: string; balance: number }>(`SELECT principal_id, balance::int AS balance FROM buckets WHERE resource = 'compute' AND principal_id = ANY($1)`, [accounts]);
    for (const r of computes.rows) expect(r.balance).toBe(1_000_000 - calls.get(r.principal_id)!);

    await f.expectAuditOk();
  });
});

describe('one key sent many times at once', () => {
  const send = (pool: Pool, key: string, to: string, amount: number) =>
    dispatch({ pool, config: f.config }, { caller: 'twin_payer', artifactId: 'genesis_ledger', method: 'transfer', args: { to, amount }, key });

  beforeAll(async () => {
    await createPrincipals(['twin_payer', 'twin_a', 'twin_b'], 1000, 100_000);
  });

  it('with the same payload: applied once, every other call replays the first result, no deadlock', async () => {
    const before = await f.scrip('twin_payer');
    const { pool, retryable } = countingPool(20);
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(Array.from({ length: 16 }, () => send(pool, 'twins:same', 'twin_a', 7)));
    } finally {
      await pool.end();
    }
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    const first = outcomes.find((o) => !o.replayed)!;
    for (const o of outcomes) expect(o).toMatchObject({ ok: true, result: first.ok && first.result });
    expect(await f.scrip('twin_payer')).toBe(before - 7);
    expect(retryable()).toBe(0);
  });

  it('through the one-statement path and the general path at once: one applies, the other replays, no deadlock', async () => {
    const before = await f.scrip('twin_payer');
    const { pool, retryable } = countingPool(20);
    const req = (key: string) => ({ caller: 'twin_payer', artifactId: 'genesis_ledger', method: 'transfer', args: { to: 'twin_b', amount: 1 }, key });
    let pairs: Outcome[][];
    try {
      pairs = await Promise.all(
        Array.from({ length: 20 }, (_, i) => Promise.all([dispatch({ pool, config: f.config }, req(`twins:paths:${i}`)), dispatchGeneral({ pool, config: f.config }, req(`twins:paths:${i}`))])),
      );
    } finally {
      await pool.end();
    }
    for (const pair of pairs) {
      expect(pair.every((o) => o.ok)).toBe(true);
      expect(pair.filter((o) => !o.replayed)).toHaveLength(1);
    }
    expect(await f.scrip('twin_payer')).toBe(before - 20);
    expect(retryable()).toBe(0);
  });

  it('with different payloads: one applies, every other gets IDEMPOTENCY_CONFLICT', async () => {
    const before = await f.scrip('twin_payer');
    const { pool, retryable } = countingPool(20);
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => send(pool, 'twins:differ', i % 2 ? 'twin_a' : 'twin_b', 1 + i)));
    } finally {
      await pool.end();
    }
    const ok = outcomes.filter((o) => o.ok);
    expect(ok).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.error?.code)).toEqual(Array(15).fill('IDEMPOTENCY_CONFLICT'));
    expect(await f.scrip('twin_payer')).toBe(before - (ok[0]!.result as { amount: number }).amount);
    expect(retryable()).toBe(0);
  });
});

describe('many clients paying one account at once (the contended case)', () => {
  it('every payment lands, with no deadlock or serialization retry', async () => {
    const payers = Array.from({ length: 24 }, (_, i) => `payer_${String(i).padStart(2, '0')}`);
    await createPrincipals(payers, 100, 1000);
    await f.principal('hub', { compute: 1000 });
    const { pool, retryable } = countingPool(30);
    let outcomes: Outcome[];
    try {
      outcomes = (
        await Promise.all(
          payers.map(async (p) => {
            const mine: Outcome[] = [];
            for (let i = 0; i < 8; i++) {
              mine.push(await dispatch({ pool, config: f.config }, { caller: p, artifactId: 'genesis_ledger', method: 'transfer', args: { to: 'hub', amount: i + 1 }, key: `hub:${p}:${i}` }));
            }
            return mine;
          }),
        )
      ).flat();
    } finally {
      await pool.end();
    }
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(retryable()).toBe(0);
    expect(await f.scrip('hub')).toBe(24 * 36);
    for (const p of payers) expect(await f.scrip(p)).toBe(100 - 36);
    await f.expectAuditOk();
  });
});

describe('concurrent spends against one compute bucket', () => {
  it('spend(): 100 concurrent charges go into debt by exactly their sum', async () => {
    await f.principal('burner', { compute: 1000 });
    const amounts = Array.from({ length: 100 }, (_, i) => i + 1); // 5050 in all
    const pool = widePool(50);
    try {
      await Promise.all(amounts.map((amount) => withTransaction(pool, (c) => spend(c, { id: `burn:${amount}`, principal: 'burner', resource: 'compute', amount, kind: 'test' }))));
    } finally {
      await pool.end();
    }
    expect(await f.bucket('burner')).toMatchObject({ available: 1000 - 5050, in_debt: true, rate: 0, recovers_at: null });
    await f.expectAuditOk();
  });

  it('dispatch(): concurrent calls by one caller are charged exactly, into debt, and refused only once it is in debt', async () => {
    await f.principal('hasty', { compute: 10 });
    const pool = widePool(50);
    let outcomes: Outcome[];
    try {
      outcomes = await Promise.all(
        Array.from({ length: 60 }, (_, i) => dispatch({ pool, config: f.config }, { caller: 'hasty', artifactId: 'genesis_ledger', method: 'all_balances', args: {}, key: `hasty:${i}` })),
      );
    } finally {
      await pool.end();
    }
    const charged = outcomes.reduce((s, o) => s + o.compute_charged, 0);
    const ok = outcomes.filter((o) => o.ok);
    const refused = outcomes.filter((o) => !o.ok);
    expect(ok.length).toBeGreaterThanOrEqual(2); // 10 compute covers two calls of 5 for certain
    for (const o of ok) expect(o.compute_charged).toBe(5);
    for (const o of refused) expect(o).toMatchObject({ ok: false, error: { code: 'IN_DEBT' }, compute_charged: 0 });
    expect(charged).toBe(5 * ok.length);
    expect((await f.bucket('hasty')).available).toBe(10 - charged);
    await f.expectAuditOk();
  });
});

describe('concurrent migrations', () => {
  it('two migrate() calls on a fresh database both succeed and apply the schema once', async () => {
    const db = await createTestDatabase({ migrate: false });
    try {
      const [a, b] = await Promise.all([migrate(db.pool), migrate(db.pool)]);
      const all = listMigrations().map((m) => m.name);
      expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([all, []]);
      const rows = await db.pool.query(`SELECT version, name FROM schema_migrations ORDER BY version`);
      expect(rows.rows.map((r) => r.name)).toEqual(all);
      expect(await migrate(db.pool)).toEqual({ applied: [] });

      // Bootstrapping the genesis artifacts concurrently is just as safe.
      const [g1, g2, g3] = await Promise.all([bootstrapGenesis(db.pool), bootstrapGenesis(db.pool), bootstrapGenesis(db.pool)]);
      const created = [...g1.created, ...g2.created, ...g3.created];
      expect(new Set(created).size).toBe(created.length);
      const genesis = await db.pool.query(`SELECT count(*)::int AS n FROM artifacts WHERE genesis`);
      expect(created.length).toBe(genesis.rows[0].n);
      expect((await audit(db.pool)).ok).toBe(true);
    } finally {
      await db.drop();
    }
  });
});
