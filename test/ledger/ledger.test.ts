/** The double-entry scrip ledger: issuance, idempotent transfers, the audit, append-only journal. */
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { grant, spend } from '../../src/buckets/store';
import { withTransaction } from '../../src/db/tx';
import { EcologyError } from '../../src/errors';
import { transfer } from '../../src/ledger/transfer';
import { eventsSince, setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;

beforeAll(async () => {
  // Rate 0: compute balances change only by what the tests do.
  f = await setupFoundation({ quotas: { operatorPrincipal: { compute_rate: 0 } } });
  await f.principal('alice', { scrip: 1000, compute: 500 });
  await f.principal('bob', { scrip: 200, compute: 500 });
  await f.principal('carol', { scrip: 0, compute: 500, kind: 'account' });
});
afterAll(() => f.close());
afterEach(() => f.expectAuditOk());

async function expectThrowsCode(p: Promise<unknown>, code: string): Promise<EcologyError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(EcologyError);
  expect((e as EcologyError).code).toBe(code);
  return e as EcologyError;
}

describe('issuance through createOperatorPrincipal', () => {
  it('mints the starting scrip as a journal transfer from mint and grants compute', async () => {
    const before = await f.pool.query(`SELECT COALESCE(max(seq), 0)::int AS s FROM events`);
    const mintBefore = await f.scrip('mint');
    const result = await createOperatorPrincipal(f.pool, f.config, { id: 'dave', kind: 'agent', scrip: 750, compute: 40 });
    expect(result).toEqual({ id: 'dave', scrip: 750, compute: 40 });
    expect(await f.scrip('dave')).toBe(750);
    expect(await f.scrip('mint')).toBe(mintBefore - 750);
    const j = await f.pool.query(`SELECT id, debit_principal, credit_principal, asset, amount::int, kind FROM journal WHERE credit_principal = 'dave'`);
    expect(j.rows).toEqual([{ id: 'issue:dave:scrip', debit_principal: 'mint', credit_principal: 'dave', asset: 'scrip', amount: 750, kind: 'issuance' }]);
    expect((await f.bucket('dave')).available).toBe(40);
    const art = (await f.pool.query(`SELECT owner_id, access_contract_id, has_standing, can_execute, type FROM artifacts WHERE id = 'dave'`)).rows[0];
    expect(art).toEqual({ owner_id: 'dave', access_contract_id: 'genesis_self_owned', has_standing: true, can_execute: true, type: 'agent' });
    const quotas = await f.ok('dave', 'genesis_rights_registry', 'check_quota');
    expect(quotas).toEqual({ principal: 'dave', ...f.config.quotas.operatorPrincipal, compute_rate: 0 });
    const events = await eventsSince(f.pool, before.rows[0].s, ['principal_created', 'transfer']);
    expect(events.map((e) => [e.type, e.subject_id])).toEqual([
      ['principal_created', 'dave'],
      ['transfer', 'dave'],
    ]);
    expect(events[1].data).toMatchObject({ from: 'mint', to: 'dave', amount: 750, kind: 'issuance' });
  });

  it('the mint balance is minus the whole supply', async () => {
    const supply = await f.pool.query(`SELECT sum(balance)::int AS s FROM accounts WHERE asset = 'scrip' AND principal_id <> 'mint'`);
    expect(await f.scrip('mint')).toBe(-supply.rows[0].s);
  });

  it('refuses an existing id (ALREADY_EXISTS) and changes nothing', async () => {
    const snap = await f.snapshot();
    await expectThrowsCode(createOperatorPrincipal(f.pool, f.config, { id: 'alice', kind: 'agent', scrip: 5, compute: 5 }), 'ALREADY_EXISTS');
    // genesis_ ids are reserved for the system: refused before the lookup.
    await expectThrowsCode(createOperatorPrincipal(f.pool, f.config, { id: 'genesis_ledger', kind: 'agent', scrip: 5, compute: 0 }), 'INVALID_ARGUMENT');
    expect(await f.snapshot()).toEqual(snap);
  });

  it('refuses bad ids and amounts with INVALID_ARGUMENT', async () => {
    const snap = await f.snapshot();
    for (const [id, scrip] of [['bad id', 1], ['x'.repeat(129), 1], ['', 1], ['ok_id', -1], ['ok_id', 1.5], ['ok_id', 2 ** 53]] as const) {
      await expectThrowsCode(createOperatorPrincipal(f.pool, f.config, { id, kind: 'agent', scrip, compute: 0 }), 'INVALID_ARGUMENT');
    }
    expect(await f.snapshot()).toEqual(snap);
  });

  it('a zero issuance writes no journal row', async () => {
    await createOperatorPrincipal(f.pool, f.config, { id: 'zed', kind: 'account', scrip: 0, compute: 0 });
    expect(await f.scrip('zed')).toBe(0);
    expect((await f.pool.query(`SELECT count(*)::int AS n FROM journal WHERE credit_principal = 'zed'`)).rows[0].n).toBe(0);
  });
});

