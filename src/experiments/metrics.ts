/**
 * The numbers of an experiment's report, as pure functions over rows read from an arm's database
 * (src/experiments/results.ts). Definitions (docs/experiments.md):
 * - Gini: mean absolute difference over all ordered pairs / (2 * mean); 0 = equal, (n-1)/n = one holds all.
 * - Herfindahl (specialisation): sum of squared shares of an agent's activity by kind; 1 = one kind only, 1/k = spread evenly over k.
 * - Reuse: share of invocations whose artifact's owner is not the invoker.
 * - Per dollar, advantage: a ratio whose denominator is 0 is null, with the reason.
 */

/** A value that could not be computed says why. */
export type Ratio = { value: number; reason?: undefined } | { value: null; reason: string };

export function ratio(numerator: number, denominator: number, zeroReason: string): Ratio {
  return denominator === 0 ? { value: null, reason: zeroReason } : { value: numerator / denominator };
}

/** Gini coefficient of non-negative values; null for none, 0 when all are 0. */
export function gini(values: readonly number[]): number | null {
  const n = values.length;
  if (n === 0) return null;
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  // sum_i sum_j |x_i - x_j| = 2 * sum_i (2i - n + 1) x_(i) with 0-based ranks.
  const weighted = sorted.reduce((acc, x, i) => acc + (2 * i - n + 1) * x, 0);
  return weighted / (n * total);
}

/** Herfindahl index of counts (sum of squared shares); null when they add up to 0. */
export function herfindahl(counts: readonly number[]): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  return counts.reduce((acc, c) => acc + (c / total) ** 2, 0);
}

function countBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
  return m;
}

export interface InvocationRow {
  invoker: string;
  artifact: string;
  owner: string | null;
  /** 0 for an invocation made by an agent's action or the CLI; n+1 for one made by code at depth n through ctx.invoke. */
  depth: number;
}

export interface Reuse {
  invocations: number;
  /** Invocations of an artifact whose owner is not the invoker. */
  of_others: number;
  share: Ratio;
  max_depth: number | null;
  mean_depth: number | null;
}

export function reuse(rows: readonly InvocationRow[]): Reuse {
  const ofOthers = rows.filter((r) => r.owner !== null && r.owner !== r.invoker).length;
  const depths = rows.map((r) => r.depth);
  return {
    invocations: rows.length,
    of_others: ofOthers,
    share: ratio(ofOthers, rows.length, 'no invocations'),
    max_depth: depths.length ? Math.max(...depths) : null,
    mean_depth: depths.length ? depths.reduce((a, b) => a + b, 0) / depths.length : null,
  };
}

export interface ActionRow {
  agent: string;
  type: string;
}

export interface AgentSpecialisation {
  agent: string;
  actions: number;
  /** Herfindahl of its actions by type (invoke_artifact, write_artifact, ...). */
  action_hhi: number | null;
  invocations: number;
  /** Herfindahl of the artifacts it invoked (top-level and through code). */
  artifact_hhi: number | null;
}

export function specialisation(agents: readonly string[], actions: readonly ActionRow[], invocations: readonly InvocationRow[]): { agents: AgentSpecialisation[]; mean_action_hhi: number | null; mean_artifact_hhi: number | null } {
  const list = agents.map((agent): AgentSpecialisation => {
    const mine = actions.filter((a) => a.agent === agent);
    const invoked = invocations.filter((i) => i.invoker === agent);
    return {
      agent,
      actions: mine.length,
      action_hhi: herfindahl([...countBy(mine, (a) => a.type).values()]),
      invocations: invoked.length,
      artifact_hhi: herfindahl([...countBy(invoked, (i) => i.artifact).values()]),
    };
  });
  return { agents: list, mean_action_hhi: mean(list.map((a) => a.action_hhi)), mean_artifact_hhi: mean(list.map((a) => a.artifact_hhi)) };
}

/** Mean of the values that are not null; null when there are none. */
export function mean(values: ReadonlyArray<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Times (seconds from the arm's start) at which over-time series are sampled: `points` evenly up to `end`. */
export function sampleTimes(endSeconds: number, points: number): number[] {
  return Array.from({ length: points }, (_, i) => (endSeconds * (i + 1)) / points);
}

export interface Solve {
  /** Seconds from the arm's start. */
  at: number;
  bounty: string;
  solver: string;
  reward: number;
  score: number;
}

/** Bounties solved by each sample time (cumulative). */
export function solvedOverTime(solves: readonly Solve[], times: readonly number[]): Array<{ t: number; solved: number }> {
  return times.map((t) => ({ t, solved: solves.filter((s) => s.at <= t).length }));
}

export interface Movement {
  /** Seconds from the arm's start. */
  at: number;
  from: string;
  to: string;
  amount: number;
}

/**
 * Gini of the `holders`' balances at each sample time, replaying the ledger's movements (from the
 * start: issuances from the mint included) in order.
 */
export function giniOverTime(holders: readonly string[], movements: readonly Movement[], times: readonly number[]): Array<{ t: number; gini: number | null }> {
  const balance = new Map(holders.map((h) => [h, 0]));
  const sorted = [...movements].sort((a, b) => a.at - b.at);
  let i = 0;
  return times.map((t) => {
    for (; i < sorted.length && sorted[i].at <= t; i++) {
      const m = sorted[i];
      if (balance.has(m.from)) balance.set(m.from, balance.get(m.from)! - m.amount);
      if (balance.has(m.to)) balance.set(m.to, balance.get(m.to)! + m.amount);
    }
    return { t, gini: gini([...balance.values()].map((b) => Math.max(0, b))) };
  });
}

export interface ArmTotals {
  solved: number;
  /** Sum of the scores of the winning submissions. */
  score: number;
  dollars: number;
}

export interface Efficiency {
  solved_per_dollar: Ratio;
  score_per_dollar: Ratio;
}

export function efficiency(t: ArmTotals): Efficiency {
  return {
    solved_per_dollar: ratio(t.solved, t.dollars, 'no dollars were spent'),
    score_per_dollar: ratio(t.score, t.dollars, 'no dollars were spent'),
  };
}

/** Society's per-dollar figure over the isolated arm's; null (with why) when either is missing or the latter is 0. */
export function advantageOf(society: Ratio, isolated: Ratio): Ratio {
  if (society.value === null) return { value: null, reason: `society: ${society.reason}` };
  if (isolated.value === null) return { value: null, reason: `isolated: ${isolated.reason}` };
  return ratio(society.value, isolated.value, 'the isolated arm solved nothing (division by zero)');
}

export interface Spread {
  values: Array<number | null>;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Why some repeats have no value. */
  reasons: string[];
}

export function spread(ratios: readonly Ratio[]): Spread {
  const values = ratios.map((r) => r.value);
  const known = values.filter((v): v is number => v !== null);
  return {
    values,
    mean: mean(values),
    min: known.length ? Math.min(...known) : null,
    max: known.length ? Math.max(...known) : null,
    reasons: ratios.filter((r) => r.value === null).map((r) => r.reason as string),
  };
}
