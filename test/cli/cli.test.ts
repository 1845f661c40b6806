/** The `ecology` command, run as a separate process against a fresh database. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { COMMANDS } from '../../src/cli/commands';
import { main } from '../../src/cli/main';
import { audit } from '../../src/audit/audit';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ecology.cjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (the last line), when it is JSON. */
  json: any;
}

let db: TestDatabase;

function ecology(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, ...env };
    delete childEnv.ECOLOGY_CONFIG;
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      let json: unknown;
      try {
        json = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/**
 * The same program in this process (what bin/ecology.cjs runs, minus tsx start-up), for the many
 * argument-checking cases: exit code, stdout and stderr as a spawned run would give them.
 */
async function inProcess(args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = db.url;
  try {
    const code = await main(args);
    const text = out.join('');
    let json: unknown;
    try {
      json = JSON.parse(text.trim().split('\n').pop() ?? '');
    } catch {
      json = undefined;
    }
    return { code, stdout: text, stderr: err.join(''), json };
  } finally {
    process.env.DATABASE_URL = saved;
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Asserts the exit code, showing the output when it differs. */
function expectExit(r: Run, code: number): void {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code, stdout: expect.any(String), stderr: expect.any(String) });
}

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
});
afterAll(() => db.drop());
afterEach(async () => {
  const report = await audit(db.pool);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
});

