/**
 * Suite files and `ecology bounties load`: the strict schema (typed errors naming the entry and the
 * field), and the calls a load makes. The checker artifacts are written through the real invoke()
 * path on a real database; genesis_bounty (built elsewhere, merged later) is a recorder that keeps
 * dispatch's rules: a key replays its first outcome, failures included, and refuses other arguments.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSuite, planSuiteLoad, type CallAs, type GenesisCall } from '../../src/bountyChecks/loadSuite';
import { readSuite, type Suite } from '../../src/bounties/suite';
import { EcologyError, type ErrorCode } from '../../src/errors';
import type { Outcome } from '../../src/genesis/dispatch';
import { CONTRACTS } from '../../src/ids';
import { invoke } from '../../src/invoke/invoke';
import { setupWorld, type World } from '../invoke/support';

const ROOT = path.join(__dirname, '..', '..');
const STARTER = path.join(ROOT, 'bounties/suites/starter.json');
const LIMITS = { maxCodeBytes: 65536 };

let w: World;
let tmp: string;

beforeAll(async () => {
  w = await setupWorld({ sandbox: null });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'suite-'));
}, 60_000);
afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await w?.close();
});

/** Writes a suite (and its files) into a fresh folder; returns the suite file's path. */
let folders = 0;
function suiteFile(suite: unknown, files: Record<string, string> = { 'c/a.js': 'export function run() { return { pass: true, score: 100 } }' }): string {
  const dir = path.join(tmp, `s${++folders}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const file = path.join(dir, 'suite.json');
  writeFileSync(file, typeof suite === 'string' ? suite : JSON.stringify(suite));
  return file;
}

const entry = (over: Record<string, unknown> = {}) => ({ id: 'a', description: 'task a', reward: 5, deadline_minutes: 60, checker_file: 'c/a.js', ...over });
const suiteOf = (bounties: unknown[], over: Record<string, unknown> = {}) => ({ name: 'mini', description: 'a small suite', bounties, ...over });

function refusal(file: string, limits = LIMITS): EcologyError {
  try {
    readSuite(file, limits);
  } catch (e) {
    if (e instanceof EcologyError) return e;
    throw e;
  }
  throw new Error('the suite was accepted');
}

describe('suite files', () => {
  test('the shipped starter suite: twenty bounties, each checker its own file after the shared prelude', () => {
    const suite = readSuite(STARTER, LIMITS);
    expect(suite.name).toBe('starter');
    expect(suite.bounties).toHaveLength(20);
    for (const b of suite.bounties) {
      expect(b.checkerId).toBe(`checker.starter.${b.id}`);
      expect(b.checkerSource).toBe(`starter/${b.id}.js`);
      expect(b.checkerCode).toMatch(/^\/\* eslint-disable[^\n]*\n[\s\S]*function runCases[\s\S]*export async function run\(args, ctx\)/);
      expect(b.reward).toBeGreaterThan(0);
    }
    // The composed tasks point at the tasks they build on, which are in the suite.
    const ids = new Set(suite.bounties.map((b) => b.id));
    for (const b of suite.bounties.filter((x) => /much easier by composition/i.test(x.description))) {
      const named = [...b.description.matchAll(/bount(?:y|ies) ([a-z_]+)(?: and ([a-z_]+))?/g)].flatMap((m) => [m[1], m[2]]).filter((x): x is string => !!x);
      expect(named.length).toBeGreaterThan(0);
      for (const id of named) expect(ids).toContain(id);
    }
  });

  test.each<[string, unknown, RegExp]>([
    ['reward 0', suiteOf([entry(), entry({ id: 'b', reward: 0 })]), /bounties\[1\] \(b\)\.reward: must be at least 1/],
    ['reward as text', suiteOf([entry({ reward: '5' })]), /bounties\[0\] \(a\)\.reward: must be a number/],
    ['fractional reward', suiteOf([entry({ reward: 1.5 })]), /bounties\[0\] \(a\)\.reward: must be a whole number/],
    ['no deadline', suiteOf([entry({ deadline_minutes: undefined })]), /bounties\[0\] \(a\)\.deadline_minutes/],
    ['unknown mode', suiteOf([entry({ mode: 'worst' })]), /bounties\[0\] \(a\)\.mode: must be "first" or "best"/],
    ['a misspelt field', suiteOf([entry({ rewrd: 5 })]), /bounties\[0\] \(a\).*rewrd/],
    ['both checker and checker_file', suiteOf([entry({ checker: 'export function run() {}' })]), /bounties\[0\] \(a\)\.checker: give exactly one of checker/],
    ['neither checker nor checker_file', suiteOf([entry({ checker_file: undefined })]), /bounties\[0\] \(a\)\.checker: give exactly one of checker/],
    ['an absolute checker_file', suiteOf([entry({ checker_file: '/etc/hostname.js' })]), /bounties\[0\] \(a\)\.checker_file: must be the relative path of a \.js file/],
    ['a checker_file that is not .js', suiteOf([entry({ checker_file: 'c/a.txt' })]), /bounties\[0\] \(a\)\.checker_file: must be the relative path of a \.js file/],
    ['a checker_file outside the folder', suiteOf([entry({ checker_file: '../outside.js' })]), /bounties\[0\] \(a\)\.checker_file: no readable file \.\.\/outside\.js/],
    ['a missing checker_file', suiteOf([entry({ checker_file: 'c/missing.js' })]), /bounties\[0\] \(a\)\.checker_file: no readable file c\/missing\.js/],
    ['a reserved id', suiteOf([entry({ id: 'genesis_x' })]), /bounties\[0\] \(genesis_x\)\.id: ids starting with genesis_ are reserved/],
    ['an id with ":"', suiteOf([entry({ id: 'a:b' })]), /bounties\[0\] \(a:b\)\.id: must be 1-128 characters/],
    ['the same id twice', suiteOf([entry(), entry()]), /bounties\[1\] \(a\)\.id: bounty a appears twice/],
    ['no bounties', suiteOf([]), /bounties: must hold at least one bounty/],
    ['a suite name with a dot', suiteOf([entry()], { name: 'a.b' }), /name: must be 1-32 characters/],
    ['a missing prelude', suiteOf([entry()], { checker_prelude_file: 'c/prelude.js' }), /checker_prelude_file: no readable file c\/prelude\.js/],
    ['text that is not JSON', '{"name": "mini",', /suite .*suite\.json: .*JSON/],
  ])('refused with INVALID_ARGUMENT naming the entry and field: %s', (_what, suite, message) => {
    const e = refusal(suiteFile(suite));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(message);
  });

  test('a checker file that links out of the suite folder is refused; a checker above limits.maxCodeBytes too', () => {
    const outside = path.join(tmp, 'secret.js');
    writeFileSync(outside, 'export const secret = 1;');
    const file = suiteFile(suiteOf([entry({ checker_file: 'c/link.js' })]));
    symlinkSync(outside, path.join(path.dirname(file), 'c/link.js'));
    expect(refusal(file).message).toMatch(/bounties\[0\] \(a\)\.checker_file: no readable file c\/link\.js/);
    const big = suiteFile(suiteOf([entry({ checker_file: undefined, checker: `export function run() { return ${'1+'.repeat(100)}1 }` })]));
    expect(refusal(big, { maxCodeBytes: 100 }).message).toMatch(/bounties\[0\] \(a\)\.checker: the checker \(with the prelude\) is \d+ bytes, above limits\.maxCodeBytes 100/);
  });

  test('an inline checker and the prelude: the prelude comes first', () => {
    const file = suiteFile(suiteOf([entry({ checker_file: undefined, checker: 'export async function run() { return helper(); }' })], { checker_prelude_file: 'p.js' }), {
      'p.js': 'function helper() { return { pass: true, score: 100 }; }',
    });
    const [b] = readSuite(file, LIMITS).bounties;
    expect(b).toMatchObject({ id: 'a', checkerSource: 'inline', checkerCode: 'function helper() { return { pass: true, score: 100 }; }\nexport async function run() { return helper(); }' });
  });
});

/** genesis_bounty as dispatch would run it: keyed replay (failures too), ALREADY_EXISTS, NOT_FOUND. */
class BountyRecorder {
  readonly bounties = new Map<string, { poster: string; reward: number; deadline: string }>();
  readonly ops = new Map<string, { digest: string; outcome: Outcome }>();
  /** Bounty ids whose next post fails with this code (as a real failure would: recorded under its key). */
  readonly failNext = new Map<string, ErrorCode>();

  call(req: GenesisCall & { caller: string; key: string }): Outcome {
    const args = req.args as { id?: string; bounty_id?: string; reward?: number; deadline_seconds?: number };
    if (req.method === 'check') {
      const b = this.bounties.get(args.bounty_id!);
      return b ? { ok: true, result: { bounty_id: args.bounty_id, ...b }, replayed: false, compute_charged: 1 } : fail('NOT_FOUND', `bounty ${args.bounty_id} does not exist`);
    }
    const digest = JSON.stringify([req.caller, req.method, req.args]);
    const prior = this.ops.get(req.key);
    if (prior) return prior.digest === digest ? { ...prior.outcome, replayed: true } : fail('IDEMPOTENCY_CONFLICT', `key ${req.key} was already used for a different operation`);
    let outcome: Outcome;
    const failure = this.failNext.get(args.id!);
    if (failure) {
      this.failNext.delete(args.id!);
      outcome = fail(failure, 'refused');
    } else if (this.bounties.has(args.id!)) outcome = fail('ALREADY_EXISTS', `a bounty ${args.id} already exists`);
    else {
      const b = { poster: req.caller, reward: args.reward!, deadline: new Date(Date.now() + args.deadline_seconds! * 1000).toISOString() };
      this.bounties.set(args.id!, b);
      outcome = { ok: true, result: { bounty_id: args.id, ...b, status: 'open' }, replayed: false, compute_charged: 1 };
    }
    this.ops.set(req.key, { digest, outcome });
    return outcome;
  }
}

function fail(code: ErrorCode, message: string): Outcome {
  return { ok: false, error: { code, message }, replayed: false, compute_charged: 0 };
}

/** The real invoke() for everything but genesis_bounty; every call made, in order. */
function caller(service: BountyRecorder) {
  const calls: Array<{ artifactId: string; method: string; key: string; caller: string }> = [];
  const call: CallAs = async (req) => {
    calls.push({ artifactId: req.artifactId, method: req.method, key: req.key, caller: req.caller });
    return req.artifactId === 'genesis_bounty' ? service.call(req) : invoke(w.deps, req);
  };
  return { call, calls };
}

let lookups = 0;
const lookupKey = () => `t-lookup-${++lookups}`;

describe('loading a suite', () => {
  let starter: Suite;
  beforeAll(async () => {
    starter = readSuite(STARTER, LIMITS);
    await w.principal('sponsor', { scrip: 1000 });
  });

  test('the plan: per bounty a lookup, the private checker and the post, with keys of the suite and the bounty', () => {
    const plan = planSuiteLoad(starter);
    expect(plan).toHaveLength(20);
    const parse = plan.find((p) => p.id === 'parse_csv')!;
    expect(parse.keyBase).toBe('cli:suite:starter:parse_csv');
    expect(parse.lookup).toEqual({ artifactId: 'genesis_bounty', method: 'check', args: { bounty_id: 'parse_csv' } });
    expect(parse.checker).toMatchObject({
      artifactId: 'genesis_store',
      method: 'write',
      args: { id: 'checker.starter.parse_csv', type: 'checker', can_execute: true, access_contract_id: CONTRACTS.private, code: starter.bounties.find((b) => b.id === 'parse_csv')!.checkerCode },
    });
    expect(parse.post).toEqual({
      artifactId: 'genesis_bounty',
      method: 'post',
      args: { id: 'parse_csv', description: expect.stringContaining('RFC 4180'), checker: 'checker.starter.parse_csv', reward: 30, deadline_seconds: 360 * 60, mode: 'best' },
    });
    // mode only when the suite names one (the service's default is first).
    expect(plan.find((p) => p.id === 'tokenize')!.post.args).not.toHaveProperty('mode');
  });

  test('load posts each bounty once: checkers owned by the poster and private; loading again posts nothing and writes nothing', async () => {
    const service = new BountyRecorder();
    const first = caller(service);
    const results = await loadSuite(planSuiteLoad(starter), 'sponsor', first.call, lookupKey);
    expect(results.map((r) => r.status)).toEqual(starter.bounties.map(() => 'posted'));
    expect(results.find((r) => r.id === 'tokenize')).toMatchObject({ reward: 10, deadline: expect.stringMatching(/^\d{4}-/) });
    expect(first.calls.slice(0, 3)).toEqual([
      { artifactId: 'genesis_bounty', method: 'check', key: expect.stringMatching(/^t-lookup-/), caller: 'sponsor' },
      { artifactId: 'genesis_store', method: 'write', key: 'cli:suite:starter:reverse_words:checker:1', caller: 'sponsor' },
      { artifactId: 'genesis_bounty', method: 'post', key: 'cli:suite:starter:reverse_words:post:1', caller: 'sponsor' },
    ]);
    const checkers = await w.pool.query<{ id: string; owner_id: string; access_contract_id: string; can_execute: boolean; code: string }>(
      `SELECT id, owner_id, access_contract_id, can_execute, code FROM artifacts WHERE id LIKE 'checker.starter.%' ORDER BY id`,
    );
    expect(checkers.rows).toHaveLength(20);
    for (const c of checkers.rows) {
      expect(c).toMatchObject({ owner_id: 'sponsor', access_contract_id: CONTRACTS.private, can_execute: true });
      expect(c.code).toBe(starter.bounties.find((b) => b.checkerId === c.id)!.checkerCode);
    }

    const again = caller(service);
    const second = await loadSuite(planSuiteLoad(starter), 'sponsor', again.call, lookupKey);
    expect(second.map((r) => r.status)).toEqual(starter.bounties.map(() => 'already_posted'));
    expect(second[0]).toMatchObject({ poster: 'sponsor', reward: 8 });
    expect(again.calls.every((c) => c.method === 'check')).toBe(true);
    expect(service.bounties.size).toBe(20);
    await w.expectAuditOk();
  }, 60_000);

  test('a post that failed is tried again by the next load under the next key; an id someone else posted is reported, not an error', async () => {
    const service = new BountyRecorder();
    service.bounties.set('tokenize', { poster: 'mallory', reward: 1, deadline: '2030-01-01T00:00:00.000Z' });
    service.failNext.set('gcd_lcm', 'INSUFFICIENT_FUNDS');
    const suite: Suite = { ...starter, name: 'retry', bounties: starter.bounties.filter((b) => ['tokenize', 'gcd_lcm', 'is_prime'].includes(b.id)).map((b) => ({ ...b, checkerId: `checker.retry.${b.id}` })) };
    const first = await loadSuite(planSuiteLoad(suite), 'sponsor', caller(service).call, lookupKey);
    expect(first).toEqual([
      { id: 'tokenize', status: 'already_posted', reward: 1, deadline: '2030-01-01T00:00:00.000Z', poster: 'mallory' },
      { id: 'is_prime', status: 'posted', reward: 10, deadline: expect.any(String) },
      { id: 'gcd_lcm', status: 'failed', reward: 12, deadline: null, error: { code: 'INSUFFICIENT_FUNDS', message: 'refused' } },
    ]);
    const again = caller(service);
    const second = await loadSuite(planSuiteLoad(suite), 'sponsor', again.call, lookupKey);
    expect(second.map((r) => r.status)).toEqual(['already_posted', 'already_posted', 'posted']);
    // gcd_lcm: the checker's write replays, the failed post :1 replays its failure, :2 posts.
    expect(again.calls.filter((c) => c.method !== 'check').map((c) => c.key)).toEqual(['cli:suite:retry:gcd_lcm:checker:1', 'cli:suite:retry:gcd_lcm:post:1', 'cli:suite:retry:gcd_lcm:post:2']);
    expect(service.bounties.get('gcd_lcm')).toMatchObject({ poster: 'sponsor', reward: 12 });
    // Nobody's checker was written for tokenize: it was someone else's bounty already.
    const r = await w.pool.query(`SELECT 1 FROM artifacts WHERE id = 'checker.retry.tokenize'`);
    expect(r.rowCount).toBe(0);
  }, 60_000);

  test('a checker edited in the file before its bounty was ever posted is written under the next key (the old key refuses other code)', async () => {
    const service = new BountyRecorder();
    const only = starter.bounties.find((b) => b.id === 'levenshtein')!;
    const v1: Suite = { ...starter, name: 'edited', bounties: [{ ...only, checkerId: 'checker.edited.levenshtein' }] };
    service.failNext.set('levenshtein', 'INSUFFICIENT_FUNDS');
    expect((await loadSuite(planSuiteLoad(v1), 'sponsor', caller(service).call, lookupKey))[0]!.status).toBe('failed');
    const v2: Suite = { ...v1, bounties: [{ ...v1.bounties[0]!, checkerCode: `${only.checkerCode}\n// edited\n` }] };
    const again = caller(service);
    expect((await loadSuite(planSuiteLoad(v2), 'sponsor', again.call, lookupKey))[0]!.status).toBe('posted');
    expect(again.calls.filter((c) => c.method !== 'check').map((c) => c.key)).toEqual([
      'cli:suite:edited:levenshtein:checker:1',
      'cli:suite:edited:levenshtein:checker:2',
      'cli:suite:edited:levenshtein:post:1',
      'cli:suite:edited:levenshtein:post:2',
    ]);
    const r = await w.pool.query<{ code: string }>(`SELECT code FROM artifacts WHERE id = 'checker.edited.levenshtein'`);
    expect(r.rows[0]!.code).toMatch(/\/\/ edited\n$/);
  }, 60_000);
});

