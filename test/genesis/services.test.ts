/** Happy paths of every genesis service method, their events, and the compute each call costs. */
import { spend } from '../../src/buckets/store';
import { withTransaction } from '../../src/db/tx';
import { dispatch } from '../../src/genesis/dispatch';
import { eventsSince, inDays, setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;

/** Compute and LLM tokens do not accrue (rate 0) unless a test gives a principal its own rates. */
const NO_ACCRUAL = { compute_rate: 0, llm_token_rate: 0 };

beforeAll(async () => {
  f = await setupFoundation({
    quotas: { operatorPrincipal: NO_ACCRUAL },
  });
  await f.principal('alice', { scrip: 1000, compute: 10_000 });
  await f.principal('bob', { scrip: 500, compute: 10_000 });
  await f.principal('carol', { scrip: 300, compute: 10_000 });
});
afterAll(() => f.close());
afterEach(() => f.expectAuditOk());

async function lastSeq(): Promise<number> {
  return (await f.snapshot()).lastEvent;
}

/** Runs a call and checks that exactly its reported compute was charged to the caller. */
async function charged(caller: string, artifact: string, method: string, args: unknown = {}): Promise<{ cost: number; ok: boolean; code?: string }> {
  const before = (await f.bucket(caller)).available;
  const o = await f.call(caller, artifact, method, args);
  expect((await f.bucket(caller)).available).toBe(before - o.compute_charged);
  return { cost: o.compute_charged, ok: o.ok, code: o.ok ? undefined : o.error.code };
}

describe('genesis_ledger', () => {
  it('balance: own by default, or another principal', async () => {
    const own = await f.ok('alice', 'genesis_ledger', 'balance');
    // The call reads the bucket before its own cost is charged.
    expect(own).toEqual({ principal: 'alice', scrip: 1000, compute: 10_000, compute_recovers_at: null, llm_tokens: 0 });
    expect((await f.bucket('alice')).available).toBe(10_000 - 1);
    expect(await f.ok('alice', 'genesis_ledger', 'balance', { principal: 'bob' })).toEqual({
      principal: 'bob',
      scrip: 500,
      compute: 10_000,
      compute_recovers_at: null,
      llm_tokens: 0,
    });
  });

  it('all_balances: every scrip account, the mint at minus the supply', async () => {
    const all: Array<{ principal: string; scrip: number; system: boolean }> = await f.ok('bob', 'genesis_ledger', 'all_balances');
    const by = Object.fromEntries(all.map((r) => [r.principal, r]));
    expect(by.alice).toEqual({ principal: 'alice', scrip: 1000, system: false });
    expect(by.carol).toEqual({ principal: 'carol', scrip: 300, system: false });
    expect(by.mint).toEqual({ principal: 'mint', scrip: -1800, system: true });
    expect(by.treasury).toEqual({ principal: 'treasury', scrip: 0, system: true });
    expect(all.reduce((s, r) => s + r.scrip, 0)).toBe(0);
    expect(all.map((r) => r.principal)).toEqual([...all.map((r) => r.principal)].sort());
  });

  it('transfer: moves scrip, returns the journal entry, emits a transfer event', async () => {
    const seq = await lastSeq();
    const key = f.key();
    const r = await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 100, memo: 'for the widget' }, key);
    expect(r).toEqual({ transfer_id: key, seq: expect.any(Number), from: 'alice', to: 'bob', asset: 'scrip', amount: 100, replayed: false });
    expect(await f.scrip('alice')).toBe(900);
    expect(await f.scrip('bob')).toBe(600);
    const ev = await eventsSince(f.pool, seq);
    expect(ev).toEqual([
      {
        seq: expect.any(Number),
        type: 'transfer',
        actor_id: 'alice',
        subject_id: 'bob',
        data: { transfer_id: key, from: 'alice', to: 'bob', asset: 'scrip', amount: 100, kind: 'transfer', reference: null },
      },
    ]);
  });

  it('transfer: `from` naming oneself is the same as no `from`', async () => {
    await f.ok('bob', 'genesis_ledger', 'transfer', { from: 'bob', to: 'alice', amount: 100 });
    expect(await f.scrip('alice')).toBe(1000);
    expect(await f.scrip('bob')).toBe(500);
  });

  it('transfer to the treasury (a donation) is allowed', async () => {
    await f.ok('carol', 'genesis_ledger', 'transfer', { to: 'treasury', amount: 1 });
    expect(await f.scrip('treasury')).toBe(1);
  });

  it('transfer_compute: moves available compute and emits compute_transferred', async () => {
    const seq = await lastSeq();
    const key = f.key();
    const a = (await f.bucket('alice')).available;
    const c = (await f.bucket('carol')).available;
    const r = await f.ok('alice', 'genesis_ledger', 'transfer_compute', { to: 'carol', amount: 250 }, key);
    expect(r.from).toMatchObject({ principal: 'alice', resource: 'compute', available: a - 250, in_debt: false });
    expect(r.to).toMatchObject({ principal: 'carol', resource: 'compute', available: c + 250, in_debt: false });
    expect((await f.bucket('alice')).available).toBe(a - 250 - 1);
    expect((await f.bucket('carol')).available).toBe(c + 250);
    const ev = await eventsSince(f.pool, seq);
    expect(ev.map((e) => [e.type, e.actor_id, e.subject_id, e.data])).toEqual([['compute_transferred', 'alice', 'carol', { resource: 'compute', amount: 250, id: key }]]);
  });

  it('transfer_compute rescues a principal frozen in debt', async () => {
    // A principal made by an agent starts with zero compute and (configured) zero rates.
    await f.ok('alice', 'genesis_store', 'create', { id: 'frozen', type: 'agent', has_standing: true, can_execute: true });
    expect(await f.bucket('frozen')).toMatchObject({ available: 0, rate: 0, in_debt: false });
    await f.ok('frozen', 'genesis_ledger', 'balance'); // costs 1: now at -1
    expect(await f.bucket('frozen')).toMatchObject({ available: -1, in_debt: true, recovers_at: null });
    const before = await f.snapshot();
    const refused = await f.fails('IN_DEBT', 'frozen', 'genesis_ledger', 'balance');
    expect(refused.compute_charged).toBe(0);
    expect(refused.error.details).toEqual({ available: -1, recovers_at: null });
    expect(await f.snapshot()).toEqual(before);
    expect((await f.bucket('frozen')).available).toBe(-1);

    // A refusal is not recorded under its key: the frozen agent's iteration key works after a rescue.
    const frozenKey = await f.call('frozen', 'genesis_ledger', 'balance', {}, 'frozen:7');
    expect(frozenKey).toMatchObject({ ok: false, error: { code: 'IN_DEBT' }, compute_charged: 0 });
    expect((await f.pool.query('SELECT 1 FROM operations WHERE key = $1', ['frozen:7'])).rowCount).toBe(0);

    const rescue = await f.ok('alice', 'genesis_ledger', 'transfer_compute', { to: 'frozen', amount: 5 });
    expect(rescue.to).toMatchObject({ principal: 'frozen', available: 4, in_debt: false, recovers_at: null });
    const retried = await f.call('frozen', 'genesis_ledger', 'balance', {}, 'frozen:7');
    expect(retried).toMatchObject({ ok: true, replayed: false, result: { compute: 4 } }); // read before its own charge
    expect((await f.bucket('frozen')).available).toBe(3);
  });

  it('IN_DEBT says when a bucket with a rate recovers', async () => {
    await f.principal('slow', { scrip: 0, compute: 0, quotas: { compute_rate: 1, compute_capacity: 10 } });
    await withTransaction(f.pool, (c) => spend(c, { id: 'slow-burn', principal: 'slow', resource: 'compute', amount: 100, kind: 'test' }));
    const o = await f.fails('IN_DEBT', 'slow', 'genesis_ledger', 'balance');
    const details = o.error.details as { available: number; recovers_at: string };
    expect(details.available).toBeLessThan(0);
    expect(details.available).toBeGreaterThanOrEqual(-100);
    // -available units at 1 per second, from the database's now.
    const now = Date.parse((await f.pool.query<{ now: Date }>('SELECT now()')).rows[0].now.toISOString());
    expect(Date.parse(details.recovers_at)).toBeGreaterThan(now + 80_000);
    expect(Date.parse(details.recovers_at)).toBeLessThanOrEqual(now + 100_000);
    expect(o.error.message).toContain(details.recovers_at);
  });

  it('history: transfers of a principal, newest first, with a limit', async () => {
    const h1 = await f.ok('alice', 'genesis_ledger', 'history');
    // The newest: alice created a principal (frozen) above, which costs genesis.principalFee.
    expect(h1.map((t: { kind: string }) => t.kind)).toEqual(['fee', 'transfer', 'transfer', 'issuance']);
    expect(h1[0]).toMatchObject({ from: 'alice', to: 'treasury', amount: f.config.genesis.principalFee, kind: 'fee' });
    h1.shift();
    expect(h1[0]).toEqual({ transfer_id: expect.any(String), seq: expect.any(Number), from: 'bob', to: 'alice', amount: 100, kind: 'transfer', memo: null, at: expect.any(String) });
    expect(h1[1]).toMatchObject({ from: 'alice', to: 'bob', amount: 100, memo: 'for the widget' });
    expect(h1[2]).toMatchObject({ transfer_id: 'issue:alice:scrip', from: 'mint', to: 'alice', amount: 1000 });
    expect(h1[0].seq).toBeGreaterThan(h1[1].seq);
    const h2 = await f.ok('alice', 'genesis_ledger', 'history', { principal: 'bob', limit: 1 });
    expect(h2).toHaveLength(1);
    expect(h2[0]).toMatchObject({ from: 'bob', to: 'alice', amount: 100 });
  });
});