describe('ecology CLI', () => {
  it('migrate applies the schema and the genesis artifacts; a second run does nothing', async () => {
    const first = await ecology(['migrate', '--json']);
    expectExit(first, 0);
    expect(first.json).toMatchObject({ ok: true });
    expect(first.json.applied).toContain('001_foundation.sql');
    expect(first.json.genesis_created).toEqual(expect.arrayContaining(['genesis_ledger', 'genesis_store', 'mint', 'treasury', 'genesis_public']));
    const second = await ecology(['migrate', '--json']);
    expectExit(second, 0);
    expect(second.json).toEqual({ ok: true, applied: [], genesis_created: [] });
  });

  it('principal create issues scrip from the mint and compute', async () => {
    const [alice, bob] = await Promise.all([
      ecology(['principal', 'create', 'alice', '--scrip', '500', '--compute', '100', '--json']),
      ecology(['principal', 'create', 'bob', '--scrip', '50', '--kind', 'account', '--json']),
    ]);
    expectExit(alice, 0);
    expect(alice.json).toEqual({ ok: true, result: { id: 'alice', scrip: 500, compute: 100 } });
    expect(bob.json).toEqual({ ok: true, result: { id: 'bob', scrip: 50, compute: 0 } });
    const j = await db.pool.query(`SELECT debit_principal, credit_principal, amount::int, kind FROM journal ORDER BY credit_principal`);
    expect(j.rows).toEqual([
      { debit_principal: 'mint', credit_principal: 'alice', amount: 500, kind: 'issuance' },
      { debit_principal: 'mint', credit_principal: 'bob', amount: 50, kind: 'issuance' },
    ]);
    const again = await inProcess(['principal', 'create', 'alice', '--scrip', '1', '--json']);
    expectExit(again, 1);
    expect(again.json).toEqual({ ok: false, error: { code: 'ALREADY_EXISTS', message: 'artifact alice already exists' } });
  });

  it('invoke: success prints the result; a failure exits 1 with {ok:false, error:{code, message}}', async () => {
    const [ok, failed] = await Promise.all([
      ecology(['invoke', '--as', 'alice', 'genesis_ledger', 'transfer', '{"to":"bob","amount":20,"memo":"hi"}', '--key', 'cli-k1', '--json']),
      ecology(['invoke', '--as', 'bob', 'genesis_ledger', 'transfer', '{"to":"alice","amount":999}', '--json']),
    ]);
    expectExit(ok, 0);
    expect(ok.json).toEqual({
      ok: true,
      result: { transfer_id: 'cli-k1', seq: expect.any(Number), from: 'alice', to: 'bob', asset: 'scrip', amount: 20, replayed: false },
      key: 'cli-k1',
      replayed: false,
      compute_charged: 1,
    });
    expectExit(failed, 1);
    expect(failed.json).toEqual({
      ok: false,
      // bob holds 50, or 70 once alice's concurrent transfer has landed.
      error: { code: 'INSUFFICIENT_FUNDS', message: expect.stringMatching(/^bob has (50|70) scrip, needs 999$/), details: { balance: expect.any(Number), needed: 999 } },
      key: expect.stringMatching(/^cli:/),
      replayed: false,
      compute_charged: 1,
    });

    // The same key again replays; with another payload it is a conflict; without --json a failure is one line.
    const replay = await inProcess(['invoke', '--as', 'alice', 'genesis_ledger', 'transfer', '{"to":"bob","amount":20,"memo":"hi"}', '--key', 'cli-k1', '--json']);
    expectExit(replay, 0);
    expect(replay.json).toEqual({ ...ok.json, replayed: true });
    const conflict = await inProcess(['invoke', '--as', 'alice', 'genesis_ledger', 'transfer', '{"to":"bob","amount":21}', '--key', 'cli-k1', '--json']);
    expectExit(conflict, 1);
    expect(conflict.json.error.code).toBe('IDEMPOTENCY_CONFLICT');
    const human = await inProcess(['invoke', '--as', 'bob', 'genesis_ledger', 'nope']);
    expectExit(human, 1);
    expect(human.stdout).toContain('failed: NOT_FOUND: genesis_ledger has no method nope');
  });

  it('balances --json: an array of {principal, scrip, compute, ...}', async () => {
    const r = await ecology(['balances', '--json']);
    expectExit(r, 0);
    expect(Array.isArray(r.json)).toBe(true);
    const by = Object.fromEntries(r.json.map((b: { principal: string }) => [b.principal, b]));
    // alice: 500 - 20 scrip; her compute (100 issued, accruing at the configured rate) paid for her calls.
    expect(by.alice).toMatchObject({ principal: 'alice', scrip: 480, compute: expect.any(Number), in_debt: false, system: false });
    expect(by.alice.compute).toBeGreaterThan(0);
    expect(by.bob).toMatchObject({ principal: 'bob', scrip: 70, system: false });
    expect(by.mint).toMatchObject({ principal: 'mint', scrip: -550, system: true });
    for (const b of r.json) expect(Object.keys(b)).toEqual(expect.arrayContaining(['principal', 'scrip', 'compute']));
  });

  it('audit --json: {ok, checks:[{name, ok, detail}]}; exit 0 when healthy, non-zero after corruption', async () => {
    const good = await ecology(['audit', '--json']);
    expectExit(good, 0);
    expect(good.json.ok).toBe(true);
    expect(good.json.checks.length).toBeGreaterThanOrEqual(5);
    for (const c of good.json.checks) expect(c).toEqual({ name: expect.any(String), ok: true, detail: expect.any(String) });

    await db.pool.query(`UPDATE accounts SET balance = balance + 1 WHERE principal_id = 'bob' AND asset = 'scrip'`);
    try {
      const bad = await ecology(['audit', '--json']);
      const badHuman = await inProcess(['audit']);
      expectExit(bad, 1);
      expect(bad.json.ok).toBe(false);
      const failing = bad.json.checks.filter((c: { ok: boolean }) => !c.ok).map((c: { name: string }) => c.name).sort();
      expect(failing).toEqual(['asset_sums_to_zero', 'balances_match_journal']);
      expectExit(badHuman, 1);
      expect(badHuman.stdout).toContain('FAIL balances_match_journal: bob/scrip: balance 71, journal 70');
    } finally {
      await db.pool.query(`UPDATE accounts SET balance = balance - 1 WHERE principal_id = 'bob' AND asset = 'scrip'`);
    }
    expect((await audit(db.pool)).ok).toBe(true);
  });

  it('unknown commands and bad options exit non-zero with a clear message', async () => {
    const [unknownJson, bogus, abc] = await Promise.all([
      ecology(['frobnicate', '--json']),
      ecology(['balances', '--bogus']),
      ecology(['principal', 'create', 'carol', '--scrip', 'abc', '--json']),
    ]);
    expectExit(unknownJson, 1);
    expect(unknownJson.json).toEqual({ ok: false, error: { code: 'USAGE', message: 'unknown command frobnicate; run "ecology help"' } });
    expectExit(bogus, 1);
    expect(bogus.stderr).toContain("ecology: USAGE: Unknown option '--bogus'");
    expectExit(abc, 1);
    expect(abc.json.error).toEqual({ code: 'USAGE', message: expect.stringContaining('--scrip must be a whole number') });

    const cases: Array<[string[], string, string]> = [
      [['frobnicate'], 'USAGE', 'unknown command frobnicate'],
      [['audit', '--verbose', '--json'], 'USAGE', "Unknown option '--verbose'"],
      [['principal', 'create', 'carol', '--scrip', '-5', '--json'], 'USAGE', "Option '--scrip' argument is ambiguous"],
      [['principal', 'create', 'carol', '--scrip', '1.5', '--json'], 'USAGE', '--scrip must be a whole number'],
      [['principal', 'create', 'carol', '--compute', '99999999999999999999', '--json'], 'USAGE', '--compute must be a whole number'],
      [['principal', 'create', 'carol', '--scrip', '--json'], 'USAGE', "Option '--scrip' argument is ambiguous"],
      [['principal', 'create', 'carol', '--scrip'], 'USAGE', "Option '--scrip <value>' argument missing"],
      [['principal', 'create', 'carol', '--kind', 'robot', '--json'], 'USAGE', '--kind must be agent or account'],
      [['principal', 'create', '--json'], 'USAGE', 'expected: principal create <id>'],
      [['principal', 'delete', 'alice', '--json'], 'USAGE', 'expected: principal create <id>'],
      [['principal', 'create', 'bad id', '--json'], 'INVALID_ARGUMENT', 'id'],
      [['principal', 'create', 'carol', '--content', '{oops', '--json'], 'USAGE', '--content is not valid JSON'],
      [['invoke', 'genesis_ledger', 'balance', '--json'], 'USAGE', 'expected --as <principal> <artifact> <method>'],
      [['invoke', '--as', 'alice', '--json'], 'USAGE', 'expected --as <principal> <artifact> <method>'],
      [['invoke', '--as', 'alice', 'genesis_ledger', 'balance', '{not json', '--json'], 'USAGE', 'json-args is not valid JSON'],
      [['invoke', '--as', 'alice', 'genesis_ledger', 'balance', '--key'], 'USAGE', "Option '--key <value>' argument missing"],
    ];
    for (const [args, code, message] of cases) {
      const r = await inProcess(args);
      expect([args, r.code]).toEqual([args, 1]);
      const error = args.includes('--json') ? r.json.error : { code: r.stderr.split(': ')[1], message: r.stderr };
      expect([args, error.code]).toEqual([args, code]);
      expect(error.message).toContain(message);
    }
    const none = await inProcess([]);
    expectExit(none, 1);
    expect(none.stdout).toContain('usage: ecology <command>');
    // None of these changed anything.
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM artifacts WHERE id IN ('carol', 'bad id')`)).rows[0].n).toBe(0);
  });

  it('an unreachable database gives DATABASE_UNREACHABLE (and never prints the password)', async () => {
    const json = await ecology(['audit', '--json'], { DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:1/ecology' });
    expectExit(json, 1);
    expect(json.json).toEqual({ ok: false, error: { code: 'DATABASE_UNREACHABLE', message: expect.stringContaining('cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:1/ecology') } });
    expect(json.stdout + json.stderr).not.toContain('hunter2');
    const saved = db.url;
    try {
      (db as { url: string }).url = 'postgres://postgres@127.0.0.1:1/ecology';
      const human = await inProcess(['balances']);
      expectExit(human, 1);
      expect(human.stderr).toContain('ecology: DATABASE_UNREACHABLE: cannot reach PostgreSQL');
      const other = new URL(saved);
      other.pathname = '/no_such_database_here';
      (db as { url: string }).url = other.toString();
      const missing = await inProcess(['balances', '--json']);
      expectExit(missing, 1);
      expect(missing.json.error.code).toBe('DATABASE_UNREACHABLE');
      expect(missing.json.error.message).toContain('does not exist');
    } finally {
      (db as { url: string }).url = saved;
    }
  });

  it('every command has --help; typos get a suggestion; unknown options say what the command takes', async () => {
    for (const c of COMMANDS) {
      const r = await inProcess([c.name, '--help']);
      expect([c.name, r.code]).toEqual([c.name, 0]);
      expect(r.stdout).toContain(`usage: ecology ${c.usage}`);
      expect(r.stdout).toContain(c.summary);
    }
    const typo = await inProcess(['agnets']);
    expectExit(typo, 1);
    expect(typo.stderr).toContain('unknown command agnets; did you mean "agents"?');
    const option = await inProcess(['balances', '--jsno']);
    expectExit(option, 1);
    expect(option.stderr).toContain(`Unknown option '--jsno'; did you mean "--json"?`);
    expect(option.stderr).not.toContain('positional');
    const missing = await inProcess(['agent', 'zed', '--json']);
    expect(missing.json.error).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining('"ecology agents" lists the agents') });
    const types = await inProcess(['events', '--types', 'transfr', '--json']);
    expect(types.json.error).toEqual({ code: 'USAGE', message: expect.stringContaining('unknown event type transfr; did you mean "transfer"?') });
  });

  it('balances: one meaning of in debt (an LLM-token debt counts), and a text table with every column, naturally sorted', async () => {
    for (const id of ['s10', 's2']) expectExit(await ecology(['principal', 'create', id, '--scrip', '5']), 0);
    await db.pool.query(`INSERT INTO buckets (principal_id, resource, balance) VALUES ('s2', 'llm_tokens', -2644)
                         ON CONFLICT (principal_id, resource) DO UPDATE SET balance = -2644, updated_at = now()`);
    const r = await ecology(['balances', '--json']);
    const s2 = r.json.find((b: { principal: string }) => b.principal === 's2');
    expect(s2).toMatchObject({ llm_tokens: expect.any(Number), in_debt: true, llm_tokens_in_debt: true, compute_in_debt: false });
    expect(s2.llm_tokens).toBeLessThan(0);
    const text = await ecology(['balances']);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^PRINCIPAL\s+SCRIP\s+COMPUTE\s+LLM_TOKENS\s+IN DEBT$/);
    const order = lines.slice(1).map((l) => l.split(/\s+/)[0]);
    expect(order.indexOf('s2')).toBeLessThan(order.indexOf('s10'));
    expect(lines.find((l) => l.startsWith('s2 '))).toMatch(/-\d+\s+llm_tokens$/);
  });

  it('a busy dashboard port is named, with how to choose another', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await ecology(['dashboard', '--port', String(port), '--json'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
      expectExit(r, 1);
      expect(r.json.error.message).toContain(`127.0.0.1:${port}: the port is in use`);
      expect(r.json.error.message).toContain('--port N');
    } finally {
      busy.close();
    }
  });
});