describe('transfer idempotency', () => {
  it('the primitive: a repeat returns the first result and moves nothing more', async () => {
    const req = { id: 'direct-1', from: 'alice', to: 'bob', asset: 'scrip', amount: 30, kind: 'transfer', memo: 'first' };
    const first = await withTransaction(f.pool, (c) => transfer(c, req));
    expect(first).toMatchObject({ transfer_id: 'direct-1', from: 'alice', to: 'bob', asset: 'scrip', amount: 30, replayed: false });
    expect(Number.isSafeInteger(first.seq)).toBe(true);
    const a = await f.scrip('alice');
    const b = await f.scrip('bob');
    // A repeat (even with another memo, which is not part of the payload) replays.
    const again = await withTransaction(f.pool, (c) => transfer(c, { ...req, memo: 'retry' }));
    expect(again).toEqual({ ...first, replayed: true });
    expect(await f.scrip('alice')).toBe(a);
    expect(await f.scrip('bob')).toBe(b);
    expect((await f.pool.query(`SELECT count(*)::int AS n FROM journal WHERE id = 'direct-1'`)).rows[0].n).toBe(1);
  });

  it('the primitive: the same id with a different payload is IDEMPOTENCY_CONFLICT', async () => {
    const base = { id: 'direct-2', from: 'alice', to: 'bob', asset: 'scrip', amount: 10, kind: 'transfer' };
    await withTransaction(f.pool, (c) => transfer(c, base));
    const snap = await f.snapshot();
    for (const changed of [{ amount: 11 }, { to: 'carol' }, { from: 'bob', to: 'alice' }, { kind: 'purchase' }]) {
      await expectThrowsCode(withTransaction(f.pool, (c) => transfer(c, { ...base, ...changed })), 'IDEMPOTENCY_CONFLICT');
    }
    expect(await f.snapshot()).toEqual(snap);
  });

  it('the primitive: a failed transfer does not burn its id', async () => {
    const req = { id: 'direct-3', from: 'carol', to: 'alice', asset: 'scrip', amount: 25, kind: 'transfer' };
    const e = await expectThrowsCode(withTransaction(f.pool, (c) => transfer(c, req)), 'INSUFFICIENT_FUNDS');
    expect(e.details).toEqual({ balance: 0, needed: 25 });
    expect((await f.pool.query(`SELECT count(*)::int AS n FROM journal WHERE id = 'direct-3'`)).rows[0].n).toBe(0);
    await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'carol', amount: 25 });
    const done = await withTransaction(f.pool, (c) => transfer(c, req));
    expect(done).toMatchObject({ transfer_id: 'direct-3', amount: 25, replayed: false });
    expect(await f.scrip('carol')).toBe(0);
  });

  it('through dispatch: a repeated key replays the first outcome, including its compute charge', async () => {
    const key = f.key();
    const a = await f.scrip('alice');
    const b = await f.scrip('bob');
    const computeBefore = (await f.bucket('alice')).available;
    const first = await f.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 7, memo: 'rent' }, key);
    expect(first).toMatchObject({ ok: true, replayed: false, compute_charged: 1 });
    const again = await f.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 7, memo: 'rent' }, key);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await f.scrip('alice')).toBe(a - 7);
    expect(await f.scrip('bob')).toBe(b + 7);
    expect((await f.bucket('alice')).available).toBe(computeBefore - 1);
    expect((await f.pool.query(`SELECT count(*)::int AS n FROM journal WHERE id = $1`, [key])).rows[0].n).toBe(1);
  });

  it('through dispatch: the first outcome and its replay are the same JSON (dates as strings)', async () => {
    const key = f.key();
    const first = await f.call('bob', 'genesis_ledger', 'history', { limit: 2 }, key);
    const again = await f.call('bob', 'genesis_ledger', 'history', { limit: 2 }, key);
    expect(first.ok).toBe(true);
    expect(again).toStrictEqual({ ...first, replayed: true });
    expect(typeof (first as { result: Array<{ at: unknown }> }).result[0].at).toBe('string');
  });

  it('through dispatch: the same key with a different payload is IDEMPOTENCY_CONFLICT and changes nothing', async () => {
    const key = f.key();
    await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 3 }, key);
    const snap = await f.snapshot();
    const compute = (await f.bucket('alice')).available;
    const bobCompute = (await f.bucket('bob')).available;
    for (const [caller, artifact, method, args] of [
      ['alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 4 }],
      ['alice', 'genesis_ledger', 'transfer', { to: 'carol', amount: 3 }],
      ['alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 3, memo: 'x' }],
      ['bob', 'genesis_ledger', 'transfer', { to: 'bob', amount: 3 }],
      ['bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 3 }],
      ['alice', 'genesis_ledger', 'balance', {}],
      ['alice', 'genesis_store', 'transfer', { to: 'bob', amount: 3 }],
    ] as const) {
      const o = await f.fails('IDEMPOTENCY_CONFLICT', caller, artifact, method, args, key);
      expect(o.compute_charged).toBe(0);
      expect(o.replayed).toBe(false);
    }
    expect(await f.snapshot()).toEqual(snap);
    expect((await f.bucket('alice')).available).toBe(compute);
    expect((await f.bucket('bob')).available).toBe(bobCompute);
  });

  it('through dispatch: concurrent twins of one key apply once and all return the same transfer', async () => {
    const key = f.key();
    const a = await f.scrip('alice');
    const outcomes = await Promise.all(Array.from({ length: 12 }, () => f.call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 2 }, key)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(outcomes.filter((o) => !o.replayed)).toHaveLength(1);
    const results = outcomes.map((o) => (o as { result: { transfer_id: string; seq: number } }).result);
    expect(new Set(results.map((r) => `${r.transfer_id}/${r.seq}`)).size).toBe(1);
    expect(await f.scrip('alice')).toBe(a - 2);
  });

  it('bucket effects are idempotent by id too', async () => {
    const compute = (await f.bucket('bob')).available;
    const e = { id: 'spend-once', principal: 'bob', resource: 'compute' as const, amount: 9, kind: 'test' };
    const first = await withTransaction(f.pool, (c) => spend(c, e));
    const again = await withTransaction(f.pool, (c) => spend(c, e));
    expect(again).toEqual(first);
    expect(first.available).toBe(compute - 9);
    expect((await f.bucket('bob')).available).toBe(compute - 9);
    await expectThrowsCode(withTransaction(f.pool, (c) => spend(c, { ...e, amount: 10 })), 'IDEMPOTENCY_CONFLICT');
    await expectThrowsCode(withTransaction(f.pool, (c) => grant(c, { ...e, kind: 'test' })), 'IDEMPOTENCY_CONFLICT');
    expect((await f.bucket('bob')).available).toBe(compute - 9);
    const g = { id: 'grant-once', principal: 'bob', resource: 'compute' as const, amount: 9, kind: 'refund' };
    await withTransaction(f.pool, (c) => grant(c, g));
    await withTransaction(f.pool, (c) => grant(c, g));
    expect((await f.bucket('bob')).available).toBe(compute);
  });
});

