import { recentWindows } from '../../metrics/queries';
import type { MetricsWindow } from '../../metrics/types';
import type { Command } from '../command';
import { limitOption } from '../parse';

const dollars = (micros: number) => `$${(micros / 1_000_000).toFixed(4)}`;

function line(w: MetricsWindow): string {
  return [
    `${w.window_start.slice(0, 19)}Z..${w.window_end.slice(11, 19)}Z`,
    `actions ${w.actions}`,
    `compute ${w.compute_spent}`,
    `llm ${dollars(w.llm_cost_micros)} (total ${dollars(w.llm_cost_total_micros)})`,
    `supply ${w.scrip_supply}`,
    `transfers ${w.transfer_count}/${w.transfer_volume}`,
    `artifacts ${w.artifacts_created}`,
    `oracle ${w.oracle_resolutions}`,
    `in debt ${w.principals_in_debt}`,
  ].join('  ');
}

function agentLines(w: MetricsWindow): string[] {
  return Object.entries(w.data.per_agent)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, a]) => `    ${id.padEnd(28)} actions ${a.actions} (ok ${a.actions_ok}, failed ${a.actions_failed}, invalid ${a.actions_invalid})  compute ${a.compute}  llm ${dollars(a.llm_cost_micros)}`);
}

/** A price per unit, to four significant digits (it is a ratio, not money). */
const unitPrice = (p: number) => String(Number(p.toPrecision(4)));

/** The rights sold in a window, by resource (nothing when none were). */
function rightLines(w: MetricsWindow): string[] {
  const lines = Object.entries(w.data.rights ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([resource, r]) => `    ${resource.padEnd(28)} trades ${r.trades}  amount ${r.amount}  scrip ${r.scrip}  unit price ${unitPrice(r.unit_price)} (last ${unitPrice(r.last_unit_price)})`);
  return lines.length ? ['rights traded in the newest window:', ...lines] : [];
}

/** The bounties of a window (nothing when none were posted, closed or checked in it). */
function bountyLines(w: MetricsWindow): string[] {
  const b = w.data.bounties;
  if (!b || Object.values(b).every((n) => n === 0)) return [];
  return [
    'bounties in the newest window:',
    `    posted ${b.posted} (rewards ${b.posted_rewards})  solved ${b.solved} (paid ${b.rewards_paid})  refunded ${b.refunded}  cancelled ${b.cancelled} (returned ${b.rewards_returned})`,
    `    checks ${b.checked} (passed ${b.passed}, failed ${b.failed}, late ${b.late})`,
  ];
}

export const metricsCommand: Command = {
  name: 'metrics',
  usage: 'metrics [--limit N]',
  summary: 'recent metrics windows (the metrics-window schedule), newest first, with its agents, the rights traded and the bounties in it',
  valueOptions: ['limit'],
  async run(ctx) {
    const config = ctx.config();
    const limit = limitOption(ctx.options.limit, config.metrics.listLimit, config.limits.maxListLimit);
    const windows = await recentWindows(await ctx.pool(), limit);
    const human = windows.length
      ? [...windows.map(line), `agents in the newest window:`, ...agentLines(windows[0]!), ...rightLines(windows[0]!), ...bountyLines(windows[0]!)].join('\n')
      : `no metrics windows yet (the ${config.metrics.scheduleId} schedule writes one every ${config.metrics.windowSeconds} s)`;
    ctx.print(windows, human);
    return 0;
  },
};
