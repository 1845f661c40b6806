/**
 * Every bad input of issue 2, through dispatch(): each gets a clear typed error, changes nothing
 * (balances, artifacts, quotas, listings, debts, events), costs the caller exactly the compute the
 * outcome reports, and the audit still passes.
 */
import { createHash } from 'node:crypto';
import { eventsSince, inDays, setupFoundation, type Foundation } from '../support/harness';

let f: Foundation;
/** The offer's contract id derives from its idempotency key, so the cases below can name it up front. */
const OFFER_KEY = 'offer:bob:alice';
const DEBT = `debt_${createHash('sha256').update(OFFER_KEY).digest('hex').slice(0, 24)}`;

beforeAll(async () => {
  f = await setupFoundation({ quotas: { operatorPrincipal: { compute_rate: 0 } } });
  await f.principal('alice', { scrip: 1000, compute: 100_000 });
  await f.principal('bob', { scrip: 100, compute: 100_000 });
  await f.principal('carol', { scrip: 10, compute: 100_000 });
  await f.principal('tiny', { scrip: 10, compute: 100_000, quotas: { disk_bytes: 100 } });
  await f.ok('alice', 'genesis_store', 'create', { id: 'doc', type: 'note', content: { text: 'hello' } });
  await f.ok('alice', 'genesis_store', 'create', { id: 'secret', type: 'note', content: { pin: 1234 }, access_contract_id: 'genesis_private' });
  await f.ok('alice', 'genesis_store', 'create', { id: 'tool', type: 'tool', code: 'export function run() { return 1 }', can_execute: true });
  await f.ok('tiny', 'genesis_store', 'create', { id: 'tinydoc', type: 'note', content: { a: 'x'.repeat(40) } });
  for (const id of ['ware', 'reserved', 'gem']) await f.ok('alice', 'genesis_store', 'create', { id, type: 'good', content: { id } });
  await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'ware', price: 50 });
  await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'reserved', price: 5, buyer: 'carol' });
  await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'gem', price: 500 });
  await f.ok('alice', 'genesis_store', 'create', { id: 'bulky', type: 'good', content: { pad: 'x'.repeat(80) } });
  await f.ok('alice', 'genesis_escrow', 'deposit', { artifact_id: 'bulky', price: 5 });
  expect((await f.ok('bob', 'genesis_debt', 'offer', { creditor: 'alice', amount: 40, due: inDays(7) }, OFFER_KEY)).debt_id).toBe(DEBT);
  await f.expectAuditOk();
});
afterAll(() => f.close());
afterEach(() => f.expectAuditOk());

type Case = [name: string, caller: string, artifact: string, method: string, args: unknown, code: string];

/** Runs a bad call and checks: the code, nothing changed, exactly compute_charged was spent, the audit. */
async function expectRejected([, caller, artifact, method, args, code]: Case, key?: string): Promise<void> {
  const isPrincipal =
    !caller.includes('\u0000') && (await f.pool.query(`SELECT 1 FROM buckets WHERE principal_id = $1 AND resource = 'compute'`, [caller])).rowCount === 1;
  const computeBefore = isPrincipal ? (await f.bucket(caller)).available : 0;
  const before = await f.snapshot();
  const o = await f.fails(code, caller, artifact, method, args, key);
  expect(await f.snapshot()).toEqual(before);
  if (isPrincipal) expect((await f.bucket(caller)).available).toBe(computeBefore - o.compute_charged);
  await f.expectAuditOk();
}

function run(cases: Case[]): void {
  it.each(cases)('%s', async (...c) => expectRejected(c as Case));
}

const T = (args: unknown): [string, string, string, unknown] => ['alice', 'genesis_ledger', 'transfer', args];
const deep = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 1; i < depth; i++) v = { n: v };
  return v;
};