describe('ecology bounties load', () => {
  function ecology(args: string[]): Promise<{ code: number; json: any }> {
    return new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: w.db.url };
      delete env.ECOLOGY_CONFIG;
      execFile(process.execPath, [path.join(ROOT, 'bin', 'ecology.cjs'), ...args], { cwd: ROOT, env, timeout: 60_000 }, (err, stdout) => {
        let json: unknown;
        try {
          json = JSON.parse(stdout.trim().split('\n').pop() ?? '');
        } catch {
          json = undefined;
        }
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, json });
      });
    });
  }

  test('a bad suite file is refused before anything is written; --poster is needed', async () => {
    const bad = await ecology(['bounties', 'load', suiteFile(suiteOf([entry({ reward: -1 })])), '--poster', 'sponsor', '--json']);
    expect(bad).toMatchObject({ code: 1, json: { ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/bounties\[0\] \(a\)\.reward: must be at least 1/) } } });
    const noPoster = await ecology(['bounties', 'load', STARTER, '--json']);
    expect(noPoster).toMatchObject({ code: expect.any(Number), json: { ok: false, error: { message: expect.stringMatching(/--poster/) } } });
    expect(noPoster.code).not.toBe(0);
    const r = await w.pool.query(`SELECT 1 FROM artifacts WHERE owner_id = 'sponsor' AND id LIKE 'checker.mini.%'`);
    expect(r.rowCount).toBe(0);
  }, 60_000);
});
