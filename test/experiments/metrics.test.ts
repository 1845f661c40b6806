/** The report's numbers on small fixed data, computed by hand (docs/experiments.md defines them). */
import { advantageOf, efficiency, gini, giniOverTime, herfindahl, ratio, reuse, sampleTimes, solvedOverTime, specialisation, spread } from '../../src/experiments/metrics';

test('Gini: equal is 0, one holding all of n is (n-1)/n, a worked case, none is null', () => {
  expect(gini([5, 5, 5, 5])).toBe(0);
  expect(gini([0, 0, 0, 12])).toBeCloseTo(3 / 4);
  // |1-3|+|1-6|+|3-6| = 10 over pairs both ways = 20; / (2 * 9 * mean 10/3) = 20/60
  expect(gini([6, 1, 3])).toBeCloseTo(1 / 3);
  expect(gini([0, 0])).toBe(0);
  expect(gini([])).toBeNull();
});

test('Herfindahl: one kind is 1, k even kinds 1/k, a worked case, nothing is null', () => {
  expect(herfindahl([7])).toBe(1);
  expect(herfindahl([2, 2, 2, 2])).toBeCloseTo(0.25);
  expect(herfindahl([3, 1])).toBeCloseTo(0.75 ** 2 + 0.25 ** 2);
  expect(herfindahl([])).toBeNull();
  expect(herfindahl([0, 0])).toBeNull();
});

test('reuse: share of invocations of others\' artifacts, depth max and mean', () => {
  const r = reuse([
    { invoker: 'b', artifact: 'b_tool', owner: 'b', depth: 0 },
    { invoker: 'b', artifact: 'a_helper', owner: 'a', depth: 1 },
    { invoker: 'b', artifact: 'b_tool', owner: 'b', depth: 0 },
    { invoker: 'a', artifact: 'a_helper', owner: 'a', depth: 0 },
  ]);
  expect(r).toEqual({ invocations: 4, of_others: 1, share: { value: 0.25 }, max_depth: 1, mean_depth: 0.25 });
  expect(reuse([])).toEqual({ invocations: 0, of_others: 0, share: { value: null, reason: 'no invocations' }, max_depth: null, mean_depth: null });
});

test('specialisation per agent: actions by type and artifacts invoked', () => {
  const s = specialisation(
    ['a', 'b', 'c'],
    [
      { agent: 'a', type: 'write_artifact' },
      { agent: 'a', type: 'invoke_artifact' },
      { agent: 'b', type: 'invoke_artifact' },
      { agent: 'b', type: 'invoke_artifact' },
      { agent: 'b', type: 'invoke_artifact' },
    ],
    [
      { invoker: 'b', artifact: 'x', owner: 'b', depth: 0 },
      { invoker: 'b', artifact: 'y', owner: 'a', depth: 1 },
    ],
  );
  expect(s.agents).toEqual([
    { agent: 'a', actions: 2, action_hhi: 0.5, invocations: 0, artifact_hhi: null },
    { agent: 'b', actions: 3, action_hhi: 1, invocations: 2, artifact_hhi: 0.5 },
    { agent: 'c', actions: 0, action_hhi: null, invocations: 0, artifact_hhi: null },
  ]);
  expect(s.mean_action_hhi).toBeCloseTo(0.75);
  expect(s.mean_artifact_hhi).toBeCloseTo(0.5);
});

test('series: solved (cumulative) and Gini of balances replayed from the ledger', () => {
  const times = sampleTimes(60, 3);
  expect(times).toEqual([20, 40, 60]);
  const solves = [
    { at: 10, bounty: 'b1', solver: 'a', reward: 5, score: 100 },
    { at: 45, bounty: 'b2', solver: 'b', reward: 5, score: 80 },
  ];
  expect(solvedOverTime(solves, times)).toEqual([{ t: 20, solved: 1 }, { t: 40, solved: 1 }, { t: 60, solved: 2 }]);
  const series = giniOverTime(
    ['a', 'b'],
    [
      { at: 0, from: 'mint', to: 'a', amount: 10 },
      { at: 0, from: 'mint', to: 'b', amount: 10 },
      { at: 30, from: 'b', to: 'a', amount: 10 },
    ],
    times,
  );
  expect(series).toEqual([{ t: 20, gini: 0 }, { t: 40, gini: 0.5 }, { t: 60, gini: 0.5 }]);
});

test('collective advantage: per dollar over per dollar; every division by zero is null with a reason', () => {
  const society = efficiency({ solved: 4, score: 360, dollars: 0.02 });
  const isolated = efficiency({ solved: 1, score: 90, dollars: 0.01 });
  expect(society.solved_per_dollar.value).toBeCloseTo(200);
  expect(advantageOf(society.solved_per_dollar, isolated.solved_per_dollar).value).toBeCloseTo(2);
  expect(advantageOf(society.score_per_dollar, isolated.score_per_dollar).value).toBeCloseTo(2);

  const nothing = efficiency({ solved: 0, score: 0, dollars: 0.01 });
  expect(advantageOf(society.solved_per_dollar, nothing.solved_per_dollar)).toEqual({ value: null, reason: 'the isolated arm solved nothing (division by zero)' });
  const unspent = efficiency({ solved: 0, score: 0, dollars: 0 });
  expect(advantageOf(unspent.solved_per_dollar, isolated.solved_per_dollar)).toEqual({ value: null, reason: 'society: no dollars were spent' });
  expect(advantageOf(society.solved_per_dollar, unspent.solved_per_dollar)).toEqual({ value: null, reason: 'isolated: no dollars were spent' });
  expect(ratio(1, 0, 'why')).toEqual({ value: null, reason: 'why' });
});

test('spread over repeats: mean, min, max of the known values, reasons of the others', () => {
  expect(spread([{ value: 2 }, { value: 4 }, { value: null, reason: 'r' }])).toEqual({ values: [2, 4, null], mean: 3, min: 2, max: 4, reasons: ['r'] });
  expect(spread([])).toEqual({ values: [], mean: null, min: null, max: null, reasons: [] });
});
