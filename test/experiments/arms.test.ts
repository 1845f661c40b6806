/** Each arm's world is its own (names, configuration), and repeats pair up into the headline's spread. */
import { loadConfig } from '../../src/config/load';
import { headlineOf, type ArmRun } from '../../src/experiments/report';
import type { ArmResults } from '../../src/experiments/results';
import { parseSpec } from '../../src/experiments/spec';
import { armConfig, armNames } from '../../src/experiments/world';
import { stopReason } from '../../src/experiments/run';

const base = loadConfig({ env: {}, overrides: { database: { url: 'postgres://u:p@127.0.0.1:5433/ecology?host=/tmp/sock' }, temporal: { namespace: 'default' } } });
const spec = parseSpec({
  name: 'trial',
  agents: [{ id: 'ann', system_prompt: 'You build.', model: 'gpt-4o', endowment: { scrip: 50, compute: 900 } }],
  suite: 's.json',
  budget_usd: 0.25,
  minutes: 3,
  quotas: { llm_dollars: 1234 },
  config: { oracle: { slots: 2 } },
});

test('every arm and repeat has its own database, namespace and task queues', () => {
  const names = (['society', 'isolated'] as const).flatMap((arm) => [1, 2].map((n) => armNames(base, spec, arm, n)));
  expect(names[0]).toEqual({ database: 'ecology_exp_trial_society_1', namespace: 'default-exp-trial-society-1', taskQueue: 'exp-trial-society-1' });
  for (const key of ['database', 'namespace', 'taskQueue'] as const) expect(new Set(names.map((n) => n[key])).size).toBe(4);
  expect(() => armNames(base, { name: 'x'.repeat(40) }, 'isolated', 100)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/shorter experiment name/) }));
});

test('the arm\'s configuration: its world, its isolation, the budget, the agents, the spec\'s overrides', () => {
  const names = armNames(base, spec, 'isolated', 1);
  const c = armConfig(base, spec, 'isolated', names);
  expect(new URL(c.database.url).pathname).toBe('/ecology_exp_trial_isolated_1');
  expect(new URL(c.database.url).searchParams.get('host')).toBe('/tmp/sock');
  expect(c.temporal).toMatchObject({ namespace: names.namespace, taskQueue: names.taskQueue, sandboxTaskQueue: `${names.taskQueue}-sandbox` });
  expect(c.world.isolation).toBe('isolated');
  expect(armConfig(base, spec, 'society', armNames(base, spec, 'society', 1)).world.isolation).toBe('society');
  expect(c.llm.systemBudgetMicros).toBe(250_000);
  expect(c.quotas.operatorPrincipal.llm_dollars).toBe(1234);
  expect(c.oracle.slots).toBe(2);
  expect(c.ecology.initialAgents).toEqual([{ id: 'ann', system_prompt: 'You build.', model: 'gpt-4o', scrip: 50, compute: 900 }]);
  expect(() => armConfig(base, { ...spec, config: { oracle: { slots: -1 } } }, 'society', names)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
});

test('an agent cannot take the suite sponsor\'s id', () => {
  expect(() => parseSpec({ ...spec, agents: [{ ...spec.agents[0], id: 'suite_sponsor' }] })).toThrow(/suite_sponsor is the account that posts/);
});

function run(arm: 'society' | 'isolated', repeat: number, solved: number, dollars: number): ArmRun {
  const bounties = { solved, score: solved * 10, solved_per_dollar: dollars ? { value: solved / dollars } : { value: null, reason: 'no dollars were spent' }, score_per_dollar: { value: (solved * 10) / dollars } };
  return { arm, repeat, results: { bounties } as unknown as ArmResults } as ArmRun;
}

test('repeats pair society and isolated run by run: the spread of their ratios', () => {
  const h = headlineOf([run('society', 1, 4, 1), run('isolated', 1, 1, 1), run('society', 2, 3, 1), run('isolated', 2, 2, 2), run('society', 3, 1, 1), run('isolated', 3, 0, 1)], 3);
  expect(h.collective_advantage.solved).toEqual({ values: [4, 3, null], mean: 3.5, min: 3, max: 4, reasons: ['the isolated arm solved nothing (division by zero)'] });
  expect(headlineOf([run('society', 1, 4, 1)], 1)).toMatchObject({ note: expect.stringMatching(/needs both arms/), collective_advantage: { solved: { values: [] } } });
});

test('an arm stops when its budget less the margin is spent, or its time is up', () => {
  const limits = { minutes: 2, budget_usd: 0.5 };
  expect(stopReason({ dollars: 0.494, elapsed_seconds: 10 }, limits, 5000)).toBeNull();
  expect(stopReason({ dollars: 0.495, elapsed_seconds: 10 }, limits, 5000)).toBe('budget');
  expect(stopReason({ dollars: 0.5, elapsed_seconds: 10 }, limits, 0)).toBe('budget');
  expect(stopReason({ dollars: 0, elapsed_seconds: 120 }, limits, 5000)).toBe('time');
  expect(stopReason({ dollars: 0.6, elapsed_seconds: 500 }, limits, 5000)).toBe('budget');
});