describe('amounts', () => {
  const bad: Array<[string, unknown]> = [
    ['zero', 0],
    ['negative', -5],
    ['negative zero-ish fraction', -0.5],
    ['fractional', 1.5],
    ['non-numeric', 'abc'],
    ['numeric string', '5'],
    ['null', null],
    ['boolean', true],
    ['array', [5]],
    ['object', { n: 5 }],
    ['2^53 (beyond exact JS integers)', 2 ** 53],
    ['beyond bigint (2^63)', 2 ** 63],
    ['1e20', 1e20],
    ['huge double', Number.MAX_VALUE],
    ['a digit string beyond bigint', '99999999999999999999999'],
  ];
  run(bad.map(([name, amount]) => [`ledger.transfer amount ${name}`, ...T({ to: 'bob', amount }), 'INVALID_ARGUMENT'] as Case));
  run(bad.slice(0, 12).map(([name, amount]) => [`ledger.transfer_compute amount ${name}`, 'alice', 'genesis_ledger', 'transfer_compute', { to: 'bob', amount }, 'INVALID_ARGUMENT'] as Case));
  run(bad.slice(0, 12).map(([name, price]) => [`escrow.deposit price ${name}`, 'alice', 'genesis_escrow', 'deposit', { artifact_id: 'doc', price }, 'INVALID_ARGUMENT'] as Case));
  run(bad.slice(0, 12).map(([name, amount]) => [`debt.offer amount ${name}`, 'bob', 'genesis_debt', 'offer', { creditor: 'alice', amount, due: inDays(3) }, 'INVALID_ARGUMENT'] as Case));
  run(bad.slice(0, 12).map(([name, amount]) => [`rights.transfer_quota amount ${name}`, 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'bob', resource: 'disk_bytes', amount }, 'INVALID_ARGUMENT'] as Case));
  run([
    ['store.create price negative', 'alice', 'genesis_store', 'create', { id: 'priced', type: 't', price: -1 }, 'INVALID_ARGUMENT'],
    ['store.create price fractional', 'alice', 'genesis_store', 'create', { id: 'priced', type: 't', price: 0.5 }, 'INVALID_ARGUMENT'],
    ['store.create price 2^53', 'alice', 'genesis_store', 'create', { id: 'priced', type: 't', price: 2 ** 53 }, 'INVALID_ARGUMENT'],
    ['ledger.history limit 0', 'alice', 'genesis_ledger', 'history', { limit: 0 }, 'INVALID_ARGUMENT'],
    ['event_log.read after negative', 'alice', 'genesis_event_log', 'read', { after: -1 }, 'INVALID_ARGUMENT'],
    ['the largest exact amount is valid but more than anyone holds', ...T({ to: 'bob', amount: Number.MAX_SAFE_INTEGER }), 'INSUFFICIENT_FUNDS'],
    ['more scrip than the sender holds', ...T({ to: 'bob', amount: 1001 }), 'INSUFFICIENT_FUNDS'],
    ['more compute than the sender has', 'carol', 'genesis_ledger', 'transfer_compute', { to: 'bob', amount: 100_001 }, 'INSUFFICIENT_FUNDS'],
    ['more of a quota than held', 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'bob', resource: 'disk_bytes', amount: 1_048_577 }, 'INSUFFICIENT_FUNDS'],
  ]);

  it('amounts arriving as raw JSON text beyond bigint are refused too', async () => {
    const args = JSON.parse('{"to": "bob", "amount": 123456789012345678901234567890}');
    await expectRejected(['raw', ...T(args), 'INVALID_ARGUMENT']);
  });

  it('an insufficient-funds failure reports what was there and what was needed', async () => {
    const o = await f.fails('INSUFFICIENT_FUNDS', 'carol', 'genesis_ledger', 'transfer', { to: 'bob', amount: 11 });
    expect(o.error.details).toEqual({ balance: 10, needed: 11 });
  });
});