describe('compute costs', () => {
  it('each method charges its configured cost, the default otherwise', async () => {
    expect(await charged('carol', 'genesis_ledger', 'all_balances')).toEqual({ cost: 5, ok: true });
    expect(await charged('carol', 'genesis_ledger', 'history')).toEqual({ cost: 3, ok: true });
    expect(await charged('carol', 'genesis_store', 'list')).toEqual({ cost: 3, ok: true });
    expect(await charged('carol', 'genesis_event_log', 'read', { limit: 1 })).toEqual({ cost: 3, ok: true });
    expect(await charged('carol', 'genesis_store', 'create', { id: 'costly', type: 't' })).toEqual({ cost: 5, ok: true });
    expect(await charged('carol', 'genesis_ledger', 'balance')).toEqual({ cost: 1, ok: true });
    expect(await charged('carol', 'genesis_rights_registry', 'all_quotas')).toEqual({ cost: 1, ok: true });
  });

  it('failed calls are charged too', async () => {
    expect(await charged('carol', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1_000_000 })).toEqual({ cost: 1, ok: false, code: 'INSUFFICIENT_FUNDS' });
    expect(await charged('carol', 'genesis_store', 'create', { id: 'costly', type: 't' })).toEqual({ cost: 5, ok: false, code: 'ALREADY_EXISTS' });
    expect(await charged('carol', 'genesis_ledger', 'history', { principal: 'nobody' })).toEqual({ cost: 3, ok: false, code: 'NOT_FOUND' });
    expect(await charged('carol', 'genesis_ledger', 'no_such_method')).toEqual({ cost: 1, ok: false, code: 'NOT_FOUND' });
    expect(await charged('carol', 'genesis_ledger', 'transfer', { to: 'bob' })).toEqual({ cost: 1, ok: false, code: 'INVALID_ARGUMENT' });
  });

  it('a configured scrip fee goes to the treasury on success only', async () => {
    const config = { ...f.config, genesis: { ...f.config.genesis, scripFee: { 'genesis_rights_registry.check_quota': 2 } } };
    const call = (caller: string, args: unknown, key = f.key()) =>
      dispatch({ pool: f.pool, config }, { caller, artifactId: 'genesis_rights_registry', method: 'check_quota', args, key });
    const treasury = await f.scrip('treasury');
    const carol = await f.scrip('carol');
    const key = f.key();
    expect(await call('carol', {}, key)).toMatchObject({ ok: true, result: { principal: 'carol' } });
    expect(await f.scrip('treasury')).toBe(treasury + 2);
    expect(await f.scrip('carol')).toBe(carol - 2);
    const fee = await f.pool.query(`SELECT debit_principal, credit_principal, amount::int, kind, reference FROM journal WHERE id = $1`, [`${key}:fee`]);
    expect(fee.rows).toEqual([{ debit_principal: 'carol', credit_principal: 'treasury', amount: 2, kind: 'fee', reference: 'genesis_rights_registry.check_quota' }]);
    // A failing call pays no fee.
    expect(await call('carol', { principal: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('carol', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await f.scrip('treasury')).toBe(treasury + 2);
    expect(await f.scrip('carol')).toBe(carol - 2);
    // A caller who cannot pay the fee is refused.
    await f.principal('pauper', { scrip: 1, compute: 100 });
    expect(await call('pauper', {})).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' }, compute_charged: 1 });
    expect(await f.scrip('pauper')).toBe(1);
  });
});

describe('genesis_store', () => {
  it('create: an artifact owned by the caller, sized in bytes, with an artifact_created event', async () => {
    const seq = await lastSeq();
    const content = { title: 'notes', items: [1, 2, 3] };
    const r = await f.ok('alice', 'genesis_store', 'create', { id: 'notes', type: 'document', content });
    const size = Buffer.byteLength(JSON.stringify(content));
    expect(r).toEqual({ id: 'notes', created: true, size_bytes: size, owner_id: 'alice', changed: ['type', 'content'] });
    const ev = await eventsSince(f.pool, seq);
    expect(ev.map((e) => [e.type, e.actor_id, e.subject_id, e.data])).toEqual([
      ['artifact_created', 'alice', 'notes', { type: 'document', size_bytes: size, has_standing: false, can_execute: false }],
    ]);
  });

  it('read: every public field', async () => {
    const r = await f.ok('bob', 'genesis_store', 'read', { id: 'notes' });
    expect(r).toEqual({
      id: 'notes',
      type: 'document',
      content: { title: 'notes', items: [1, 2, 3] },
      code: null,
      owner_id: 'alice',
      access_contract_id: 'genesis_owner_only',
      has_standing: false,
      can_execute: false,
      price: 0,
      size_bytes: 33,
      genesis: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });

  it('write: updates an artifact one may write, with an artifact_updated event', async () => {
    const seq = await lastSeq();
    const code = 'export function run(a) { return a }';
    const r = await f.ok('alice', 'genesis_store', 'write', { id: 'notes', type: 'document', content: { title: 'v2' }, code, price: 3, can_execute: true });
    expect(r).toEqual({ id: 'notes', created: false, size_bytes: 14 + code.length, owner_id: 'alice', changed: ['content', 'code', 'price', 'can_execute'] });
    expect(await f.ok('bob', 'genesis_store', 'read', { id: 'notes' })).toMatchObject({ content: { title: 'v2' }, code, price: 3, can_execute: true, size_bytes: 14 + code.length });
    const ev = await eventsSince(f.pool, seq);
    expect(ev.map((e) => [e.type, e.subject_id, e.data])).toEqual([['artifact_updated', 'notes', { size_bytes: 14 + code.length, changed: ['content', 'code', 'price', 'can_execute'] }]]);
    // write also creates when the id is free.
    expect(await f.ok('alice', 'genesis_store', 'write', { id: 'fresh', type: 'document' })).toEqual({ id: 'fresh', created: true, size_bytes: 2, owner_id: 'alice', changed: ['type'] });
  });

  it('describe: metadata always, content only when readable', async () => {
    await f.ok('alice', 'genesis_store', 'create', { id: 'hidden', type: 'document', content: { pin: 42 }, access_contract_id: 'genesis_private' });
    const mine = await f.ok('alice', 'genesis_store', 'describe', { id: 'hidden' });
    expect(mine).toMatchObject({ id: 'hidden', owner_id: 'alice', access_contract_id: 'genesis_private', content: { pin: 42 }, has_code: false });
    const theirs = await f.ok('bob', 'genesis_store', 'describe', { id: 'hidden' });
    expect(theirs).toMatchObject({ id: 'hidden', owner_id: 'alice', size_bytes: 10, has_code: false });
    expect(theirs).not.toHaveProperty('content');
    expect(theirs).not.toHaveProperty('code');
    expect(await f.ok('bob', 'genesis_store', 'describe', { id: 'notes' })).toMatchObject({ content: { title: 'v2' }, has_code: true });
    expect(await f.ok('bob', 'genesis_store', 'describe', { id: 'genesis_ledger' })).toMatchObject({ genesis: true, type: 'genesis_service' });
  });

  it('list: filters by owner and type and pages with a cursor', async () => {
    for (const id of ['p_a', 'p_b', 'p_c', 'p_d', 'p_e']) await f.ok('bob', 'genesis_store', 'create', { id, type: 'page' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const r = await f.ok('carol', 'genesis_store', 'list', { type: 'page', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...r.items.map((i: { id: string }) => i.id));
      pages++;
      if (!r.next_cursor) break;
      expect(r.items).toHaveLength(2);
      expect(r.next_cursor).toBe(r.items[1].id);
      cursor = r.next_cursor;
    }
    expect(seen).toEqual(['p_a', 'p_b', 'p_c', 'p_d', 'p_e']);
    expect(pages).toBe(3);
    const byOwner = await f.ok('carol', 'genesis_store', 'list', { owner: 'bob' });
    expect(byOwner.items.map((i: { id: string }) => i.id)).toEqual(['bob', 'p_a', 'p_b', 'p_c', 'p_d', 'p_e']);
    expect(byOwner.next_cursor).toBeNull();
    expect(byOwner.items[1]).not.toHaveProperty('content');
    const none = await f.ok('carol', 'genesis_store', 'list', { owner: 'bob', type: 'document' });
    expect(none).toEqual({ items: [], next_cursor: null });
  });

  it('delete: reclaims the disk quota', async () => {
    await f.principal('disky', { scrip: 0, compute: 1000, quotas: { disk_bytes: 200 } });
    // The principal's own artifact ({}) takes 2 bytes.
    const blob = (n: number) => ({ b: 'x'.repeat(n - 8) }); // {"b":"..."} is n bytes
    expect((await f.ok('disky', 'genesis_store', 'create', { id: 'd1', type: 't', content: blob(150) })).size_bytes).toBe(150);
    await f.fails('QUOTA_EXCEEDED', 'disky', 'genesis_store', 'create', { id: 'd2', type: 't', content: blob(49) });
    expect((await f.ok('disky', 'genesis_store', 'create', { id: 'd2', type: 't', content: blob(48) })).size_bytes).toBe(48);
    const seq = await lastSeq();
    expect(await f.ok('disky', 'genesis_store', 'delete', { id: 'd1' })).toEqual({ id: 'd1', reclaimed_bytes: 150 });
    expect(await eventsSince(f.pool, seq)).toMatchObject([{ type: 'artifact_deleted', actor_id: 'disky', subject_id: 'd1', data: { reclaimed_bytes: 150, owner_id: 'disky' } }]);
    await f.fails('NOT_FOUND', 'disky', 'genesis_store', 'read', { id: 'd1' });
    expect((await f.ok('disky', 'genesis_store', 'create', { id: 'd3', type: 't', content: blob(150) })).size_bytes).toBe(150);
    await f.fails('QUOTA_EXCEEDED', 'disky', 'genesis_store', 'write', { id: 'd2', type: 't', content: blob(49) });
  });

  it('transfer_ownership: moves an artifact, its control and its disk charge', async () => {
    const seq = await lastSeq();
    expect(await f.ok('alice', 'genesis_store', 'transfer_ownership', { id: 'fresh', to: 'bob' })).toEqual({ id: 'fresh', from: 'alice', to: 'bob' });
    expect(await eventsSince(f.pool, seq)).toMatchObject([{ type: 'ownership_transferred', actor_id: 'alice', subject_id: 'fresh', data: { from: 'alice', to: 'bob' } }]);
    await f.fails('FORBIDDEN', 'alice', 'genesis_store', 'write', { id: 'fresh', type: 'document', content: { by: 'alice' } });
    await f.ok('bob', 'genesis_store', 'write', { id: 'fresh', type: 'document', content: { by: 'bob' } });
    // The recipient needs room on its disk quota.
    await f.ok('alice', 'genesis_store', 'create', { id: 'bulky', type: 't', content: { b: 'x'.repeat(300) } });
    await f.fails('QUOTA_EXCEEDED', 'alice', 'genesis_store', 'transfer_ownership', { id: 'bulky', to: 'disky' });
    expect((await f.ok('bob', 'genesis_store', 'read', { id: 'bulky' })).owner_id).toBe('alice');
  });

  describe('access contracts', () => {
    beforeAll(async () => {
      await f.ok('alice', 'genesis_store', 'create', { id: 'ac_owner', type: 't', content: { v: 1 } });
      await f.ok('alice', 'genesis_store', 'create', { id: 'ac_private', type: 't', content: { v: 1 }, access_contract_id: 'genesis_private' });
      await f.ok('alice', 'genesis_store', 'create', { id: 'ac_public', type: 't', content: { v: 1 }, access_contract_id: 'genesis_public' });
      await f.ok('alice', 'genesis_store', 'create', { id: 'kid', type: 'agent', has_standing: true, can_execute: true, content: { model: 'gpt-4o-mini' } });
    });

    it('genesis_owner_only: others may read, not write, delete or transfer; the owner may do all', async () => {
      expect((await f.ok('bob', 'genesis_store', 'read', { id: 'ac_owner' })).content).toEqual({ v: 1 });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'ac_owner', type: 't', content: { v: 2 } });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'delete', { id: 'ac_owner' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'transfer_ownership', { id: 'ac_owner', to: 'bob' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_escrow', 'deposit', { artifact_id: 'ac_owner', price: 1 });
      await f.ok('alice', 'genesis_store', 'write', { id: 'ac_owner', type: 't', content: { v: 2 } });
      expect((await f.ok('alice', 'genesis_store', 'read', { id: 'ac_owner' })).content).toEqual({ v: 2 });
    });

    it('genesis_private: others may not even read; the owner may', async () => {
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'read', { id: 'ac_private' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'ac_private', type: 't' });
      expect((await f.ok('alice', 'genesis_store', 'read', { id: 'ac_private' })).content).toEqual({ v: 1 });
    });

    it('genesis_public: anyone may read and write (the owner\'s disk pays); only the owner may delete, transfer or re-contract it', async () => {
      await f.ok('bob', 'genesis_store', 'write', { id: 'ac_public', type: 't', content: { v: 'bob was here' } });
      const r = await f.ok('carol', 'genesis_store', 'read', { id: 'ac_public' });
      expect(r).toMatchObject({ owner_id: 'alice', content: { v: 'bob was here' }, size_bytes: 20 });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'delete', { id: 'ac_public' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'transfer_ownership', { id: 'ac_public', to: 'bob' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'ac_public', type: 't', access_contract_id: 'genesis_owner_only' });
      await f.ok('alice', 'genesis_store', 'write', { id: 'ac_public', type: 't', access_contract_id: 'genesis_owner_only' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'ac_public', type: 't' });
    });

    it('genesis_self_owned: an agent made by another controls itself; its creator does not', async () => {
      const kid = await f.ok('bob', 'genesis_store', 'read', { id: 'kid' });
      expect(kid).toMatchObject({ owner_id: 'alice', access_contract_id: 'genesis_self_owned', has_standing: true, can_execute: true });
      expect(await f.ok('alice', 'genesis_ledger', 'balance', { principal: 'kid' })).toMatchObject({ scrip: 0, compute: 0 });
      await f.fails('FORBIDDEN', 'alice', 'genesis_store', 'write', { id: 'kid', type: 'agent', content: { model: 'hijacked' } });
      await f.fails('FORBIDDEN', 'alice', 'genesis_ledger', 'transfer', { from: 'kid', to: 'alice', amount: 1 });
      await f.ok('alice', 'genesis_ledger', 'transfer_compute', { to: 'kid', amount: 10 });
      await f.ok('kid', 'genesis_store', 'write', { id: 'kid', type: 'agent', content: { model: 'gpt-4.1-mini' } });
      expect((await f.ok('bob', 'genesis_store', 'read', { id: 'kid' })).content).toEqual({ model: 'gpt-4.1-mini' });
    });

    it('genesis artifacts are readable and never writable', async () => {
      expect((await f.ok('bob', 'genesis_store', 'read', { id: 'genesis_ledger' })).content.methods).toEqual(
        expect.arrayContaining([{ method: 'transfer', description: expect.any(String) }]),
      );
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'genesis_ledger', type: 'genesis_service' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'genesis_public', type: 'access_contract', content: {} });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'delete', { id: 'treasury' });
      await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'transfer_ownership', { id: 'genesis_store', to: 'bob' });
    });

    it('a custom (executable) contract needs the sandbox: SANDBOX_UNAVAILABLE, even for the owner', async () => {
      await f.ok('alice', 'genesis_store', 'create', { id: 'guard', type: 'contract', code: 'export function check() { return true }', can_execute: true });
      await f.ok('alice', 'genesis_store', 'create', { id: 'guarded', type: 't', content: { v: 1 }, access_contract_id: 'guard' });
      await f.fails('SANDBOX_UNAVAILABLE', 'bob', 'genesis_store', 'read', { id: 'guarded' });
      await f.fails('SANDBOX_UNAVAILABLE', 'alice', 'genesis_store', 'read', { id: 'guarded' });
      await f.fails('SANDBOX_UNAVAILABLE', 'alice', 'genesis_store', 'write', { id: 'guarded', type: 't', content: { v: 2 } });
      const d = await f.ok('bob', 'genesis_store', 'describe', { id: 'guarded' });
      expect(d).toMatchObject({ id: 'guarded', access_contract_id: 'guard' });
      expect(d).not.toHaveProperty('content');
      // A contract in use cannot be deleted.
      await f.fails('CONFLICT', 'alice', 'genesis_store', 'delete', { id: 'guard' });
    });
  });
});

describe('genesis_escrow', () => {
  beforeAll(async () => {
    for (const id of ['lamp', 'rug', 'vase']) await f.ok('alice', 'genesis_store', 'create', { id, type: 'good', content: { id } });
  });

  it('deposit, check, list_active, purchase: scrip to the seller, the artifact to the buyer', async () => {
    let seq = await lastSeq();
    const listing = await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'lamp', price: 40 });
    expect(listing).toEqual({
      listing_id: expect.any(Number),
      artifact_id: 'lamp',
      seller: 'alice',
      price: 40,
      buyer: null,
      status: 'open',
      purchaser: null,
      opened_at: expect.any(String),
      closed_at: null,
    });
    expect((await f.ok('bob', 'genesis_store', 'read', { id: 'lamp' })).owner_id).toBe('genesis_escrow');
    expect(await eventsSince(f.pool, seq)).toMatchObject([{ type: 'listing_opened', actor_id: 'alice', subject_id: 'lamp', data: { listing_id: listing.listing_id, seller: 'alice', price: 40, buyer: null } }]);
    expect(await f.ok('bob', 'genesis_escrow', 'check', { artifact_id: 'lamp' })).toEqual(listing);
    expect((await f.ok('bob', 'genesis_escrow', 'list_active')).map((l: { artifact_id: string }) => l.artifact_id)).toEqual(['lamp']);

    seq = await lastSeq();
    const a = await f.scrip('alice');
    const b = await f.scrip('bob');
    const key = f.key();
    const bought = await f.ok('bob', 'genesis_escrow', 'purchase', { artifact_id: 'lamp' }, key);
    expect(bought).toMatchObject({ listing_id: listing.listing_id, artifact_id: 'lamp', seller: 'alice', price: 40, status: 'sold', purchaser: 'bob', transfer_id: key });
    expect(await f.scrip('alice')).toBe(a + 40);
    expect(await f.scrip('bob')).toBe(b - 40);
    expect((await f.ok('bob', 'genesis_store', 'read', { id: 'lamp' })).owner_id).toBe('bob');
    expect((await eventsSince(f.pool, seq)).map((e) => e.type)).toEqual(['transfer', 'ownership_transferred', 'purchase', 'listing_closed']);
    expect((await eventsSince(f.pool, seq, ['purchase']))[0].data).toEqual({ listing_id: listing.listing_id, seller: 'alice', buyer: 'bob', price: 40 });
    expect(await f.ok('carol', 'genesis_escrow', 'check', { artifact_id: 'lamp' })).toMatchObject({ status: 'sold', purchaser: 'bob', closed_at: expect.any(String) });
    expect(await f.ok('bob', 'genesis_escrow', 'list_active')).toEqual([]);
    await f.fails('NOT_FOUND', 'carol', 'genesis_escrow', 'purchase', { artifact_id: 'lamp' });
  });

  it('cancel: the artifact returns to the seller', async () => {
    await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'rug', price: 10 });
    const seq = await lastSeq();
    const r = await f.ok('alice', 'genesis_escrow', 'cancel', { artifact_id: 'rug' });
    expect(r).toMatchObject({ artifact_id: 'rug', seller: 'alice', status: 'cancelled', purchaser: null });
    expect((await f.ok('bob', 'genesis_store', 'read', { id: 'rug' })).owner_id).toBe('alice');
    expect(await eventsSince(f.pool, seq)).toMatchObject([{ type: 'listing_closed', subject_id: 'rug', data: { status: 'cancelled' } }]);
    await f.fails('NOT_FOUND', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'rug' });
    // It can be listed again.
    await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'rug', price: 12 });
    expect(await f.ok('bob', 'genesis_escrow', 'check', { artifact_id: 'rug' })).toMatchObject({ status: 'open', price: 12 });
    await f.ok('alice', 'genesis_escrow', 'cancel', { artifact_id: 'rug' });
  });

  it('a listing reserved for one buyer: others are refused, that buyer may buy', async () => {
    await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'vase', price: 25, buyer: 'carol' });
    await f.fails('FORBIDDEN', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'vase' });
    const c = await f.scrip('carol');
    expect(await f.ok('carol', 'genesis_escrow', 'purchase', { artifact_id: 'vase' })).toMatchObject({ buyer: 'carol', purchaser: 'carol', status: 'sold' });
    expect(await f.scrip('carol')).toBe(c - 25);
    expect((await f.ok('bob', 'genesis_store', 'read', { id: 'vase' })).owner_id).toBe('carol');
  });

  it('a buyer resells what it bought', async () => {
    await f.ok('bob', 'genesis_escrow', 'deposit', { artifact_id: 'lamp', price: 60 });
    await f.ok('carol', 'genesis_escrow', 'purchase', { artifact_id: 'lamp' });
    expect((await f.ok('bob', 'genesis_store', 'read', { id: 'lamp' })).owner_id).toBe('carol');
    const history = await f.pool.query(`SELECT seller_id, purchaser_id, status FROM escrow_listings WHERE artifact_id = 'lamp' ORDER BY id`);
    expect(history.rows).toEqual([
      { seller_id: 'alice', purchaser_id: 'bob', status: 'sold' },
      { seller_id: 'bob', purchaser_id: 'carol', status: 'sold' },
    ]);
  });
});

