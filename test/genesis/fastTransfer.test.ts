/**
 * dispatch()'s one-statement transfer (migrations/008_dispatch_transfer.sql, src/genesis/fastTransfer.ts)
 * against the general path it stands in for: the same requests on two identical databases, one
 * through dispatch() and one through dispatchGeneral(), must give the same outcomes and leave the
 * same rows. And the SQL twin of the bucket arithmetic must agree with settle() everywhere.
 */
import { settle } from '../../src/buckets/math';
import { dispatch, dispatchGeneral, type DispatchRequest, type Outcome } from '../../src/genesis/dispatch';
import { countStatements } from '../support/statements';
import { setupFoundation, type Foundation } from '../support/harness';

let fast: Foundation;
let general: Foundation;

async function seed(f: Foundation): Promise<void> {
  // Rate 0: buckets do not accrue, so both databases hold the same balances whatever the clock.
  const quotas = { compute_rate: 0, compute_capacity: 1000 };
  await f.principal('alice', { scrip: 1000, compute: 50, quotas });
  await f.principal('bob', { scrip: 100, compute: 50, quotas });
  await f.principal('carol', { compute: 3, quotas });
  await f.principal('dave', { scrip: 10, quotas }); // no compute at all: a charge puts it in debt
  await f.principal('erin', { scrip: 10, compute: 50, quotas });
}

beforeAll(async () => {
  [fast, general] = await Promise.all([setupFoundation(), setupFoundation()]);
  await seed(fast);
  await seed(general);
});

afterAll(async () => {
  await fast?.close();
  await general?.close();
});

const transfer = (key: string, caller: string, args: Record<string, unknown>): DispatchRequest => ({ caller, artifactId: 'genesis_ledger', method: 'transfer', args, key });

/** Usual cases, repeats, and every case the fast path must leave to the general one. */
const REQUESTS: DispatchRequest[] = [
  transfer('t1', 'alice', { to: 'bob', amount: 10, memo: 'for the tool' }),
  transfer('t2', 'bob', { to: 'alice', amount: 5 }),
  transfer('t3', 'alice', { to: 'treasury', amount: 3 }),
  transfer('t4', 'bob', { to: 'carol', amount: 1, from: 'bob' }),
  transfer('t1', 'alice', { to: 'bob', amount: 10, memo: 'for the tool' }), // a repeat: the first outcome
  transfer('t1', 'alice', { to: 'bob', amount: 11 }), // same key, another payload
  transfer('t5', 'alice', { to: 'bob', amount: 1_000_000 }), // too little scrip
  transfer('t6', 'alice', { to: 'hold_oracle', amount: 1 }), // a genesis account
  transfer('t7', 'alice', { to: 'nobody', amount: 1 }),
  transfer('t8', 'alice', { to: 'alice', amount: 1 }),
  transfer('t9', 'nobody', { to: 'alice', amount: 1 }),
  transfer('t10', 'mint', { to: 'alice', amount: 1 }),
  transfer('t11', 'alice', { to: 'bob', amount: 0 }),
  transfer('t12', 'alice', { to: 'bob', amount: 1, extra: true }),
  transfer('t13', 'dave', { to: 'alice', amount: 1 }), // the charge puts dave into compute debt
  transfer('t14', 'dave', { to: 'alice', amount: 1 }), // refused: in debt
  transfer('t15', 'carol', { to: 'alice', amount: 1 }), // the scrip t4 paid her
  transfer('t16', 'erin', { to: 'carol', amount: 10 }), // erin's whole balance
  transfer('t17', 'erin', { to: 'carol', amount: 1 }), // now empty
  transfer('issue:bob:scrip', 'bob', { to: 'alice', amount: 1 }), // a key that is already a journal id
  transfer('issue:erin', 'erin', { to: 'alice', amount: 1 }), // its charge's id is erin's compute issuance
];

/** An outcome without the journal's sequence numbers (each database numbers its own rows). */
function withoutSeq(o: Outcome): unknown {
  if (!o.ok || typeof o.result !== 'object' || o.result === null) return o;
  const { seq: _seq, ...rest } = o.result as Record<string, unknown>;
  return { ...o, result: rest };
}

/** The rows a dispatch writes, without sequence numbers and clocks. */
async function rows(f: Foundation): Promise<Record<string, unknown[]>> {
  const q = async (sql: string) => (await f.pool.query(sql)).rows;
  return {
    operations: await q(`SELECT key, caller_id, artifact_id, method, args, ok, result #- '{result,seq}' AS result FROM operations ORDER BY key`),
    journal: await q(`SELECT id, debit_principal, credit_principal, asset, amount::text, kind, reference, memo FROM journal ORDER BY id`),
    accounts: await q(`SELECT principal_id, asset, balance::text FROM accounts ORDER BY principal_id, asset`),
    buckets: await q(`SELECT principal_id, resource, balance::text FROM buckets ORDER BY principal_id, resource`),
    effects: await q(`SELECT id, kind, payload, result - 'recovers_at' AS result, result->>'recovers_at' IS NULL AS recovers_never FROM resource_effects ORDER BY id`),
    events: await q(`SELECT type, actor_id, subject_id, data FROM events ORDER BY seq`),
  };
}