describe('unknown principals and artifacts', () => {
  run([
    ['transfer to an unknown principal', ...T({ to: 'nobody', amount: 1 }), 'NOT_FOUND'],
    ['transfer to an artifact without standing', ...T({ to: 'doc', amount: 1 }), 'INVALID_ARGUMENT'],
    ['transfer_compute to an unknown principal', 'alice', 'genesis_ledger', 'transfer_compute', { to: 'nobody', amount: 1 }, 'NOT_FOUND'],
    ['balance of an unknown principal', 'alice', 'genesis_ledger', 'balance', { principal: 'nobody' }, 'NOT_FOUND'],
    ['history of an unknown principal', 'alice', 'genesis_ledger', 'history', { principal: 'nobody' }, 'NOT_FOUND'],
    ['an unknown caller', 'nobody', 'genesis_ledger', 'balance', {}, 'NOT_FOUND'],
    ['a caller without standing', 'doc', 'genesis_ledger', 'balance', {}, 'INVALID_ARGUMENT'],
    ['invoking an unknown artifact', 'alice', 'missing', 'run', {}, 'NOT_FOUND'],
    ['invoking an artifact that cannot execute', 'alice', 'doc', 'run', {}, 'NOT_EXECUTABLE'],
    ['invoking agent-written code without a sandbox', 'alice', 'tool', 'run', {}, 'SANDBOX_UNAVAILABLE'],
    ['store.read of an unknown artifact', 'alice', 'genesis_store', 'read', { id: 'missing' }, 'NOT_FOUND'],
    ['store.describe of an unknown artifact', 'alice', 'genesis_store', 'describe', { id: 'missing' }, 'NOT_FOUND'],
    ['store.delete of an unknown artifact', 'alice', 'genesis_store', 'delete', { id: 'missing' }, 'NOT_FOUND'],
    ['store.transfer_ownership of an unknown artifact', 'alice', 'genesis_store', 'transfer_ownership', { id: 'missing', to: 'bob' }, 'NOT_FOUND'],
    ['store.transfer_ownership to an unknown principal', 'alice', 'genesis_store', 'transfer_ownership', { id: 'doc', to: 'nobody' }, 'NOT_FOUND'],
    ['store.transfer_ownership to an artifact without standing', 'alice', 'genesis_store', 'transfer_ownership', { id: 'doc', to: 'tool' }, 'INVALID_ARGUMENT'],
    ['store.create with an unknown access contract', 'alice', 'genesis_store', 'create', { id: 'x1', type: 't', access_contract_id: 'no_contract' }, 'NOT_FOUND'],
    ['store.create with a non-executable access contract', 'alice', 'genesis_store', 'create', { id: 'x1', type: 't', access_contract_id: 'doc' }, 'INVALID_ARGUMENT'],
    ['escrow.deposit of an unknown artifact', 'alice', 'genesis_escrow', 'deposit', { artifact_id: 'missing', price: 5 }, 'NOT_FOUND'],
    ['escrow.deposit reserved for an unknown buyer', 'alice', 'genesis_escrow', 'deposit', { artifact_id: 'doc', price: 5, buyer: 'nobody' }, 'NOT_FOUND'],
    ['escrow.purchase of an artifact never listed', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'doc' }, 'NOT_FOUND'],
    ['escrow.check of an artifact never listed', 'bob', 'genesis_escrow', 'check', { artifact_id: 'doc' }, 'NOT_FOUND'],
    ['debt.offer to an unknown creditor', 'bob', 'genesis_debt', 'offer', { creditor: 'nobody', amount: 5, due: inDays(1) }, 'NOT_FOUND'],
    ['debt.accept of an unknown debt', 'alice', 'genesis_debt', 'accept', { debt_id: 'debt_missing' }, 'NOT_FOUND'],
    ['debt.check of an unknown debt', 'alice', 'genesis_debt', 'check', { debt_id: 'debt_missing' }, 'NOT_FOUND'],
    ['rights.check_quota of an unknown principal', 'alice', 'genesis_rights_registry', 'check_quota', { principal: 'nobody' }, 'NOT_FOUND'],
    ['rights.transfer_quota to an unknown principal', 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'nobody', resource: 'disk_bytes', amount: 1 }, 'NOT_FOUND'],
  ]);
});