describe('the audit', () => {
  async function failing(): Promise<Record<string, string>> {
    const report = await f.audit();
    expect(report.ok).toBe(false);
    return Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]));
  }

  it('passes on a healthy ledger with every check named', async () => {
    const report = await f.audit();
    expect(report.ok).toBe(true);
    for (const c of report.checks) expect(c).toEqual({ name: expect.any(String), ok: true, detail: expect.any(String) });
  });

  it('detects a corrupted balance (balance no longer matches the journal; the asset no longer sums to zero)', async () => {
    await f.pool.query(`UPDATE accounts SET balance = balance + 1 WHERE principal_id = 'bob' AND asset = 'scrip'`);
    try {
      const bad = await failing();
      expect(Object.keys(bad).sort()).toEqual(['asset_sums_to_zero', 'balances_match_journal']);
      expect(bad.balances_match_journal).toMatch(/^bob\/scrip: balance \d+, journal \d+$/);
      expect(bad.asset_sums_to_zero).toBe('scrip sums to 1');
    } finally {
      await f.pool.query(`UPDATE accounts SET balance = balance - 1 WHERE principal_id = 'bob' AND asset = 'scrip'`);
    }
  });

  it('detects balanced corruption (sum still zero) through the journal check alone', async () => {
    await f.pool.query(`UPDATE accounts SET balance = balance + 5 WHERE principal_id = 'carol' AND asset = 'scrip'`);
    await f.pool.query(`UPDATE accounts SET balance = balance - 5 WHERE principal_id = 'mint' AND asset = 'scrip'`);
    try {
      const bad = await failing();
      expect(Object.keys(bad)).toEqual(['balances_match_journal']);
      expect(bad.balances_match_journal).toContain('carol/scrip: balance 5, journal 0');
      expect(bad.balances_match_journal).toContain('mint/scrip');
    } finally {
      await f.pool.query(`UPDATE accounts SET balance = balance - 5 WHERE principal_id = 'carol' AND asset = 'scrip'`);
      await f.pool.query(`UPDATE accounts SET balance = balance + 5 WHERE principal_id = 'mint' AND asset = 'scrip'`);
    }
  });

  it('detects a negative balance on a system account other than the mint', async () => {
    await f.pool.query(`UPDATE accounts SET balance = balance - 4 WHERE principal_id = 'treasury' AND asset = 'scrip'`);
    await f.pool.query(`UPDATE accounts SET balance = balance + 4 WHERE principal_id = 'mint' AND asset = 'scrip'`);
    try {
      const bad = await failing();
      expect(bad.no_negative_balances).toBe('treasury: -4');
    } finally {
      await f.pool.query(`UPDATE accounts SET balance = balance + 4 WHERE principal_id = 'treasury' AND asset = 'scrip'`);
      await f.pool.query(`UPDATE accounts SET balance = balance - 4 WHERE principal_id = 'mint' AND asset = 'scrip'`);
    }
  });

  it('detects an artifact held by the escrow without an open listing', async () => {
    await f.ok('alice', 'genesis_store', 'create', { id: 'stray', type: 'data', content: {} });
    await f.pool.query(`UPDATE artifacts SET owner_id = 'genesis_escrow' WHERE id = 'stray'`);
    try {
      expect((await failing()).holdings_match_open_positions).toBe('stray: held by escrow without an open listing');
    } finally {
      await f.pool.query(`UPDATE artifacts SET owner_id = 'alice' WHERE id = 'stray'`);
    }
  });

  it('detects an operation whose outcome was never stored', async () => {
    await f.pool.query(`INSERT INTO operations (key, caller_id, artifact_id, method, args, ok, result) VALUES ('half', 'alice', 'genesis_ledger', 'balance', '{}', false, 'null')`);
    try {
      expect((await failing()).idempotency_records_complete).toBe('1 operation without stored outcome');
    } finally {
      await f.pool.query(`DELETE FROM operations WHERE key = 'half'`);
    }
  });
});

