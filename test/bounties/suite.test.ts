/**
 * The shipped starter suite against the real sandbox and invocation path: every checker, created as
 * an executable artifact of a poster, is invoked in a solver's name with {submission} (as the bounty
 * service does) and must pass the bounty's reference solution with score 100 and fail its wrong one;
 * the composed tasks' reference solutions reach the earlier tasks' tools (a third principal's) through
 * ctx.invoke; hostile submissions score nothing and learn nothing from the checker's answer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readSuite, type SuiteBounty } from '../../src/bounties/suite';
import { CONTRACTS } from '../../src/ids';
import type { InvocationOutcome } from '../../src/invoke/types';
import { setupWorld, show, TEST_SANDBOX, type World } from '../invoke/support';

const SUITE_FILE = path.join(__dirname, '../../bounties/suites/starter.json');
const SOLUTIONS = path.join(__dirname, 'solutions');
const solution = (file: string) => readFileSync(path.join(SOLUTIONS, file), 'utf8');

/** Tasks whose reference solution composes earlier tasks' tools (`sol_<task>`, the toolsmith's). */
const COMPOSED: Record<string, string[]> = {
  word_frequencies: ['sol_tokenize'],
  top_k_words: ['sol_word_frequencies', 'sol_tokenize'],
  totient: ['sol_prime_factors'],
  roman_add: ['sol_from_roman', 'sol_to_roman'],
  csv_column_stats: ['sol_parse_csv'],
  evaluate_expression: ['sol_infix_to_rpn', 'sol_evaluate_rpn'],
};

/** What the bounty service grants a checker in the submitter's name: compute for the runs it starts. */
const CHECK_GRANT = { allowance: { compute: 1_000_000 } };
/** Checkers run two at a time: each holds a poster container while solver and toolsmith containers answer it. */
const CONCURRENCY = 2;

let w: World;
const bounties: SuiteBounty[] = [];

beforeAll(async () => {
  w = await setupWorld({
    overrides: {
      // Production's depth. The time limit is generous: a check is one invocation of the submission
      // per case (and of the tools it composes), about 30 sagas for top_k_words, which on this shared
      // 2-core machine under load have taken over 15 s; what is tested here is the verdicts.
      sandbox: { maxDepth: 3, maxContainers: 8, limits: { ...TEST_SANDBOX.limits, timeoutMs: 60_000 } },
    },
  });
  bounties.push(...readSuite(SUITE_FILE, w.config.limits).bounties);
  await w.principal('poster');
  await w.principal('solver');
  await w.principal('toolsmith');
  for (const b of bounties) {
    // The service runs a private checker regardless of its contract; invoked directly here, it must be public.
    await w.artifact('poster', b.checkerId, { code: b.checkerCode, access_contract_id: CONTRACTS.public });
    await w.artifact('toolsmith', `sol_${b.id}`, { code: solution(`${b.id}.js`), access_contract_id: CONTRACTS.public });
    await w.artifact('solver', `ref_${b.id}`, { code: solution(`${b.id}.js`) });
    await w.artifact('solver', `wrong_${b.id}`, { code: solution(`${b.id}.wrong.js`) });
  }
}, 120_000);

afterAll(async () => {
  await w?.close();
});

interface Check {
  outcome: InvocationOutcome;
  key: string;
}

/** The checker of `bountyId` on `submission`, in the solver's name. */
async function check(bountyId: string, submission: string): Promise<Check> {
  const key = w.key();
  const outcome = await w.invoke('solver', `checker.starter.${bountyId}`, 'run', { submission }, key, CHECK_GRANT);
  return { outcome, key };
}

/** Runs the jobs `CONCURRENCY` at a time, in order of the list. */
async function inTurns<T, R>(items: T[], job: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return out;
}

/** The artifacts invoked (and paid) beneath an invocation. */
async function invokedBeneath(key: string): Promise<string[]> {
  const r = await w.pool.query<{ artifact_id: string }>(`SELECT DISTINCT artifact_id FROM invocations WHERE starts_with(key, $1) AND status = 'paid'`, [`${key}:`]);
  return r.rows.map((x) => x.artifact_id).sort();
}

test('the suite holds about twenty bounties, each with a reference and a wrong solution', () => {
  expect(bounties.length).toBeGreaterThanOrEqual(18);
  for (const b of bounties) {
    expect(solution(`${b.id}.js`)).toContain('export');
    expect(solution(`${b.id}.wrong.js`)).toContain('export');
  }
  // Every composed task tells agents which bounty's solutions it may use.
  for (const [id, tools] of Object.entries(COMPOSED)) {
    const b = bounties.find((x) => x.id === id)!;
    expect(b.description).toMatch(/ctx\.invoke/);
    for (const tool of tools.slice(0, 1)) expect(b.description).toContain(tool.replace(/^sol_/, ''));
  }
});