describe('acting for someone else, and the system accounts', () => {
  run([
    ['transfer naming another agent as `from`', ...T({ from: 'bob', to: 'alice', amount: 10 }), 'FORBIDDEN'],
    ['transfer naming another agent as `from`, to a third', ...T({ from: 'bob', to: 'carol', amount: 10 }), 'FORBIDDEN'],
    ['transfer_compute naming another agent as `from`', 'alice', 'genesis_ledger', 'transfer_compute', { from: 'bob', to: 'alice', amount: 10 }, 'FORBIDDEN'],
    ['transfer from the mint', ...T({ from: 'mint', to: 'alice', amount: 10 }), 'FORBIDDEN'],
    ['transfer from the treasury', ...T({ from: 'treasury', to: 'alice', amount: 10 }), 'FORBIDDEN'],
    ['transfer from a genesis service', ...T({ from: 'genesis_escrow', to: 'alice', amount: 10 }), 'FORBIDDEN'],
    ['the mint as caller', 'mint', 'genesis_ledger', 'transfer', { to: 'alice', amount: 10 }, 'FORBIDDEN'],
    ['the treasury as caller', 'treasury', 'genesis_ledger', 'transfer', { to: 'alice', amount: 10 }, 'FORBIDDEN'],
    ['a genesis service as caller', 'genesis_escrow', 'genesis_store', 'transfer_ownership', { id: 'ware', to: 'bob' }, 'FORBIDDEN'],
    ['a holding account as caller', 'hold_oracle', 'genesis_ledger', 'transfer', { to: 'alice', amount: 1 }, 'FORBIDDEN'],
    ['scrip sent to a holding account', ...T({ to: 'hold_oracle', amount: 5 }), 'FORBIDDEN'],
    ['scrip sent to a genesis service', ...T({ to: 'genesis_escrow', amount: 5 }), 'FORBIDDEN'],
    ['scrip sent to the mint', ...T({ to: 'mint', amount: 5 }), 'FORBIDDEN'],
    ['compute sent to a genesis service', 'alice', 'genesis_ledger', 'transfer_compute', { to: 'genesis_ledger', amount: 5 }, 'FORBIDDEN'],
    ['an artifact given to the escrow outside a listing', 'alice', 'genesis_store', 'transfer_ownership', { id: 'doc', to: 'genesis_escrow' }, 'FORBIDDEN'],
    ['an artifact given to a genesis service', 'alice', 'genesis_store', 'transfer_ownership', { id: 'doc', to: 'genesis_ledger' }, 'FORBIDDEN'],
    ['giving away an artifact one does not own', 'bob', 'genesis_store', 'transfer_ownership', { id: 'doc', to: 'bob' }, 'FORBIDDEN'],
    ['writing an artifact one does not own', 'bob', 'genesis_store', 'write', { id: 'doc', type: 'note', content: { text: 'mine now' } }, 'FORBIDDEN'],
    ['deleting an artifact one does not own', 'bob', 'genesis_store', 'delete', { id: 'doc' }, 'FORBIDDEN'],
    ['reading a private artifact one does not own', 'bob', 'genesis_store', 'read', { id: 'secret' }, 'FORBIDDEN'],
    ['writing a genesis artifact', 'alice', 'genesis_store', 'write', { id: 'genesis_ledger', type: 'x', content: {} }, 'FORBIDDEN'],
    ['deleting a genesis artifact', 'alice', 'genesis_store', 'delete', { id: 'genesis_public' }, 'FORBIDDEN'],
    ['creating an id in the genesis_ namespace', 'alice', 'genesis_store', 'create', { id: 'genesis_fake', type: 't' }, 'FORBIDDEN'],
    ['deleting a principal (oneself)', 'alice', 'genesis_store', 'delete', { id: 'alice' }, 'FORBIDDEN'],
    ['listing an artifact one does not own', 'bob', 'genesis_escrow', 'deposit', { artifact_id: 'doc', price: 5 }, 'FORBIDDEN'],
    ['listing another principal', 'bob', 'genesis_escrow', 'deposit', { artifact_id: 'alice', price: 5 }, 'FORBIDDEN'],
    ['listing a genesis artifact', 'alice', 'genesis_escrow', 'deposit', { artifact_id: 'genesis_ledger', price: 5 }, 'FORBIDDEN'],
    ['writing an artifact while it is listed (the escrow holds it)', 'alice', 'genesis_store', 'write', { id: 'ware', type: 'good', content: { id: 'changed' } }, 'FORBIDDEN'],
  ]);
});

describe('self-transfers', () => {
  run([
    ['scrip to oneself', ...T({ to: 'alice', amount: 1 }), 'INVALID_ARGUMENT'],
    ['scrip to oneself named as `from` too', ...T({ from: 'alice', to: 'alice', amount: 1 }), 'INVALID_ARGUMENT'],
    ['compute to oneself', 'alice', 'genesis_ledger', 'transfer_compute', { to: 'alice', amount: 1 }, 'INVALID_ARGUMENT'],
    ['a quota to oneself', 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'alice', resource: 'disk_bytes', amount: 1 }, 'INVALID_ARGUMENT'],
    ['an artifact to its owner', 'alice', 'genesis_store', 'transfer_ownership', { id: 'doc', to: 'alice' }, 'INVALID_ARGUMENT'],
    ['a loan from oneself', 'bob', 'genesis_debt', 'offer', { creditor: 'bob', amount: 5, due: inDays(1) }, 'INVALID_ARGUMENT'],
    ['a listing reserved for its seller', 'alice', 'genesis_escrow', 'deposit', { artifact_id: 'doc', price: 5, buyer: 'alice' }, 'INVALID_ARGUMENT'],
  ]);
});

