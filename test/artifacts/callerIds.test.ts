/**
 * Ids and keys callers choose can never equal ids and keys the system derives (SPEC section 3):
 * ':' belongs to derived ids. The attacks: pre-claiming a transfer id a resolution will need, and an
 * agent named `<victim>:<n>:read` whose own iteration keys are the victim's bridge-call keys.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iterationKey } from '../../src/agents/types';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { main } from '../../src/cli/main';
import { listMigrations, migrate } from '../../src/db/migrate';
import { spawnAgent } from '../../src/ecology/spawn';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { dispatch } from '../../src/genesis/dispatch';
import { createBridge } from '../../src/invoke/bridge';
import { invoke } from '../../src/invoke/invoke';
import { openResolution, resolutionIdFor } from '../../src/oracle/resolution';
import { createTestDatabase } from '../support/testDb';
import { setupOracleWorld, type OracleWorld } from '../oracle/world';

let w: OracleWorld;

beforeAll(async () => {
  w = await setupOracleWorld({ oracle: { slots: 1, minBid: 1, mintRatio: 10 } });
  for (const a of ['ag_a', 'ag_b']) {
    await w.agent(a, 100);
    await w.tool(a, `${a}_tool`);
  }
  await w.agent('mallory', 1000);
  await w.agent('vic', 100);
  await w.ok('vic', 'genesis_store', 'create', { id: 'vic_doc', type: 'data', content: { text: 'the real document' } });
});
afterAll(() => w.close());

/** The `ecology` command in this process, with --json: its exit code and parsed last line. */
async function ecology(args: string[]): Promise<{ code: number; json: any }> {
  const out: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = w.db.url;
  try {
    const code = await main([...args, '--json']);
    return { code, json: JSON.parse(out.join('').trim().split('\n').pop() ?? 'null') };
  } finally {
    process.env.DATABASE_URL = saved;
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

test('a transfer id a resolution will need cannot be pre-claimed: the resolution refunds as it should', async () => {
  const scheduled = new Date(Math.floor((Date.now() + 60_000) / 1000) * 1000).toISOString();
  const rid = resolutionIdFor(scheduled);
  await w.ok('ag_a', 'genesis_oracle', 'bid', { artifact_id: 'ag_a_tool', amount: 30 });
  await w.ok('ag_b', 'genesis_oracle', 'bid', { artifact_id: 'ag_b_tool', amount: 10 });
  const losing = (await w.bids()).find((b) => b.bidder_id === 'ag_b')!;

  // Through the CLI's --key: the id of the refund the loser will get.
  const viaKey = await ecology(['invoke', '--as', 'mallory', '--key', `oracle:${rid}:refund:${losing.id}`, 'genesis_ledger', 'transfer', '{"to":"ag_b","amount":1}']);
  // Through an agent named so that its iteration key is that id.
  const named = `oracle:${rid}:excess`;
  const created = await w.call('mallory', 'genesis_store', 'create', { id: named, type: 'agent', has_standing: true, can_execute: true });
  if (created.ok) {
    await w.ok('mallory', 'genesis_ledger', 'transfer', { to: named, amount: 5 });
    const winning = (await w.bids()).find((b) => b.bidder_id === 'ag_a')!;
    await dispatch({ pool: w.pool, config: w.config }, { caller: named, artifactId: 'genesis_ledger', method: 'transfer', args: { to: 'ag_a', amount: 1 }, key: iterationKey(named, winning.id) });
  }

  const opened = await openResolution(w.pool, w.config, scheduled);
  expect(opened).toMatchObject({ resolution_id: rid, status: 'scoring', bid_count: 2 });
  expect(await w.journalIds(`oracle:${rid}:%`)).toHaveLength(2);

  expect(viaKey.code).not.toBe(0);
  expect(viaKey.json.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('--key') });
  expect(created).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(':') } });
  await w.expectAuditOk();
});

test('an agent named <victim>:<n>:read cannot take the keys of the victim\'s bridge calls', async () => {
  // The victim's iteration 5 runs a tool; the tool's first ctx.read has the key vic:5:read:1.
  const attacker = 'vic:5:read';
  const created = await w.call('mallory', 'genesis_store', 'create', { id: attacker, type: 'agent', has_standing: true, can_execute: true });
  if (created.ok) {
    await w.ok('mallory', 'genesis_ledger', 'transfer', { to: attacker, amount: 10 });
    await w.ok('mallory', 'genesis_ledger', 'transfer_compute', { to: attacker, amount: 1000 });
    // Its own iteration 1, acting first.
    await dispatch({ pool: w.pool, config: w.config }, { caller: attacker, artifactId: 'genesis_store', method: 'read', args: { id: 'ag_a_tool' }, key: iterationKey(attacker, 1) });
  }

  const { onCall } = createBridge(
    { pool: w.pool, config: w.config },
    { key: iterationKey('vic', 5), payer: 'vic', depth: 0, deadlineMs: Date.now() + 60_000, budget: { left: 10 }, grant: null },
    invoke,
  );
  const read = (await onCall('read', { id: 'vic_doc' })) as { id: string; content: unknown };
  expect(read).toMatchObject({ id: 'vic_doc', content: { text: 'the real document' } });
  expect(created).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
});

