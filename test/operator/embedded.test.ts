/**
 * The embedded database (ECOLOGY_DB=embedded): PGlite in-process, served to the app's `pg` pool on
 * one loopback connection. Through the code paths `ecology up` takes in that mode (openDatabase, the
 * migrations, the database part of the bootstrap, dispatch, the audit, the event relay following
 * the event log), and through the CLI: the world survives a restart, a second connection and a
 * second process are refused, and Temporal is not needed. Not a concurrency test (PGlite has one
 * session): parallel calls here only show that they queue on the one connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client as TemporalClient } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { startEventRelay } from '../../src/temporal/eventRelay';
import { loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { embeddedDataDir } from '../../src/db/embedded';
import { migrate } from '../../src/db/migrate';
import { openDatabase, type Database } from '../../src/db/open';
import { createInitialAgents, issueTreasury } from '../../src/ecology/bootstrap';
import { applyComputeRates } from '../../src/ecology/computeRates';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { dispatch } from '../../src/genesis/dispatch';
import { audit } from '../../src/audit/audit';
import { BIN, run } from './support';

jest.setTimeout(180_000);

const dataRoot = mkdtempSync(join(tmpdir(), 'ecology-embedded-'));
/** As `ecology up` finds it with ECOLOGY_DATA_DIR=dataRoot and no database.embedded.dataDir. */
const dataDir = join(dataRoot, 'pglite');
const env: NodeJS.ProcessEnv = { ...process.env, ECOLOGY_DB: 'embedded', ECOLOGY_DATA_DIR: dataRoot, DATABASE_URL: '' };
// The CLI below finds the same folder from ECOLOGY_DATA_DIR; this process names it explicitly.
const config: EcologyConfig = loadConfig({
  env,
  overrides: { database: { embedded: { dataDir } }, ecology: { treasury: { scrip: 1000, compute: 50_000 }, computeRates: {} } },
});
const AGENTS = [
  { id: 'alice', scrip: 500, compute: 10_000 },
  { id: 'bob', scrip: 200, compute: 10_000 },
];

let db: Database | undefined;
afterAll(async () => {
  await db?.close();
  rmSync(dataRoot, { recursive: true, force: true });
});

const scrip = async (id: string) =>
  (await db!.pool.query<{ balance: number }>(`SELECT balance FROM accounts WHERE principal_id = $1 AND asset = 'scrip'`, [id])).rows[0]?.balance ?? 0;
const transfer = (caller: string, to: string, amount: number, key: string) =>
  dispatch({ pool: db!.pool, config, hooks: {} }, { caller, artifactId: 'genesis_ledger', method: 'transfer', args: { to, amount }, key });

test('ECOLOGY_DB=embedded chooses the mode; the data folder defaults to $ECOLOGY_DATA_DIR/pglite', () => {
  expect(config.database.mode).toBe('embedded');
  expect(loadConfig({ env: { ...env, ECOLOGY_DB: undefined } }).database.mode).toBe('server');
  const defaults = loadConfig({ env });
  expect(defaults.database.embedded.dataDir).toBeUndefined();
  expect(embeddedDataDir(defaults, env)).toBe(dataDir);
  expect(embeddedDataDir(defaults, {})).toBe(join(__dirname, '..', '..', '.data', 'pglite'));
});

test('a fresh data folder: migrations, genesis, the bootstrap, transfers and the audit', async () => {
  db = await openDatabase(config);
  expect(db.mode).toBe('embedded');
  expect(db.where).toBe(dataDir);
  expect(db.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  expect((await db.pool.query<{ v: string }>('SELECT version() AS v')).rows[0].v).toContain('PGlite');

  const { applied } = await migrate(db.pool);
  expect(applied).toEqual(expect.arrayContaining(['001_foundation.sql']));
  expect((await migrate(db.pool)).applied).toEqual([]);
  expect((await bootstrapGenesis(db.pool)).created.length).toBeGreaterThan(0);
  // The database part of bootstrapWorld (the schedules are Temporal's).
  expect(await issueTreasury(db.pool, config)).toEqual({ scrip: 1000, compute: 50_000 });
  expect((await createInitialAgents(db.pool, config, AGENTS)).created).toEqual(['alice', 'bob']);

  const first = await transfer('alice', 'bob', 30, 'embedded:1');
  expect(first).toMatchObject({ ok: true, replayed: false });
  expect(await transfer('alice', 'bob', 30, 'embedded:1')).toMatchObject({ ok: true, replayed: true });
  expect(await transfer('alice', 'bob', 31, 'embedded:1')).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
  expect(await transfer('bob', 'alice', 10_000, 'embedded:2')).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
  // Calls made together wait for the one connection in turn; each is still one transaction.
  const together = await Promise.all([3, 4, 5, 6].map((n) => transfer('bob', 'alice', n, `embedded:together:${n}`)));
  expect(together.map((o) => o.ok)).toEqual([true, true, true, true]);
  expect(db.pool.totalCount).toBe(1);

  expect(await scrip('alice')).toBe(500 - 30 + 18);
  expect(await scrip('bob')).toBe(200 + 30 - 18);
  const report = await audit(db.pool);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.ok).toBe(true);
});

