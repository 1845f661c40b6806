import { listArtifacts } from '../../artifacts/queries';
import type { Command } from '../command';
import { limitOption, stringOption } from '../parse';
import { table } from '../table';

export const artifactsCommand: Command = {
  name: 'artifacts',
  usage: 'artifacts [--owner ID] [--type T] [--after ID] [--limit N]',
  summary: 'artifacts (metadata), by id; --after the last id to page on',
  valueOptions: ['owner', 'type', 'after', 'limit'],
  async run(ctx) {
    const config = ctx.config();
    const limit = limitOption(ctx.options.limit, config.limits.defaultListLimit, config.limits.maxListLimit);
    const pool = await ctx.pool();
    const client = await pool.connect();
    const items = await listArtifacts(client, {
      owner: stringOption(ctx.options.owner, 'owner'),
      type: stringOption(ctx.options.type, 'type'),
      after: stringOption(ctx.options.after, 'after'),
      limit,
    }).finally(() => client.release());
    const next = items.length === limit ? items[items.length - 1]!.id : null;
    // In id order, as --after pages them.
    const human = table(items, [
      { header: 'ID', cell: (a) => a.id },
      { header: 'TYPE', cell: (a) => a.type },
      { header: 'OWNER', cell: (a) => a.owner_id },
      { header: 'PRICE', cell: (a) => a.price, right: true },
      { header: 'BYTES', cell: (a) => a.size_bytes, right: true },
      { header: 'KIND', cell: (a) => [a.can_execute && 'executable', a.has_standing && 'principal'].filter(Boolean).join(', ') },
    ]);
    ctx.print({ ok: true, items, next_after: next }, items.length ? [human, ...(next ? [`(more: --after ${next})`] : [])].join('\n') : 'no artifacts');
    return 0;
  },
};