describe('ids', () => {
  const badIds: Array<[string, string]> = [
    ['129 characters', 'a'.repeat(129)],
    ['empty', ''],
    ['a space', 'has space'],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['unicode', 'ünïcødé'],
    ['an emoji', 'agent😀'],
    ['a quote', "o'brien"],
    ['SQL', "x'; DROP TABLE journal; --"],
    ['a dollar placeholder', '$1'],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000b'],
  ];
  run(badIds.map(([name, id]) => [`store.create id with ${name}`, 'alice', 'genesis_store', 'create', { id, type: 't' }, 'INVALID_ARGUMENT'] as Case));
  run(badIds.map(([name, id]) => [`transfer to an id with ${name}`, ...T({ to: id, amount: 1 }), 'INVALID_ARGUMENT'] as Case));
  run(badIds.map(([name, id]) => [`caller id with ${name}`, id, 'genesis_ledger', 'balance', {}, 'INVALID_ARGUMENT'] as Case));
  run(badIds.map(([name, id]) => [`artifact id with ${name}`, 'alice', id, 'run', {}, 'INVALID_ARGUMENT'] as Case));
  run([
    ['store.read id not a string', 'alice', 'genesis_store', 'read', { id: 42 }, 'INVALID_ARGUMENT'],
    ['escrow.purchase id with SQL', 'bob', 'genesis_escrow', 'purchase', { artifact_id: "ware' OR '1'='1" }, 'INVALID_ARGUMENT'],
    ['debt.check id with SQL', 'bob', 'genesis_debt', 'check', { debt_id: "' OR 1=1 --" }, 'INVALID_ARGUMENT'],
    ['store.list cursor with SQL', 'bob', 'genesis_store', 'list', { cursor: "a' OR 'a'='a" }, 'INVALID_ARGUMENT'],
  ]);

  it('an id of exactly 128 allowed characters is accepted (the boundary)', async () => {
    const id = 'A-z_0.9.'.repeat(16);
    expect(id).toHaveLength(128);
    await f.ok('carol', 'genesis_store', 'create', { id, type: 't' });
    expect((await f.ok('carol', 'genesis_store', 'read', { id })).id).toBe(id);
  });

  it('idempotency keys: empty, too long (257), with a NUL or an unpaired surrogate are refused before anything is recorded', async () => {
    for (const key of ['', 'k'.repeat(257), 'a\u0000b', 'a\uD800']) {
      const ops = (await f.pool.query(`SELECT count(*)::int AS n FROM operations`)).rows[0].n;
      await expectRejected(['key', ...T({ to: 'bob', amount: 1 }), 'INVALID_ARGUMENT'], key);
      expect((await f.pool.query(`SELECT count(*)::int AS n FROM operations`)).rows[0].n).toBe(ops);
    }
  });
});

describe('content and JSON', () => {
  run([
    ['content over the disk quota', 'tiny', 'genesis_store', 'create', { id: 'big', type: 't', content: { a: 'x'.repeat(60) } }, 'QUOTA_EXCEEDED'],
    ['an update that grows past the disk quota', 'tiny', 'genesis_store', 'write', { id: 'tinydoc', type: 'note', content: { a: 'x'.repeat(95) } }, 'QUOTA_EXCEEDED'],
    ['content over the content size limit (64 KiB)', 'alice', 'genesis_store', 'create', { id: 'big', type: 't', content: { a: 'x'.repeat(65_536) } }, 'INVALID_ARGUMENT'],
    ['code over the code size limit', 'alice', 'genesis_store', 'create', { id: 'big', type: 't', code: 'x'.repeat(65_537), can_execute: true }, 'INVALID_ARGUMENT'],
    ['content nested one level deeper than allowed (33)', 'alice', 'genesis_store', 'create', { id: 'deep', type: 't', content: deep(33) }, 'INVALID_ARGUMENT'],
    ['content nested 1000 levels deep', 'alice', 'genesis_store', 'create', { id: 'deep', type: 't', content: deep(1000) }, 'INVALID_ARGUMENT'],
    ['args nested 1000 levels deep', 'alice', 'genesis_ledger', 'balance', deep(1000), 'INVALID_ARGUMENT'],
    ['10 MB of content', 'alice', 'genesis_store', 'create', { id: 'huge', type: 't', content: { blob: 'x'.repeat(10 * 1024 * 1024) } }, 'INVALID_ARGUMENT'],
    ['10 MB of args in many keys', 'alice', 'genesis_ledger', 'balance', Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 'x'.repeat(100)])), 'INVALID_ARGUMENT'],
    ['a NUL in a memo', ...T({ to: 'bob', amount: 1, memo: 'a\u0000b' }), 'INVALID_ARGUMENT'],
    ['a NUL in content', 'alice', 'genesis_store', 'create', { id: 'nul', type: 't', content: { s: 'a\u0000b' } }, 'INVALID_ARGUMENT'],
    ['a NUL in a content key', 'alice', 'genesis_store', 'create', { id: 'nul', type: 't', content: { 'a\u0000': 1 } }, 'INVALID_ARGUMENT'],
    ['a NUL in a type', 'alice', 'genesis_store', 'create', { id: 'nul', type: 'a\u0000' }, 'INVALID_ARGUMENT'],
    ['a NUL in code', 'alice', 'genesis_store', 'create', { id: 'nul', type: 't', code: 'run\u0000', can_execute: true }, 'INVALID_ARGUMENT'],
    ['an unpaired surrogate in a memo', ...T({ to: 'bob', amount: 1, memo: 'a\uD800b' }), 'INVALID_ARGUMENT'],
    ['an unpaired surrogate in content', 'alice', 'genesis_store', 'create', { id: 'sur', type: 't', content: { s: '\uDC00' } }, 'INVALID_ARGUMENT'],
    ['an unpaired surrogate in a type', 'alice', 'genesis_store', 'create', { id: 'sur', type: 'x\uD83D' }, 'INVALID_ARGUMENT'],
    ['a memo over 500 characters', ...T({ to: 'bob', amount: 1, memo: 'm'.repeat(501) }), 'INVALID_ARGUMENT'],
    ['a type over 64 characters', 'alice', 'genesis_store', 'create', { id: 'long_type', type: 't'.repeat(65) }, 'INVALID_ARGUMENT'],
    ['an empty type', 'alice', 'genesis_store', 'create', { id: 'no_type', type: '' }, 'INVALID_ARGUMENT'],
    ['an executable without code', 'alice', 'genesis_store', 'create', { id: 'nocode', type: 't', can_execute: true }, 'INVALID_ARGUMENT'],
    ['changing has_standing after creation', 'alice', 'genesis_store', 'write', { id: 'doc', type: 'note', has_standing: true }, 'INVALID_ARGUMENT'],
    ['creating an existing id', 'alice', 'genesis_store', 'create', { id: 'doc', type: 'note' }, 'ALREADY_EXISTS'],
    ['creating an id that is a principal', 'bob', 'genesis_store', 'create', { id: 'alice', type: 'note' }, 'ALREADY_EXISTS'],
  ]);
});