describe('every place a caller chooses an id or key refuses ":" with INVALID_ARGUMENT', () => {
  test('genesis_store.create and write, the operator CLI, spawn', async () => {
    for (const method of ['create', 'write']) {
      await w.fails('INVALID_ARGUMENT', 'mallory', 'genesis_store', method, { id: 'ag_a:0', type: 'data', content: {} });
    }
    const cli = await ecology(['principal', 'create', 'ag_a:7', '--scrip', '1']);
    expect(cli.code).not.toBe(0);
    expect(cli.json.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(createOperatorPrincipal(w.pool, w.config, { id: 'x:1', kind: 'agent', scrip: 0, compute: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(spawnAgent(w.pool, w.config, { id: 'ag_a:3', system_prompt: 'hi' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const issue = await ecology(['treasury', 'issue', '--key', 'a:b', '--scrip', '1']);
    expect(issue.json.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  test('words the system derives keys from, and the debt id prefix, are reserved', async () => {
    // `spawn:<id>:compute` and `issue:<id>:compute` are derived keys: an agent named spawn or issue
    // would derive the same ones at its iterations.
    for (const id of ['spawn', 'issue', 'oracle', 'cli']) {
      await w.fails('INVALID_ARGUMENT', 'mallory', 'genesis_store', 'create', { id, type: 'agent', has_standing: true, can_execute: true });
    }
    await w.fails('INVALID_ARGUMENT', 'mallory', 'genesis_store', 'create', { id: 'debt_0123456789abcdef01234567', type: 'data' });
    const key = await ecology(['invoke', '--as', 'mallory', '--key', 'spawn', 'genesis_ledger', 'balance']);
    expect(key.json.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    // A plain chosen key still works.
    const ok = await ecology(['invoke', '--as', 'mallory', '--key', 'my-key.1', 'genesis_ledger', 'balance']);
    expect(ok).toMatchObject({ code: 0, json: { ok: true, key: 'my-key.1' } });
  });
});

test('migration 012 renames artifacts with ":" ids (and what refers to them) and refuses principals with one, naming them', async () => {
  const db = await createTestDatabase({ migrate: false });
  try {
    const before = mkdtempSync(join(tmpdir(), 'migrations-'));
    const all = listMigrations();
    // Every migration but 012, so that today's bootstrap code finds the tables it writes.
    for (const m of all.filter((x) => x.version !== 12)) cpSync(join(__dirname, '..', '..', 'migrations', m.name), join(before, m.name));
    await migrate(db.pool, before);
    await bootstrapGenesis(db.pool);
    await createOperatorPrincipal(db.pool, w.config, { id: 'owner', kind: 'agent', scrip: 0, compute: 0 });
    const insert = (id: string, extra: { standing?: boolean; contract?: string } = {}) =>
      db.pool.query(
        `INSERT INTO artifacts (id, type, content, code, owner_id, access_contract_id, has_standing, can_execute, size_bytes)
         VALUES ($1, 'tool', '{}', 'x', 'owner', $2, $3, true, 2)`,
        [id, extra.contract ?? 'genesis_owner_only', extra.standing ?? false],
      );
    await insert('evil:1:ubi');
    await insert('evil_1_ubi'); // the plain rename is taken
    await insert('spawn');
    await insert('guarded', { contract: 'evil:1:ubi' });
    await db.pool.query(`INSERT INTO oracle_bids (bidder_id, artifact_id, amount, held, status, closed_at) VALUES ('owner', 'evil:1:ubi', 5, 0, 'cancelled', now())`);
    await insert('bad:agent', { standing: true });
    await expect(migrate(db.pool)).rejects.toThrow(/migration 012: these principals .*bad:agent/);
    // Nothing of 012 was applied; without the principal it applies.
    expect((await db.pool.query(`SELECT id FROM artifacts WHERE id = 'evil:1:ubi'`)).rowCount).toBe(1);
    await db.pool.query(`DELETE FROM artifacts WHERE id = 'bad:agent'`);
    expect((await migrate(db.pool)).applied).toEqual(all.filter((x) => x.version === 12).map((x) => x.name));
    const ids = (await db.pool.query<{ id: string }>(`SELECT id FROM artifacts WHERE NOT genesis ORDER BY id`)).rows.map((r) => r.id);
    expect(ids).toEqual(['evil_1_ubi', 'evil_1_ubi_2', 'guarded', 'owner', 'spawn_']);
    expect((await db.pool.query(`SELECT access_contract_id FROM artifacts WHERE id = 'guarded'`)).rows[0].access_contract_id).toBe('evil_1_ubi_2');
    expect((await db.pool.query(`SELECT artifact_id FROM oracle_bids`)).rows).toEqual([{ artifact_id: 'evil_1_ubi_2' }]);
    // The database itself now refuses ':' in an id.
    await expect(insert('again:1')).rejects.toThrow(/artifacts_id_check/);
  } finally {
    await db.drop();
  }
});
