import { randomUUID } from 'node:crypto';
import { loadSuite, planSuiteLoad } from '../../bountyChecks/loadSuite';
import { listBounties } from '../../bounties/queries';
import { readSuite } from '../../bounties/suite';
import { bountyView } from '../../bounties/view';
import { invoke } from '../../invoke/invoke';
import { sandboxPoolFromConfig } from '../../invoke/sandboxPool';
import { artifactId, parseArgs } from '../../validation';
import { UsageError, type Command, type CommandContext } from '../command';
import { cliDispatchHooks } from '../dispatchHooks';
import { limitOption, stringOption } from '../parse';
import { table } from '../table';

const USAGE = 'bounties list [--open|--closed] [--limit N] | bounties load <suite.json> --poster <principal>';

/** `ecology bounties list`: the bounties of genesis_bounty, newest first. */
async function list(ctx: CommandContext, extra: string[]): Promise<number> {
  if (extra.length > 0) throw new UsageError(`expected: ${USAGE}`);
  if (ctx.options.open && ctx.options.closed) throw new UsageError('give at most one of --open and --closed');
  const config = ctx.config();
  const limit = limitOption(ctx.options.limit, config.limits.defaultListLimit, config.limits.maxListLimit);
  const open = ctx.options.open ? true : ctx.options.closed ? false : undefined;
  const bounties = (await listBounties(await ctx.pool(), { open, limit })).map(bountyView);
  ctx.print(
    { ok: true, bounties },
    bounties.length
      ? table(bounties, [
          { header: 'BOUNTY', cell: (b) => b.bounty_id },
          { header: 'POSTER', cell: (b) => b.poster },
          { header: 'REWARD', cell: (b) => b.reward, right: true },
          { header: 'MODE', cell: (b) => b.mode },
          { header: 'DEADLINE', cell: (b) => b.deadline.toISOString() },
          { header: 'STATUS', cell: (b) => b.status },
          { header: 'WINNER', cell: (b) => (b.winner ? `${b.winner} (${b.winning_artifact}, score ${b.score})` : '') },
        ])
      : 'no bounties',
  );
  return 0;
}

/** `ecology bounties load <file>`: posts a suite of bounties (src/bounties/suite.ts, loadSuite.ts). */
async function load(ctx: CommandContext, extra: string[]): Promise<number> {
  const [file, ...more] = extra;
  if (!file || more.length > 0) throw new UsageError('expected: bounties load <suite.json> --poster <principal>');
  const posterText = stringOption(ctx.options.poster, 'poster');
  if (!posterText) throw new UsageError('load needs --poster <principal>: it owns the checkers and pays the rewards');
  const poster = parseArgs(artifactId, posterText, '--poster');
  const config = ctx.config();
  const suite = readSuite(file, config.limits);
  const pool = await ctx.pool();
  // Genesis calls only: the pool is made lazily and never starts a container here.
  const sandbox = sandboxPoolFromConfig(config);
  try {
    // Each post starts its deadline timer after it commits (cliDispatchHooks), as posts by agents do.
    const deps = { pool, config, sandbox, hooks: cliDispatchHooks(ctx, pool, config) };
    const results = await loadSuite(planSuiteLoad(suite), poster, (req) => invoke(deps, req), () => `cli:${randomUUID()}`);
    const failed = results.filter((r) => r.status === 'failed').length;
    const human = [
      `suite ${suite.name}: ${results.filter((r) => r.status === 'posted').length} posted, ${results.filter((r) => r.status === 'already_posted').length} already posted, ${failed} failed`,
      table(results, [
        { header: 'id', cell: (r) => r.id },
        { header: 'reward', cell: (r) => r.reward, right: true },
        { header: 'deadline', cell: (r) => r.deadline },
        { header: 'status', cell: (r) => (r.error ? `${r.status}: ${r.error.code}: ${r.error.message}` : r.poster && r.poster !== poster ? `${r.status} by ${r.poster}` : r.status) },
      ]),
    ].join('\n');
    ctx.print({ ok: failed === 0, suite: suite.name, poster, bounties: results }, human);
    return failed === 0 ? 0 : 1;
  } finally {
    await sandbox.close();
  }
}

export const bountiesCommand: Command = {
  name: 'bounties',
  usage: USAGE,
  summary: 'list the bounties of genesis_bounty, or post every bounty of a suite file (loading again posts nothing twice)',
  valueOptions: ['limit', 'poster'],
  flagOptions: ['open', 'closed'],
  async run(ctx) {
    const [sub = 'list', ...extra] = ctx.positionals;
    if (sub === 'list') return list(ctx, extra);
    if (sub === 'load') return load(ctx, extra);
    throw new UsageError(`expected: ${USAGE}`);
  },
};