describe('genesis_rights_registry', () => {
  it('check_quota and all_quotas', async () => {
    const mine = await f.ok('bob', 'genesis_rights_registry', 'check_quota');
    expect(mine).toEqual({ principal: 'bob', ...f.config.quotas.operatorPrincipal, ...NO_ACCRUAL });
    expect(await f.ok('bob', 'genesis_rights_registry', 'check_quota', { principal: 'disky' })).toMatchObject({ principal: 'disky', disk_bytes: 200 });
    const all: Array<Record<string, unknown>> = await f.ok('bob', 'genesis_rights_registry', 'all_quotas');
    expect(all.find((q) => q.principal_id === 'carol')).toEqual({ principal_id: 'carol', ...f.config.quotas.operatorPrincipal, ...NO_ACCRUAL });
    expect(all.find((q) => q.principal_id === 'frozen')).toEqual({ principal_id: 'frozen', ...f.config.quotas.createdPrincipal });
  });

  it('transfer_quota: moves a right, with a quota_transferred event', async () => {
    const seq = await lastSeq();
    const r = await f.ok('alice', 'genesis_rights_registry', 'transfer_quota', { to: 'disky', resource: 'disk_bytes', amount: 308 });
    expect(r).toEqual({ from: 'alice', to: 'disky', resource: 'disk_bytes', amount: 308, from_amount: 1_048_576 - 308, to_amount: 508 });
    expect(await eventsSince(f.pool, seq)).toMatchObject([{ type: 'quota_transferred', actor_id: 'alice', subject_id: 'disky', data: { resource: 'disk_bytes', amount: 308 } }]);
    // The new right is usable at once: disky (200 bytes used) now has room for bulky's 308, to the byte.
    await f.ok('alice', 'genesis_store', 'transfer_ownership', { id: 'bulky', to: 'disky' });
    await f.fails('QUOTA_EXCEEDED', 'disky', 'genesis_store', 'create', { id: 'one_more', type: 't' });
  });

  it('transfer_quota of compute_rate settles both buckets at the old rates first', async () => {
    await f.principal('giver', { compute: 0, quotas: { compute_rate: 10, compute_capacity: 100 } });
    await f.principal('taker', { compute: 0, quotas: { compute_rate: 0, compute_capacity: 100 } });
    // Both buckets were last settled 20 s ago: the giver has accrued (to its capacity of) 100 by now.
    await f.pool.query(`UPDATE buckets SET balance = 0, updated_at = now() - interval '20 seconds' WHERE principal_id IN ('giver', 'taker') AND resource = 'compute'`);
    const t0 = (await f.pool.query<{ t: string }>(`SELECT now()::text AS t`)).rows[0].t;
    await f.ok('giver', 'genesis_rights_registry', 'transfer_quota', { to: 'taker', resource: 'compute_rate', amount: 10 });
    // The giver keeps what it earned at the old rate (100), less this call's cost; with no rate left it stays there.
    expect(await f.bucket('giver')).toMatchObject({ available: 99, rate: 0 });
    // The taker does not earn the new rate backwards over the last 20 s: its clock was reset first.
    const taker = await f.pool.query(`SELECT balance::int, updated_at >= $1::timestamptz AS settled FROM buckets WHERE principal_id = 'taker' AND resource = 'compute'`, [t0]);
    expect(taker.rows[0]).toEqual({ balance: 0, settled: true });
    expect((await f.bucket('taker')).rate).toBe(10);
  });
});

