/**
 * `ecology experiment run` end to end on the real services with the scripted fake LLM: two agents,
 * two bounties. `maker` publishes a doubling helper; `solver` solves `triple` alone and `double` by
 * composing maker's helper through ctx.invoke. In `society` both are solved; in `isolated` the
 * composition is refused, so only `triple` is. Every number of report.json is checked against the
 * one computed by hand from the script; then report.html is rendered in Chromium (no network) and
 * a screenshot saved to docs/experiment-report.png.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Client as PgClient } from 'pg';
import { deepMerge, loadConfig } from '../../src/config/load';
import { priceOf, costMicros } from '../../src/llm/pricing';
import { main } from '../../src/cli/main';
import type { ExperimentReport } from '../../src/experiments/report';
import { SETTLE, testOverrides } from '../agents/support/harness';
import { workflowBundle } from '../agents/support/bundle';
import { launchBrowser } from '../dashboard/support/browser';
import { TEST_SANDBOX } from '../invoke/support';
import { sandboxImage } from '../sandbox/support';
import { fakeLlmOverrides, startFakeLlm, type FakeLlm } from '../support/fakeLlm';

const USAGE = { prompt_tokens: 2000, completion_tokens: 100, cached_tokens: 0 };
const write = (id: string, code: string) => JSON.stringify({ action: 'write_artifact', id, type: 'tool', code, can_execute: true, content: { description: id } });
const submit = (bounty: string, artifact: string) => JSON.stringify({ action: 'invoke_artifact', id: 'genesis_bounty', method: 'submit', args: { bounty_id: bounty, artifact_id: artifact } });
const SCRIPTS: Record<string, string[]> = {
  maker: [write('doubler', 'export async function run(a) { return a.x * 2 }')],
  solver: [
    write('triple_sol', 'export async function run(a) { return a.x * 3 }'),
    submit('triple', 'triple_sol'),
    write('double_sol', "export async function run(a, ctx) { return await ctx.invoke('doubler', 'run', { x: a.x }, { allowance: { compute: 1000 } }) }"),
    submit('double', 'double_sol'),
  ],
};
const checker = (x: number, want: number, score: number) =>
  `export async function run(args, ctx) { const out = await ctx.invoke(args.submission, 'run', { x: ${x} }, { allowance: { compute: 60000 } }); return { pass: out === ${want}, score: out === ${want} ? ${score} : 0 } }`;

let fake: FakeLlm;
let report: ExperimentReport;
let paths: { json: string; html: string };
/** Index of the first fake LLM call of each arm. */
const armStarts: Record<string, number> = {};
let name: string;
let code: number;
let last: { report: string; html: string };
/** The progress lines the command printed on stderr. */
const progress: string[] = [];