describe('method and argument shape', () => {
  run([
    ['an unknown method', 'alice', 'genesis_ledger', 'steal', {}, 'NOT_FOUND'],
    ['a method inherited from Object', 'alice', 'genesis_ledger', 'constructor', {}, 'NOT_FOUND'],
    ['__proto__ as a method', 'alice', 'genesis_ledger', '__proto__', {}, 'NOT_FOUND'],
    ['a method of another service', 'alice', 'genesis_ledger', 'purchase', { artifact_id: 'ware' }, 'NOT_FOUND'],
    ['a method name with SQL', 'alice', 'genesis_ledger', "balance'; --", {}, 'INVALID_ARGUMENT'],
    ['a method name in capitals', 'alice', 'genesis_ledger', 'Balance', {}, 'INVALID_ARGUMENT'],
    ['an empty method name', 'alice', 'genesis_ledger', '', {}, 'INVALID_ARGUMENT'],
    ['an unknown args key (transfer)', ...T({ to: 'bob', amount: 1, fee: 0 }), 'INVALID_ARGUMENT'],
    ['an unknown args key (balance)', 'alice', 'genesis_ledger', 'balance', { principal: 'bob', as: 'bob' }, 'INVALID_ARGUMENT'],
    ['an unknown args key (store.create: owner_id)', 'alice', 'genesis_store', 'create', { id: 'x2', type: 't', owner_id: 'bob' }, 'INVALID_ARGUMENT'],
    ['an unknown args key (store.create: genesis)', 'alice', 'genesis_store', 'create', { id: 'x2', type: 't', genesis: true }, 'INVALID_ARGUMENT'],
    ['an unknown args key (escrow.purchase: price)', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'ware', price: 1 }, 'INVALID_ARGUMENT'],
    ['an unknown args key (caller)', 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'bob', resource: 'disk_bytes', amount: 1, caller: 'bob' }, 'INVALID_ARGUMENT'],
    ['an unknown quota resource', 'alice', 'genesis_rights_registry', 'transfer_quota', { to: 'bob', resource: 'scrip', amount: 1 }, 'INVALID_ARGUMENT'],
    ['a missing required arg', ...T({ amount: 1 }), 'INVALID_ARGUMENT'],
    ['args as an array', 'alice', 'genesis_ledger', 'balance', [], 'INVALID_ARGUMENT'],
    ['args as a string', 'alice', 'genesis_ledger', 'balance', 'bob', 'INVALID_ARGUMENT'],
    ['args as a number', 'alice', 'genesis_ledger', 'balance', 7, 'INVALID_ARGUMENT'],
    ['store.create args as an array', 'alice', 'genesis_store', 'create', [{ id: 'x3', type: 't' }], 'INVALID_ARGUMENT'],
    ['event_log.read types not strings', 'alice', 'genesis_event_log', 'read', { types: [1, 2] }, 'INVALID_ARGUMENT'],
  ]);

  it('args that are null or missing mean "no args" (and then fail where args are required)', async () => {
    expect((await f.ok('alice', 'genesis_ledger', 'balance', null)).principal).toBe('alice');
    await expectRejected(['null args', ...T(null), 'INVALID_ARGUMENT']);
  });

  it('args that are not JSON (a BigInt, a cycle) are refused', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expectRejected(['bigint', ...T({ to: 'bob', amount: BigInt(5) }), 'INVALID_ARGUMENT']);
    await expectRejected(['cycle', 'alice', 'genesis_ledger', 'balance', cyclic, 'INVALID_ARGUMENT']);
  });
});