describe('genesis_event_log', () => {
  it('read: ordered, paged with after and limit, filtered by types', async () => {
    const first = await f.ok('bob', 'genesis_event_log', 'read', { limit: 3 });
    expect(first).toHaveLength(3);
    expect(first[0]).toEqual({ seq: expect.any(Number), type: expect.any(String), actor: null, subject: expect.any(String), data: expect.any(Object), at: expect.any(String) });
    const next = await f.ok('bob', 'genesis_event_log', 'read', { after: first[2].seq, limit: 3 });
    expect(next[0].seq).toBeGreaterThan(first[2].seq);
    const all = await f.pool.query(`SELECT seq::int FROM events ORDER BY seq LIMIT 6`);
    expect([...first, ...next].map((e: { seq: number }) => e.seq)).toEqual(all.rows.map((r) => r.seq));
    const purchases = await f.ok('bob', 'genesis_event_log', 'read', { types: ['purchase', 'listing_opened'], limit: 100 });
    expect(new Set(purchases.map((e: { type: string }) => e.type))).toEqual(new Set(['purchase', 'listing_opened']));
    const count = await f.pool.query(`SELECT count(*)::int AS n FROM events WHERE type IN ('purchase', 'listing_opened')`);
    expect(purchases).toHaveLength(count.rows[0].n);
    expect(await f.ok('bob', 'genesis_event_log', 'read', { after: 1_000_000_000 })).toEqual([]);
  });

  it('read: the limit is capped by configuration', async () => {
    const r = await f.ok('bob', 'genesis_event_log', 'read', { limit: 1_000_000 });
    const total = (await f.pool.query(`SELECT count(*)::int AS n FROM events`)).rows[0].n;
    expect(r).toHaveLength(Math.min(total, f.config.limits.maxListLimit));
  });
});