describe('the one-statement transfer', () => {
  it('gives the outcomes and leaves the rows of the general path, case by case', async () => {
    for (const req of REQUESTS) {
      const a = await dispatch({ pool: fast.pool, config: fast.config }, req);
      const b = await dispatchGeneral({ pool: general.pool, config: general.config }, req);
      expect({ key: req.key, outcome: withoutSeq(a) }).toEqual({ key: req.key, outcome: withoutSeq(b) });
      expect(await rows(fast)).toEqual(await rows(general));
    }
    // The cases above did fail and succeed as described (so the comparison covered both kinds).
    const outcomes = (await fast.pool.query(`SELECT key, ok, result->'error'->>'code' AS code FROM operations ORDER BY key`)).rows;
    expect(outcomes.filter((o) => o.ok).map((o) => o.key).sort()).toEqual(['t1', 't13', 't15', 't16', 't2', 't3', 't4']);
    // Keys that collide with ids the system made are refused with a typed error, not thrown.
    for (const key of ['issue:bob:scrip', 'issue:erin']) {
      const again = await dispatch({ pool: fast.pool, config: fast.config }, REQUESTS.find((r) => r.key === key)!);
      expect(again).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    }
    await fast.expectAuditOk();
    await general.expectAuditOk();
  });

  it('a transfer result names the journal row it made', async () => {
    const o = await dispatch({ pool: fast.pool, config: fast.config }, transfer('seq-check', 'alice', { to: 'bob', amount: 2 }));
    expect(o.ok).toBe(true);
    const row = (await fast.pool.query(`SELECT seq::int FROM journal WHERE id = 'seq-check'`)).rows[0];
    expect((o as { result: { seq: number } }).result.seq).toBe(row.seq);
  });

  it('is one statement in the usual case, where the general path takes six', async () => {
    expect(await countStatements(() => dispatch({ pool: fast.pool, config: fast.config }, transfer('one-1', 'bob', { to: 'alice', amount: 1 })))).toBe(1);
    expect(await countStatements(() => dispatchGeneral({ pool: general.pool, config: general.config }, transfer('one-1', 'bob', { to: 'alice', amount: 1 })))).toBe(6);
    // A repeat is not the usual case: the fast path declines without writing, and the general path replays.
    const repeat = await dispatch({ pool: fast.pool, config: fast.config }, transfer('one-1', 'bob', { to: 'alice', amount: 1 }));
    expect(repeat).toMatchObject({ ok: true, replayed: true });
  });
});

describe('bucket_settle (SQL) and settle() (TypeScript)', () => {
  it('agree on random buckets, including capacity, debt, zero rates and fractions of a unit', async () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const cases = Array.from({ length: 400 }, () => {
      const rate = [0, 1, 3, 7, 100, 999, 1_000_000][rand(7)]!;
      const capacity = [0, 1, 10, 5000, 1_000_000_000][rand(5)]!;
      const balance = rand(3) === 0 ? -rand(100_000) : rand(2_000_000);
      const updatedUs = 1_790_000_000_000_000 + rand(1_000_000_000);
      const nowUs = updatedUs + [0, 1, 999, 1_000_001, rand(3_000_000_000)][rand(5)]! - (rand(10) === 0 ? 5 : 0);
      return { balance, updatedUs, rate, capacity, nowUs };
    });
    const r = await fast.pool.query<{ b: string | null; u: string | null }>(
      `SELECT s.settled_balance::text AS b, s.settled_us::text AS u
       FROM jsonb_to_recordset($1::jsonb) AS c(i int, balance bigint, "updatedUs" bigint, rate bigint, capacity bigint, "nowUs" bigint),
            LATERAL bucket_settle(c.balance, c."updatedUs", c.rate, c.capacity, c."nowUs") s
       ORDER BY c.i`,
      [JSON.stringify(cases.map((c, i) => ({ i, ...c })))],
    );
    const fromSql = r.rows.map((row) => ({ balance: Number(row.b), updatedUs: Number(row.u) }));
    expect(fromSql).toEqual(cases.map((c) => settle({ balance: c.balance, updatedUs: c.updatedUs }, { rate: c.rate, capacity: c.capacity }, c.nowUs)));
  });
});