describe('database constraints back the ledger up', () => {
  it('the journal is append-only: UPDATE, DELETE and TRUNCATE raise', async () => {
    const before = await f.pool.query(`SELECT count(*)::int AS n, sum(amount)::text AS s FROM journal`);
    await expect(f.pool.query(`UPDATE journal SET amount = amount + 1 WHERE id = 'issue:alice:scrip'`)).rejects.toMatchObject({ code: '23001', message: 'journal is append-only' });
    await expect(f.pool.query(`DELETE FROM journal WHERE id = 'issue:alice:scrip'`)).rejects.toMatchObject({ code: '23001' });
    await expect(f.pool.query(`DELETE FROM journal`)).rejects.toMatchObject({ code: '23001' });
    await expect(f.pool.query(`TRUNCATE journal`)).rejects.toMatchObject({ code: '23001', message: 'journal is append-only' });
    expect((await f.pool.query(`SELECT count(*)::int AS n, sum(amount)::text AS s FROM journal`)).rows).toEqual(before.rows);
  });

  it('the event log is append-only too', async () => {
    await expect(f.pool.query(`UPDATE events SET type = 'x'`)).rejects.toMatchObject({ code: '23001', message: 'events is append-only' });
    await expect(f.pool.query(`DELETE FROM events`)).rejects.toMatchObject({ code: '23001' });
    await expect(f.pool.query(`TRUNCATE events`)).rejects.toMatchObject({ code: '23001', message: 'events is append-only' });
    expect((await f.pool.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n).toBeGreaterThan(0);
  });

  it('a non-system scrip balance cannot go negative; journal rows need a positive amount and two parties', async () => {
    await expect(f.pool.query(`UPDATE accounts SET balance = -1 WHERE principal_id = 'carol' AND asset = 'scrip'`)).rejects.toMatchObject({ code: '23514' });
    await expect(
      f.pool.query(`INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind) VALUES ('z0', 'alice', 'bob', 'scrip', 0, 't')`),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      f.pool.query(`INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind) VALUES ('z1', 'alice', 'alice', 'scrip', 1, 't')`),
    ).rejects.toMatchObject({ code: '23514' });
    await expect(
      f.pool.query(`INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind) VALUES ('z2', 'alice', 'nobody', 'scrip', 1, 't')`),
    ).rejects.toMatchObject({ code: '23503' });
  });
});
