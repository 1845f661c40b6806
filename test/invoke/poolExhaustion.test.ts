/**
 * Custom access contracts must not freeze the database pool: the check of a guarded artifact once
 * asked the pool for a second connection while the operation that asked held the first, so enough
 * concurrent checks took every connection and waited forever for one more. Here the app's pool has
 * 3 connections (database.poolMax), and far more checks than that run at once.
 */
import { openDatabase, type Database } from '../../src/db/open';
import type { InvokeDeps } from '../../src/invoke/types';
import { invoke } from '../../src/invoke/invoke';
import { setupWorld, show, type World } from './support';

const READERS = 20;
const GUARDED = 30;

let w: World;
let app: Database;
let deps: InvokeDeps;

beforeAll(async () => {
  w = await setupWorld({
    overrides: {
      database: { poolMax: 3 },
      sandbox: { maxBridgeCalls: 64, contractTimeoutMs: 20_000, limits: { timeoutMs: 60_000 } },
    },
  });
  app = await openDatabase(w.config);
  deps = { ...w.deps, pool: app.pool };
  for (const p of ['alice', 'bob']) await w.principal(p);
  for (let i = 0; i < READERS; i++) await w.principal(`reader${i}`);
  await w.artifact('alice', 'gate', { type: 'contract', code: "export function check(a) { return a.action === 'read' }" });
  for (let i = 0; i < GUARDED; i++) await w.artifact('alice', `guarded${i}`, { type: 'data', content: { n: i }, access_contract_id: 'gate' });
  await w.artifact('alice', 'opengate', { type: 'contract', code: 'export function check() { return true }' });
  await w.artifact('alice', 'guardedtool', { code: 'export function run(a) { return a.n * 2 }', access_contract_id: 'opengate' });
  await w.artifact('bob', 'fanout', {
    code: `export async function run(a, ctx) {
      const ids = Array.from({ length: ${GUARDED} }, (_, i) => 'guarded' + i);
      const docs = await Promise.all(ids.map((id) => ctx.read(id)));
      return docs.map((d) => d.content.n);
    }`,
  });
}, 120_000);
afterAll(async () => {
  await app?.close();
  await w?.close();
});

const call = (caller: string, artifactId: string, method: string, args: unknown) => invoke(deps, { caller, artifactId, method, args, key: w.key() });

test(`a tool reading ${GUARDED} guarded artifacts at once (Promise.all of ctx.read) finishes`, async () => {
  const o = await call('bob', 'fanout', 'run', {});
  expect(o.ok).toBe(true);
  if (!o.ok) throw new Error(show(o));
  expect(o.result).toEqual(Array.from({ length: GUARDED }, (_, i) => i));
}, 90_000);

test(`${READERS} agents reading one guarded artifact at once all get it`, async () => {
  const outcomes = await Promise.all(Array.from({ length: READERS }, (_, i) => call(`reader${i}`, 'genesis_store', 'read', { id: 'guarded0' })));
  for (const o of outcomes) expect(o).toMatchObject({ ok: true, result: { content: { n: 0 } } });
}, 90_000);

test(`${READERS} agents invoking one guarded tool at once all get their answer (the check runs in each hold)`, async () => {
  const outcomes = await Promise.all(Array.from({ length: READERS }, (_, i) => call(`reader${i}`, 'guardedtool', 'run', { n: i })));
  outcomes.forEach((o, i) => expect(o).toMatchObject({ ok: true, result: 2 * i }));
}, 90_000);

test('afterwards the process still serves other work on the same pool, and the books balance', async () => {
  expect(await call('alice', 'genesis_ledger', 'transfer', { to: 'bob', amount: 5 })).toMatchObject({ ok: true });
  expect(await call('bob', 'genesis_store', 'read', { id: 'guarded1' })).toMatchObject({ ok: true, result: { content: { n: 1 } } });
  // Every check was recorded and charged once, by the operation that asked.
  const checks = await w.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM contract_checks WHERE contract_id IN ('gate', 'opengate')`);
  expect(checks.rows[0].n).toBe(GUARDED + 2 * READERS + 1);
  expect(app.pool.waitingCount).toBe(0);
  await w.expectAuditOk();
}, 60_000);

test('the app pool gives up on a connection after database.acquireTimeoutMs, and its sessions carry the configured timeouts', async () => {
  const config = { ...w.config, database: { ...w.config.database, poolMax: 1, acquireTimeoutMs: 300, statementTimeoutMs: 4321, idleInTransactionTimeoutMs: 5432 } };
  const one = await openDatabase(config);
  try {
    const held = await one.pool.connect();
    try {
      expect((await held.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe('4321ms');
      expect((await held.query('SHOW idle_in_transaction_session_timeout')).rows[0].idle_in_transaction_session_timeout).toBe('5432ms');
      await expect(one.pool.connect()).rejects.toThrow(/timeout/i);
    } finally {
      held.release();
    }
    // The pool recovers: the next caller gets the connection.
    expect((await one.pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  } finally {
    await one.close();
  }
});