test('connections take turns on the one session: a second waits until the first has closed', async () => {
  const first = await db!.pool.connect();
  const second = new PgClient({ connectionString: db!.url });
  let answered = false;
  const asking = second
    .connect()
    .then(() => second.query('SELECT 1'))
    .then(() => (answered = true));
  // Many round trips of the first, outside any transaction: the second never got in between.
  for (let i = 0; i < 50; i++) await first.query('SELECT 1');
  expect(answered).toBe(false);
  first.release(true); // closes the connection: now it is the second's turn
  await asking;
  expect(answered).toBe(true);
  await second.end();
  // The pool makes itself a new connection, on a clean session.
  expect((await db!.pool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  expect(db!.pool.totalCount).toBe(1);
});

test('a failed query costs the pool its connection; the next one gets in at once', async () => {
  await expect(db!.pool.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
  // A prepared (named) statement again on the new connection: DISCARD ALL cleared the session's.
  const named = { name: 'embedded_named', text: 'SELECT $1::int + 1 AS v', values: [1] };
  expect((await db!.pool.query(named)).rows[0].v).toBe(2);
  await expect(db!.pool.query('SELECT 1/0')).rejects.toMatchObject({ code: '22012' });
  expect((await db!.pool.query(named)).rows[0].v).toBe(2);
  expect(await transfer('bob', 'alice', 10_000, 'embedded:broke')).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_FUNDS' } });
  expect((await audit(db!.pool)).ok).toBe(true);
});

test('the event relay follows the event log on PGlite: a transfer and a quota_set wake the agents', async () => {
  const signals: Array<{ workflowId: string; name: string }> = [];
  const recorder = {
    workflow: { getHandle: (workflowId: string) => ({ signal: async (def: { name: string }) => void signals.push({ workflowId, name: def.name }) }) },
  } as unknown as TemporalClient;
  const relay = startEventRelay({ pool: db!.pool, config, temporal: recorder });
  try {
    await relay.ready;
    expect(relay.isLeader()).toBe(true);
    const woke = (id: string) => signals.filter((s) => s.name === 'balanceChanged' && s.workflowId === `agent-${id}`).length;
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!ok()) throw new Error(`timed out waiting for ${what}; signals: ${JSON.stringify(signals)}`);
    };

    expect(await transfer('alice', 'bob', 1, 'embedded:relay:1')).toMatchObject({ ok: true });
    await until('both sides of the transfer', () => woke('alice') === 1 && woke('bob') === 1);

    const rates = await applyComputeRates(db!.pool, { ...config, ecology: { ...config.ecology, computeRates: { bob: 7 } } });
    expect(rates.changed).toEqual([{ principal: 'bob', from: expect.any(Number), to: 7 }]);
    await until('the agent whose rate was set', () => woke('bob') === 2);
    expect(woke('alice')).toBe(1);
  } finally {
    await relay.stop();
  }
  expect(db!.pool.totalCount).toBe(1);
});

test('one process at a time: a second open, here or in another process, is refused with a clear error', async () => {
  await expect(openDatabase(config)).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'embedded_database_in_use', pid: process.pid } });
  const cli = await run('node', [BIN, 'audit', '--json'], env);
  expect(cli.code).not.toBe(0);
  expect(cli.json).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  expect(cli.json.error.message).toContain('embedded database');
  // The refusal did not disturb the holder.
  expect((await audit(db!.pool)).ok).toBe(true);
});

test('a restart keeps the world; the CLI opens the same data folder when it is free', async () => {
  const alice = await scrip('alice');
  const bob = await scrip('bob');
  await db!.close();
  db = undefined;

  const cliAudit = await run('node', [BIN, 'audit', '--json'], env);
  expect(cliAudit.stderr).toBe('');
  expect(cliAudit.json).toMatchObject({ ok: true });
  expect(cliAudit.code).toBe(0);
  const migrated = await run('node', [BIN, 'migrate', '--json'], env);
  expect(migrated.json).toMatchObject({ ok: true, applied: [], genesis_created: [] });

  db = await openDatabase(config);
  expect(await scrip('alice')).toBe(alice);
  expect(await scrip('bob')).toBe(bob);
  expect((await migrate(db.pool)).applied).toEqual([]);
  expect(await transfer('alice', 'bob', 30, 'embedded:1')).toMatchObject({ ok: true, replayed: true });
  expect(await issueTreasury(db.pool, config)).toEqual({ scrip: 0, compute: 0 });
  expect((await audit(db.pool)).ok).toBe(true);
});