describe('genesis_debt', () => {
  let debt: string;
  beforeAll(async () => {
    await f.principal('dave', { scrip: 50, compute: 10_000 });
    await f.principal('erin', { scrip: 400, compute: 10_000 });
  });

  it('offer: the debtor makes a contract naming the creditor', async () => {
    const seq = await lastSeq();
    const due = inDays(30);
    const key = f.key();
    const r = await f.ok('dave', 'genesis_debt', 'offer', { creditor: 'alice', amount: 100, due }, key);
    debt = r.debt_id;
    expect(r).toEqual({
      debt_id: expect.stringMatching(/^debt_[0-9a-f]{24}$/),
      holder: 'dave',
      debtor: 'dave',
      original_creditor: 'alice',
      amount: 100,
      repaid: 0,
      outstanding: 100,
      due,
      status: 'offered',
      overdue: false,
    });
    expect(await f.ok('alice', 'genesis_store', 'read', { id: debt })).toMatchObject({ type: 'debt', owner_id: 'dave', content: { debtor: 'dave', amount: 100, status: 'offered' } });
    expect(await eventsSince(f.pool, seq)).toMatchObject([{ type: 'debt_offered', actor_id: 'dave', subject_id: 'alice', data: { debt_id: debt, amount: 100, due } }]);
    // A retried offer (same key) is the same contract.
    expect(await f.call('dave', 'genesis_debt', 'offer', { creditor: 'alice', amount: 100, due }, key)).toMatchObject({ ok: true, replayed: true, result: { debt_id: debt } });
  });

  it('offer: any date JavaScript reads is stored as the same instant PostgreSQL keeps', async () => {
    const year = new Date().getUTCFullYear() + 3;
    for (const [due, iso] of [
      [`${year}`, `${year}-01-01T00:00:00.000Z`],
      [`${year}-06`, `${year}-06-01T00:00:00.000Z`],
      [`${year}-06-15T12:00:00+02:00`, `${year}-06-15T10:00:00.000Z`],
    ]) {
      const r = await f.ok('dave', 'genesis_debt', 'offer', { creditor: 'carol', amount: 1, due });
      expect(r.due).toBe(iso);
      const row = await f.pool.query(`SELECT due FROM debts WHERE id = $1`, [r.debt_id]);
      expect((row.rows[0].due as Date).toISOString()).toBe(iso);
      expect((await f.ok('carol', 'genesis_store', 'read', { id: r.debt_id })).content.due).toBe(iso);
    }
  });

  it('accept: the creditor pays the debtor and receives the contract', async () => {
    const seq = await lastSeq();
    const r = await f.ok('alice', 'genesis_debt', 'accept', { debt_id: debt });
    expect(r).toMatchObject({ debt_id: debt, holder: 'alice', status: 'active', outstanding: 100 });
    expect(await f.scrip('dave')).toBe(150);
    expect((await eventsSince(f.pool, seq)).map((e) => e.type)).toEqual(['transfer', 'debt_accepted']);
    const loan = await f.pool.query(`SELECT debit_principal, credit_principal, amount::int, kind, reference FROM journal WHERE reference = $1`, [debt]);
    expect(loan.rows).toEqual([{ debit_principal: 'alice', credit_principal: 'dave', amount: 100, kind: 'loan', reference: debt }]);
    await f.fails('CONFLICT', 'alice', 'genesis_debt', 'accept', { debt_id: debt });
  });

  it('the holder may trade the contract but never edit or delete it', async () => {
    await f.fails('FORBIDDEN', 'alice', 'genesis_store', 'write', { id: debt, type: 'debt', content: { amount: 1000 } });
    await f.fails('FORBIDDEN', 'alice', 'genesis_store', 'delete', { id: debt });
    expect((await f.ok('alice', 'genesis_store', 'read', { id: debt })).content).toMatchObject({ amount: 100, outstanding: 100 });
  });

  it('repay goes to the CURRENT holder after the contract was sold through escrow', async () => {
    await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: debt, price: 80 });
    await f.ok('erin', 'genesis_escrow', 'purchase', { artifact_id: debt });
    expect(await f.ok('dave', 'genesis_debt', 'check', { debt_id: debt })).toMatchObject({ holder: 'erin', outstanding: 100 });
    const alice = await f.scrip('alice');
    const erin = await f.scrip('erin');
    const seq = await lastSeq();
    const r = await f.ok('dave', 'genesis_debt', 'repay', { debt_id: debt, amount: 30 });
    expect(r).toMatchObject({ holder: 'erin', repaid: 30, outstanding: 70, status: 'active' });
    expect(await f.scrip('erin')).toBe(erin + 30);
    expect(await f.scrip('alice')).toBe(alice);
    expect(await f.scrip('dave')).toBe(120);
    expect(await eventsSince(f.pool, seq)).toMatchObject([
      { type: 'transfer', data: { from: 'dave', to: 'erin', amount: 30, kind: 'repayment', reference: debt } },
      { type: 'debt_repaid', actor_id: 'dave', subject_id: 'erin', data: { debt_id: debt, amount: 30, outstanding: 70 } },
    ]);
    expect((await f.ok('erin', 'genesis_store', 'read', { id: debt })).content).toMatchObject({ repaid: 30, outstanding: 70 });
  });

  it('repay while the contract is listed goes to the seller, not the escrow', async () => {
    await f.ok('erin', 'genesis_escrow', 'deposit', { artifact_id: debt, price: 50 });
    expect(await f.ok('dave', 'genesis_debt', 'check', { debt_id: debt })).toMatchObject({ holder: 'erin' });
    const erin = await f.scrip('erin');
    const r = await f.ok('dave', 'genesis_debt', 'repay', { debt_id: debt, amount: 20 });
    expect(r).toMatchObject({ holder: 'erin', outstanding: 50 });
    expect(await f.scrip('erin')).toBe(erin + 20);
    expect(await f.scrip('genesis_escrow')).toBe(0);
    await f.ok('erin', 'genesis_escrow', 'cancel', { artifact_id: debt });
  });

  it('repay in full closes the debt; more is refused; check shows the terms', async () => {
    await f.fails('INVALID_ARGUMENT', 'dave', 'genesis_debt', 'repay', { debt_id: debt, amount: 51 });
    const r = await f.ok('dave', 'genesis_debt', 'repay', { debt_id: debt, amount: 50 });
    expect(r).toMatchObject({ status: 'repaid', repaid: 100, outstanding: 0 });
    await f.fails('CONFLICT', 'dave', 'genesis_debt', 'repay', { debt_id: debt, amount: 1 });
    expect(await f.ok('carol', 'genesis_debt', 'check', { debt_id: debt })).toEqual({
      debt_id: debt,
      holder: 'erin',
      debtor: 'dave',
      original_creditor: 'alice',
      amount: 100,
      repaid: 100,
      outstanding: 0,
      due: expect.any(String),
      status: 'repaid',
      overdue: false,
    });
    const repayments = await f.pool.query(`SELECT credit_principal, sum(amount)::int AS s FROM journal WHERE reference = $1 AND kind = 'repayment' GROUP BY 1`, [debt]);
    expect(repayments.rows).toEqual([{ credit_principal: 'erin', s: 100 }]);
  });
});

