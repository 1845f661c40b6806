/** `ecology experiment compare <a> <b>`: two reports side by side (text and --json); bad input is a typed error. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { compareReports } from '../../src/experiments/compare';
import { buildReport, type ArmRun } from '../../src/experiments/report';
import type { ArmResults } from '../../src/experiments/results';
import { parseSpec } from '../../src/experiments/spec';

const spec = (name: string) => parseSpec({ name, agents: [{ id: 'a', system_prompt: 'p', endowment: { scrip: 1, compute: 1 } }], suite: 's.json', budget_usd: 1, minutes: 1 });

function results(solved: number, dollars: number, reuse: number | null): ArmResults {
  return {
    agents: ['a'],
    bounties: { posted: 2, solved, score: solved * 50, solves: [], solved_over_time: [], submissions: {}, solved_per_dollar: { value: solved / dollars }, score_per_dollar: { value: (solved * 50) / dollars } },
    oracle: { scores: [], mean_score: null },
    spend: { dollars, llm_calls: 1, per_agent_dollars: {}, cpu_ms_sandbox: 0, cpu_ms_llm: 0 },
    reuse: { invocations: 1, of_others: 0, share: reuse === null ? { value: null, reason: 'no invocations' } : { value: reuse }, max_depth: 1, mean_depth: 1 },
    specialisation: { agents: [], mean_action_hhi: null, mean_artifact_hhi: null },
    wealth: { gini_scrip_over_time: [], final_gini_scrip: 0, final_scrip: {}, final_compute: {}, final_gini_compute: 0 },
    trades: { count: 0, artifact_sales: [], right_sales: [], mean_unit_price_by_right: {} },
  };
}

function run(arm: 'society' | 'isolated', r: ArmResults): ArmRun {
  return { arm, repeat: 1, database: 'd', namespace: 'n', task_queue: 't', started_at: '', ended_at: '', elapsed_seconds: 60, stopped_by: 'time', kept: false, results: r };
}

const dir = mkdtempSync(join(tmpdir(), 'compare-'));
const a = buildReport(spec('first'), { minutes: 1, budget_usd: 1 }, [run('society', results(4, 0.5, 0.5)), run('isolated', results(1, 0.5, 0))], new Date(0), new Date(1));
const b = buildReport(spec('second'), { minutes: 2, budget_usd: 1 }, [run('society', results(2, 1, 0.25)), run('isolated', results(0, 1, null))], new Date(0), new Date(1));
for (const r of [a, b]) {
  mkdirSync(join(dir, r.name), { recursive: true });
  writeFileSync(join(dir, r.name, 'report.json'), JSON.stringify(r));
}
writeFileSync(join(dir, 'not-a-report.json'), '{"hello": 1}');

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({ experiments: { dir } }));
  try {
    const code = await main([...args, '--config', cfg]);
    return { code, out: chunks.join('') };
  } finally {
    out.mockRestore();
  }
}

test('the headline and each arm\'s figures, side by side; a division by zero shows as n/a', () => {
  const rows = compareReports(a, b);
  expect(rows[0]).toEqual({ metric: 'collective advantage (solved per $)', a: 4, b: null });
  expect(b.headline.collective_advantage.solved.reasons).toEqual(['the isolated arm solved nothing (division by zero)']);
  expect(rows).toContainEqual({ metric: 'society: solved per $', a: 8, b: 2 });
  expect(rows).toContainEqual({ metric: 'isolated: reuse share', a: 0, b: null });
  expect(rows).toContainEqual({ metric: 'limits', a: '1 min, $1', b: '2 min, $1' });
});

test('the command prints the table, or JSON with --json, finding reports by name or path', async () => {
  const text = await cli(['experiment', 'compare', 'first', join(dir, 'second', 'report.json')]);
  expect(text.code).toBe(0);
  expect(text.out).toMatch(/^metric\s+first\s+second/);
  expect(text.out).toMatch(/collective advantage \(solved per \$\)\s+4\s+-/);
  const json = await cli(['experiment', 'compare', 'first', 'second', '--json']);
  expect(json.code).toBe(0);
  expect(JSON.parse(json.out.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, rows: expect.arrayContaining([{ metric: 'society: solved', a: 4, b: 2 }]) });
});

test('a missing report, a file that is not one, and a bad subcommand are refused', async () => {
  const missing = await cli(['experiment', 'compare', 'first', 'nothing-here', '--json']);
  expect(missing.code).not.toBe(0);
  expect(JSON.parse(missing.out.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/no report found for nothing-here/) } });
  const notReport = await cli(['experiment', 'compare', 'first', join(dir, 'not-a-report.json'), '--json']);
  expect(JSON.parse(notReport.out.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/is not an experiment report/) } });
  const bad = await cli(['experiment', 'explode', '--json']);
  expect(JSON.parse(bad.out.trim())).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  const noSpec = await cli(['experiment', 'run', join(dir, 'nope.json'), '--json']);
  expect(JSON.parse(noSpec.out.trim())).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/cannot read the spec/) } });
});