beforeAll(async () => {
  fake = await startFakeLlm();
  fake.respond((body) => {
    const prompt = body.messages.map((m) => m.content).join('\n');
    const agent = /^Agent: (.+)$/m.exec(prompt)?.[1] ?? '';
    const iteration = Number(/^Iteration: (\d+)$/m.exec(prompt)?.[1] ?? -1);
    return { content: SCRIPTS[agent]?.[iteration] ?? SETTLE, usage: USAGE };
  });
  const dir = mkdtempSync(join(tmpdir(), 'experiment-'));
  writeFileSync(
    join(dir, 'suite.json'),
    JSON.stringify({
      name: 'e2e',
      description: 'two bounties; double is easier with the helper maker publishes',
      bounties: [
        { id: 'triple', description: 'run({x}) returns 3x', reward: 5, deadline_minutes: 60, checker: checker(7, 21, 80) },
        { id: 'double', description: 'run({x}) returns 2x', reward: 7, deadline_minutes: 60, checker: checker(21, 42, 90) },
      ],
    }),
  );
  name = `e2e_${randomBytes(3).toString('hex')}`;
  const specFile = join(dir, 'spec.json');
  writeFileSync(
    specFile,
    JSON.stringify({
      name,
      agents: [
        { id: 'maker', system_prompt: 'You make helpers.', endowment: { scrip: 100, compute: 50_000 } },
        { id: 'solver', system_prompt: 'You solve bounties.', endowment: { scrip: 100, compute: 50_000 } },
      ],
      suite: 'suite.json',
      budget_usd: 5,
      minutes: 60,
    }),
  );
  const configFile = join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      deepMerge(deepMerge({ temporal: { address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' }, ...fakeLlmOverrides(fake) }, testOverrides()), {
        // Generous: a nested call's cold container start counts against its caller's time, on a busy machine.
        sandbox: { ...TEST_SANDBOX, limits: { ...TEST_SANDBOX.limits, timeoutMs: 20_000 }, image: await sandboxImage() },
        // A run reserves its worst case (its time limit at its CPUs) from the allowances above it: the
        // checker's must exceed the submission's reservation for the submission to pass some on.
        bounties: { deadlineRecheckSeconds: 1, checkComputeAllowance: 100_000 },
        experiments: { dir: join(dir, 'experiments'), pollMs: 500, stopTimeoutMs: 15_000 },
      }),
    ),
  );
  // The command reads the workflow bundle from $ECOLOGY_DATA_DIR: give it the tests' cached one.
  const data = join(dir, 'data');
  mkdirSync(data);
  const { file } = await workflowBundle();
  copyFileSync(file, join(data, basename(file)));

  const stdout: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (stdout.push(String(c)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c) => {
    for (const line of String(c).split('\n')) {
      const arm = /^experiment: arm (\w+) #1: starting/.exec(line)?.[1];
      if (arm) armStarts[arm] = fake.calls.length;
      if (/^experiment: \w+ #\d+ {2}elapsed/.test(line)) progress.push(line);
    }
    return true;
  });
  const saved = process.env.ECOLOGY_DATA_DIR;
  process.env.ECOLOGY_DATA_DIR = data;
  try {
    code = await main(['experiment', 'run', specFile, '--minutes', '0.5', '--json', '--config', configFile]);
  } finally {
    if (saved === undefined) delete process.env.ECOLOGY_DATA_DIR;
    else process.env.ECOLOGY_DATA_DIR = saved;
    out.mockRestore();
    err.mockRestore();
  }
  last = JSON.parse(stdout.join('').trim().split('\n').at(-1)!);
  if (code !== 0) throw new Error(`experiment run failed: ${stdout.join('')}`);
  report = JSON.parse(readFileSync(last.report, 'utf8')) as ExperimentReport;
  paths = { json: last.report, html: last.html };
}, 240_000);
afterAll(() => fake?.close());

const run = (arm: string) => report.runs.find((r) => r.arm === arm)!;
/** The dollars of the fake LLM calls made while `arm` ran: each costs USAGE at the model's price. */
function dollarsOf(arm: string): number {
  const end = arm === 'society' ? armStarts.isolated : fake.calls.length;
  const calls = end - armStarts[arm];
  const llm = loadConfig({ env: {} }).llm;
  const perCall = costMicros(USAGE, priceOf(llm, llm.defaultModel));
  return (calls * perCall) / 1_000_000;
}

test('the command ran both arms, printed progress, and its last line names the report', () => {
  expect(code).toBe(0);
  expect(last).toMatchObject({ report: expect.stringMatching(new RegExp(`experiments/${name}/report\\.json$`)), html: expect.stringMatching(/report\.html$/) });
  expect(progress.some((l) => /^experiment: society #1 {2}elapsed \d+ s {2}spent \$\d+\.\d{4} {2}solved 2$/.test(l))).toBe(true);
  expect(progress.some((l) => /^experiment: isolated #1 .* solved 1$/.test(l))).toBe(true);
});

test('society solves both bounties, isolated only the one that needs no one else\'s helper', () => {
  expect(report.runs.map((r) => [r.arm, r.repeat, r.stopped_by])).toEqual([['society', 1, 'time'], ['isolated', 1, 'time']]);
  const s = run('society').results;
  const i = run('isolated').results;
  expect(s.bounties).toMatchObject({ posted: 2, solved: 2, score: 170 });
  expect(s.bounties.solves.map((x) => [x.bounty, x.solver, x.reward, x.score]).sort()).toEqual([['double', 'solver', 7, 90], ['triple', 'solver', 5, 80]]);
  expect(i.bounties).toMatchObject({ posted: 2, solved: 1, score: 80 });
  expect(i.bounties.solves.map((x) => x.bounty)).toEqual(['triple']);
  expect(s.bounties.submissions).toEqual({ passed: 2 });
  expect(i.bounties.submissions).toEqual({ failed: 1, passed: 1 });
  expect(s.bounties.solved_over_time.at(-1)!.solved).toBe(2);
  expect(i.bounties.solved_over_time.at(-1)!.solved).toBe(1);
});

test('dollars, per-dollar figures and the headline equal the ones computed from the scripted calls', () => {
  const [ds, di] = [dollarsOf('society'), dollarsOf('isolated')];
  expect(ds).toBeGreaterThan(0);
  expect(run('society').results.spend.dollars).toBeCloseTo(ds, 9);
  expect(run('isolated').results.spend.dollars).toBeCloseTo(di, 9);
  expect(run('society').results.spend.llm_calls).toBe(armStarts.isolated - armStarts.society);
  expect(run('society').results.bounties.solved_per_dollar.value).toBeCloseTo(2 / ds, 6);
  expect(run('isolated').results.bounties.score_per_dollar.value).toBeCloseTo(80 / di, 6);
  const h = report.headline.collective_advantage;
  expect(h.solved.values).toHaveLength(1);
  expect(h.solved.mean).toBeCloseTo((2 / ds) / (1 / di), 6);
  expect(h.score.mean).toBeCloseTo((170 / ds) / (80 / di), 6);
  expect(h.solved).toMatchObject({ min: h.solved.mean, max: h.solved.mean, reasons: [] });
});

test('reuse and composition depth: only society invokes another agent\'s artifact, two levels down', () => {
  // Society: triple_sol and double_sol (depth 1, under the checker), maker's doubler (depth 2). Checkers are left out.
  expect(run('society').results.reuse).toEqual({ invocations: 3, of_others: 1, share: { value: 1 / 3 }, max_depth: 2, mean_depth: 4 / 3 });
  // Isolated: the doubler's invocation was refused, so it never ran.
  expect(run('isolated').results.reuse).toEqual({ invocations: 2, of_others: 0, share: { value: 0 }, max_depth: 1, mean_depth: 1 });
});

test('wealth, trades and specialisation as the script makes them', () => {
  const s = run('society').results;
  const i = run('isolated').results;
  // Rewards go to solver: 100 + 5 + 7 in society, 100 + 5 alone. Gini of two: |a - b| / (2 (a + b)).
  expect(s.wealth.final_scrip).toEqual({ maker: 100, solver: 112 });
  expect(s.wealth.final_gini_scrip).toBeCloseTo(12 / (2 * 212), 9);
  expect(i.wealth.final_scrip).toEqual({ maker: 100, solver: 105 });
  expect(i.wealth.final_gini_scrip).toBeCloseTo(5 / (2 * 205), 9);
  expect(s.wealth.gini_scrip_over_time.at(-1)!.gini).toBeCloseTo(12 / 424, 9);
  // Compute moves with CPU actually used, so only its Gini's consistency is checked.
  const compute = Object.values(s.wealth.final_compute);
  expect(compute).toHaveLength(2);
  expect(s.wealth.final_gini_compute).toBeCloseTo(Math.abs(compute[0] - compute[1]) / (2 * (compute[0] + compute[1])), 9);
  expect(s.trades).toEqual({ count: 0, artifact_sales: [], right_sales: [], mean_unit_price_by_right: {} });
  // solver: 2 writes, 2 submissions (invoke_artifact), then sleeps; its invocations: triple_sol and double_sol.
  const solver = s.specialisation.agents.find((a) => a.agent === 'solver')!;
  const sleeps = solver.actions - 4;
  expect(sleeps).toBeGreaterThanOrEqual(1);
  expect(solver.action_hhi).toBeCloseTo((2 ** 2 + 2 ** 2 + sleeps ** 2) / solver.actions ** 2, 9);
  expect(solver).toMatchObject({ invocations: 3, artifact_hhi: 3 * (1 / 3) ** 2 });
  expect(report.arms.map((a) => [a.arm, a.solved, a.reuse_share])).toEqual([['society', 2, 1 / 3], ['isolated', 1, 0]]);
});

test('each arm ran in a world of its own, dropped afterwards', async () => {
  const [s, i] = [run('society'), run('isolated')];
  expect(s.database).toBe(`ecology_exp_${name}_society_1`);
  expect(new Set([s.database, i.database]).size).toBe(2);
  expect(new Set([s.namespace, i.namespace]).size).toBe(2);
  const admin = new PgClient({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  try {
    const left = await admin.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [[s.database, i.database]]);
    expect(left.rows).toEqual([]);
  } finally {
    await admin.end();
  }
});

test('report.html renders in Chromium with its charts, asks the network for nothing, and is saved as a screenshot', async () => {
  const browser = await launchBrowser({ width: 1280, height: 900 });
  try {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${paths.html}`);
    expect(await page.locator('figure svg').count()).toBe(4);
    expect(await page.locator('svg polyline').count()).toBeGreaterThanOrEqual(4);
    expect(await page.textContent('.headline')).toContain('×');
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await page.screenshot({ path: join(__dirname, '..', '..', 'docs', 'experiment-report.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}, 60_000);