describe('the event log covers every state change', () => {
  it('every kind of change emitted its typed event', async () => {
    const types = (await f.pool.query(`SELECT DISTINCT type FROM events`)).rows.map((r) => r.type);
    expect(types.sort()).toEqual(
      expect.arrayContaining([
        'artifact_created',
        'artifact_deleted',
        'artifact_updated',
        'compute_transferred',
        'debt_accepted',
        'debt_offered',
        'debt_repaid',
        'listing_closed',
        'listing_opened',
        'ownership_transferred',
        'principal_created',
        'purchase',
        'quota_transferred',
        'transfer',
      ]),
    );
  });

  it('every journal row has its transfer event, every artifact its creation event (debt_offered for a debt contract), every listing its events', async () => {
    const missingTransfers = await f.pool.query(
      `SELECT j.id FROM journal j WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'transfer' AND e.data->>'transfer_id' = j.id)`,
    );
    expect(missingTransfers.rows).toEqual([]);
    const missingArtifacts = await f.pool.query(
      `SELECT a.id FROM artifacts a WHERE NOT a.genesis
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.type IN ('artifact_created', 'principal_created') AND e.subject_id = a.id)
         AND NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'debt_offered' AND e.data->>'debt_id' = a.id)`,
    );
    expect(missingArtifacts.rows).toEqual([]);
    const listings = await f.pool.query(
      `SELECT l.id FROM escrow_listings l WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'listing_opened' AND (e.data->>'listing_id')::bigint = l.id)
         OR (l.status <> 'open' AND NOT EXISTS (SELECT 1 FROM events e WHERE e.type = 'listing_closed' AND (e.data->>'listing_id')::bigint = l.id))`,
    );
    expect(listings.rows).toEqual([]);
  });
});