describe('escrow by the wrong party, own listings, too little scrip', () => {
  run([
    ['cancel by someone other than the seller', 'bob', 'genesis_escrow', 'cancel', { artifact_id: 'ware' }, 'FORBIDDEN'],
    ['cancel of an artifact that is not listed', 'alice', 'genesis_escrow', 'cancel', { artifact_id: 'doc' }, 'NOT_FOUND'],
    ['purchase of a listing reserved for someone else', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'reserved' }, 'FORBIDDEN'],
    ['purchase of one\'s own listing', 'alice', 'genesis_escrow', 'purchase', { artifact_id: 'ware' }, 'FORBIDDEN'],
    ['purchase with too little scrip', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'gem' }, 'INSUFFICIENT_FUNDS'],
    ['the reserved buyer with too little scrip', 'carol', 'genesis_escrow', 'purchase', { artifact_id: 'gem' }, 'INSUFFICIENT_FUNDS'],
    ['purchase without room on one\'s disk quota (the payment is undone too)', 'tiny', 'genesis_escrow', 'purchase', { artifact_id: 'bulky' }, 'QUOTA_EXCEEDED'],
    ['listing an artifact that is already listed', 'alice', 'genesis_escrow', 'deposit', { artifact_id: 'ware', price: 60 }, 'CONFLICT'],
  ]);
});

describe('debt by the wrong party', () => {
  run([
    ['accept by someone other than the named creditor', 'carol', 'genesis_debt', 'accept', { debt_id: DEBT }, 'FORBIDDEN'],
    ['accept by the debtor itself', 'bob', 'genesis_debt', 'accept', { debt_id: DEBT }, 'FORBIDDEN'],
    ['repay of a debt not yet accepted', 'bob', 'genesis_debt', 'repay', { debt_id: DEBT, amount: 1 }, 'CONFLICT'],
    ['a due date in the past', 'bob', 'genesis_debt', 'offer', { creditor: 'alice', amount: 5, due: inDays(-1) }, 'INVALID_ARGUMENT'],
    ['a due date that is not a date', 'bob', 'genesis_debt', 'offer', { creditor: 'alice', amount: 5, due: 'tomorrow-ish' }, 'INVALID_ARGUMENT'],
    ['a due date past the year 9999', 'bob', 'genesis_debt', 'offer', { creditor: 'alice', amount: 5, due: '+275760-09-13T00:00:00Z' }, 'INVALID_ARGUMENT'],
    ['a due date with SQL', 'bob', 'genesis_debt', 'offer', { creditor: 'alice', amount: 5, due: "2030-01-01'; DROP TABLE debts; --" }, 'INVALID_ARGUMENT'],
    ['editing a debt contract (its holder)', 'bob', 'genesis_store', 'write', { id: DEBT, type: 'debt', content: { amount: 1 } }, 'FORBIDDEN'],
    ['deleting a debt contract (its holder)', 'bob', 'genesis_store', 'delete', { id: DEBT }, 'FORBIDDEN'],
  ]);
});

describe('a repeated idempotency key with a different payload', () => {
  it('is IDEMPOTENCY_CONFLICT, costs nothing and changes nothing', async () => {
    const key = f.key();
    await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 2 }, key);
    await expectRejected(['conflict', ...T({ to: 'bob', amount: 3 }), 'IDEMPOTENCY_CONFLICT'], key);
    await expectRejected(['conflict', 'bob', 'genesis_ledger', 'transfer', { to: 'alice', amount: 2 }, 'IDEMPOTENCY_CONFLICT'], key);
  });
});

