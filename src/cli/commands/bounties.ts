import { listBounties } from '../../bounties/queries';
import { bountyView } from '../../bounties/view';
import { UsageError, type Command } from '../command';
import { limitOption } from '../parse';
import { table } from '../table';

export const bountiesCommand: Command = {
  name: 'bounties',
  usage: 'bounties list [--open|--closed] [--limit N]',
  summary: 'bounties of genesis_bounty, newest first: reward, deadline, status, winner',
  valueOptions: ['limit'],
  flagOptions: ['open', 'closed'],
  async run(ctx) {
    const [sub = 'list', ...extra] = ctx.positionals;
    if (sub !== 'list' || extra.length > 0) throw new UsageError('expected: bounties list [--open|--closed] [--limit N]');
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
  },
};
