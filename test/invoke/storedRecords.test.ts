/**
 * An invocation keeps its arguments only while its run needs them: once settled (or rejected) the
 * record holds their digest, so large arguments do not stay stored; a repeat of the key still
 * replays, and the key with other arguments is still IDEMPOTENCY_CONFLICT.
 */
import { setupWorld, type World } from './support';

let w: World;
const bulky = { text: Array.from({ length: 3000 }, (_, i) => `${i * 7919}`).join(',') };

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['alice', 'bob']) await w.principal(p);
  await w.artifact('alice', 'len', { code: 'export function run(a) { return a.text.length }', price: 1 });
  await w.artifact('alice', 'sealed', { code: 'export function run() { return 1 }', access_contract_id: 'genesis_private' });
}, 60_000);
afterAll(() => w?.close());

async function argsBytes(key: string): Promise<number> {
  return (await w.pool.query<{ n: number }>('SELECT octet_length(args::text) AS n FROM invocations WHERE key = $1', [key])).rows[0].n;
}

test('a settled invocation keeps a digest of its arguments; replay and conflict still work', async () => {
  const key = w.key();
  const first = await w.invoke('bob', 'len', 'run', bulky, key);
  expect(first).toMatchObject({ ok: true, result: bulky.text.length });
  expect(await argsBytes(key)).toBeLessThan(200);
  expect(await w.invoke('bob', 'len', 'run', bulky, key)).toMatchObject({ ok: true, result: bulky.text.length, replayed: true });
  expect(await w.invoke('bob', 'len', 'run', { text: 'other' }, key)).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
  await w.expectAuditOk();
});

test('so does a rejected one', async () => {
  const key = w.key();
  expect(await w.invoke('bob', 'sealed', 'run', bulky, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await argsBytes(key)).toBeLessThan(200);
  expect(await w.invoke('bob', 'sealed', 'run', bulky, key)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' }, replayed: true });
  expect(await w.invoke('bob', 'sealed', 'run', { other: 1 }, key)).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
});