describe('SQL metacharacters in string fields are stored verbatim, never executed', () => {
  const nasty = [
    "'; DROP TABLE journal; --",
    '$1',
    '$1::text',
    'back\\slash\\\\ and \\x00',
    `"double" 'single' \`back\``,
    "Robert'); DELETE FROM accounts; --",
    '%_*?[]{}',
    '\\u0000 (escaped, not a NUL)',
    'emoji 😀 and ünïcødé',
  ];

  it.each(nasty)('memo %j', async (memo) => {
    const key = f.key();
    await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 1, memo }, key);
    const row = await f.pool.query(`SELECT memo FROM journal WHERE id = $1`, [key]);
    expect(row.rows[0].memo).toBe(memo);
    const hist = await f.ok('bob', 'genesis_ledger', 'history', { limit: 1 });
    expect(hist[0]).toMatchObject({ transfer_id: key, memo });
    await f.expectAuditOk();
  });

  it.each(nasty)('type, content and code %j', async (s) => {
    const id = `nasty_${nasty.indexOf(s)}`;
    await f.ok('alice', 'genesis_store', 'create', { id, type: s, content: { [s]: s, list: [s] }, code: s, can_execute: true });
    const read = await f.ok('bob', 'genesis_store', 'read', { id });
    expect(read).toMatchObject({ id, type: s, content: { [s]: s, list: [s] }, code: s });
    const listed = await f.ok('bob', 'genesis_store', 'list', { type: s });
    expect(listed.items.map((i: { id: string }) => i.id)).toEqual([id]);
  });

  it.each(nasty)('idempotency key %j', async (s) => {
    const key = `key:${s}`;
    const first = await f.ok('alice', 'genesis_ledger', 'transfer', { to: 'carol', amount: 1 }, key);
    expect(first.transfer_id).toBe(key);
    const again = await f.call('alice', 'genesis_ledger', 'transfer', { to: 'carol', amount: 1 }, key);
    expect(again).toMatchObject({ ok: true, replayed: true, result: first });
  });

  it('ids built from the allowed characters that read like SQL (--, .) are stored verbatim', async () => {
    for (const id of ['x--DROP_TABLE_journal--', 'accounts.balance', 'pg_catalog.pg_class', '.1', '-1']) {
      await f.ok('alice', 'genesis_store', 'create', { id, type: 'sqlish', content: { id } });
      expect(await f.ok('bob', 'genesis_store', 'read', { id })).toMatchObject({ id, content: { id } });
      await f.ok('alice', 'genesis_store', 'transfer_ownership', { id, to: 'bob' });
      expect((await f.ok('carol', 'genesis_store', 'describe', { id })).owner_id).toBe('bob');
    }
    const listed = await f.ok('carol', 'genesis_store', 'list', { type: 'sqlish' });
    expect(listed.items.map((i: { id: string }) => i.id).sort()).toEqual(['-1', '.1', 'accounts.balance', 'pg_catalog.pg_class', 'x--DROP_TABLE_journal--']);
  });

  it('filters with SQL find nothing and harm nothing', async () => {
    const before = await f.snapshot();
    expect(await f.ok('bob', 'genesis_event_log', 'read', { types: ["transfer' OR '1'='1", '$1'] })).toEqual([]);
    expect((await f.ok('bob', 'genesis_store', 'list', { type: "note' OR '1'='1" })).items).toEqual([]);
    expect(await f.snapshot()).toEqual(before);
  });

  it('the tables are all still there', async () => {
    const r = await f.pool.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1)`, [
      ['journal', 'accounts', 'artifacts', 'events', 'operations', 'debts', 'escrow_listings', 'quotas', 'buckets'],
    ]);
    expect(r.rows[0].n).toBe(9);
    await f.expectAuditOk();
  });
});

describe('failed calls emit no events', () => {
  it('a run of failures leaves the event log untouched', async () => {
    const last = (await f.snapshot()).lastEvent;
    await f.fails('INSUFFICIENT_FUNDS', 'bob', 'genesis_escrow', 'purchase', { artifact_id: 'gem' });
    await f.fails('FORBIDDEN', 'bob', 'genesis_store', 'write', { id: 'doc', type: 'x' });
    await f.fails('QUOTA_EXCEEDED', 'tiny', 'genesis_store', 'create', { id: 'big2', type: 't', content: { a: 'x'.repeat(60) } });
    expect(await eventsSince(f.pool, last)).toEqual([]);
  });
});