test('every checker passes its reference solution with score 100, and composed solutions call the earlier tools', async () => {
  const results = await inTurns(bounties, (b) => check(b.id, `ref_${b.id}`));
  const failures: string[] = [];
  for (const [i, b] of bounties.entries()) {
    const { outcome } = results[i]!;
    if (!(outcome.ok && (outcome.result as { pass: boolean }).pass === true && (outcome.result as { score: number }).score === 100)) failures.push(`${b.id}: ${show(outcome)}`);
  }
  expect(failures).toEqual([]);
  for (const [i, b] of bounties.entries()) {
    const beneath = await invokedBeneath(results[i]!.key);
    expect({ id: b.id, beneath }).toEqual({ id: b.id, beneath: [`ref_${b.id}`, ...(COMPOSED[b.id] ?? [])].sort() });
  }
  await w.expectAuditOk();
}, 600_000);

test('every checker fails its wrong solution, with only {pass, score} in its answer and nothing logged', async () => {
  const results = await inTurns(bounties, (b) => check(b.id, `wrong_${b.id}`));
  const failures: string[] = [];
  for (const [i, b] of bounties.entries()) {
    const { outcome } = results[i]!;
    if (!outcome.ok) {
      failures.push(`${b.id}: ${show(outcome)}`);
      continue;
    }
    const r = outcome.result as { pass: unknown; score: unknown };
    if (!(Object.keys(r).sort().join() === 'pass,score' && r.pass === false && typeof r.score === 'number' && r.score < 100)) failures.push(`${b.id}: ${show(r)}`);
    if (outcome.invocation?.logs) failures.push(`${b.id} logged: ${outcome.invocation.logs}`);
  }
  expect(failures).toEqual([]);
}, 600_000);

test('hostile submissions score 0: a throw, a forged verdict, numbers as strings, the wrong shape, no such artifact', async () => {
  const hostile: Array<[string, string, string]> = [
    ['tokenize', 'h_throw', `export function run() { throw new Error('no'); }`],
    ['tokenize', 'h_verdict', `export function run() { return { pass: true, score: 100 }; }`],
    ['evaluate_rpn', 'h_strings', `export function run({ tokens }) { return String(tokens.length === 1 ? tokens[0] : eval(tokens[0] + tokens[2] + tokens[1])); }`],
    ['word_frequencies', 'h_shape', `export function run({ text }) { return text.toLowerCase().match(/[a-z0-9]+/g) ?? []; }`],
    ['gcd_lcm', 'h_extra', `export function run() { return { gcd: 1, lcm: 1, pass: true, score: 100 }; }`],
  ];
  for (const [, id, code] of hostile) await w.artifact('solver', id, { code });
  const runs = await inTurns(hostile, ([bounty, id]) => check(bounty, id));
  runs.push(await check('tokenize', 'no_such_artifact'));
  for (const { outcome } of runs) {
    expect(outcome.ok).toBe(true);
    expect(outcome.ok && outcome.result).toEqual({ pass: false, score: 0 });
  }
  // Not a string at all: refused by the checker itself, nothing invoked.
  const odd = await w.invoke('solver', 'checker.starter.tokenize', 'run', { submission: { id: 'ref_tokenize' } }, w.key(), CHECK_GRANT);
  expect(odd.ok && odd.result).toEqual({ pass: false, score: 0 });
}, 600_000);

test('a probe that records the checker\'s inputs through a tool with standing learns cases that do not come again: its answer table fails', async () => {
  // The attack: the submission hands each input to the submitter's own tool with standing (which
  // acts as itself, beyond the checker's grant) and that tool writes them down for the submitter.
  const recorder = `export async function run(a, ctx) {
    const seen = await ctx.read('loot').then((x) => x.content.seen, () => []);
    await ctx.invoke('genesis_store', 'write', { id: 'loot', type: 'data', content: { seen: [...seen, a] } });
  }`;
  await w.artifact('solver', 'recorder', { code: recorder, has_standing: true, access_contract_id: CONTRACTS.public });
  expect((await w.invoke('solver', 'genesis_ledger', 'transfer_compute', { to: 'recorder', amount: 20_000 })).ok).toBe(true);
  await w.artifact('solver', 'h_probe', { code: `export async function run(a, ctx) { await ctx.invoke('recorder', 'run', a, { allowance: { compute: 100000 } }); return 'I'; }` });
  const probe = await check('to_roman', 'h_probe');
  expect(probe.outcome.ok && (probe.outcome.result as { pass: boolean }).pass).toBe(false);
  const loot = await w.invoke('solver', 'genesis_store', 'read', { id: 'loot' });
  const seen = loot.ok ? (loot.result as { content: { seen: Array<{ n: number }> } }).content.seen : [];
  expect(seen.length).toBeGreaterThanOrEqual(10);

  // The table: the right answer for every input the probe saw, the fixed cases and the random ones.
  const roman = (n: number) =>
    ([[1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I']] as const).reduce(
      (acc, [v, l]) => ({ n: acc.n % v, s: acc.s + l.repeat(Math.floor(acc.n / v)) }),
      { n, s: '' },
    ).s;
  const table = Object.fromEntries(seen.map(({ n }) => [n, roman(n)]));
  await w.artifact('solver', 'h_table', { code: `const T = ${JSON.stringify(table)};\nexport function run({ n }) { return T[n] ?? 'I'; }` });
  const { outcome } = await check('to_roman', 'h_table');
  expect(outcome.ok).toBe(true);
  const r = outcome.ok ? (outcome.result as { pass: boolean; score: number }) : null;
  expect(r?.pass).toBe(false);
  expect(r?.score).toBeLessThan(100);
}, 120_000);
