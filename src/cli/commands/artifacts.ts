import { listArtifacts } from '../../artifacts/queries';
import type { Command } from '../command';
import { limitOption, stringOption } from '../parse';

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
    const human = items.map((a) => `${a.id.padEnd(32)} ${a.type.padEnd(16)} owner ${a.owner_id.padEnd(24)} ${a.can_execute ? 'exec ' : '     '}${a.has_standing ? 'principal ' : ''}price ${a.price}  ${a.size_bytes} B`);
    ctx.print({ ok: true, items, next_after: next }, [...human, ...(next ? [`(more: --after ${next})`] : [])].join('\n') || 'no artifacts');
    return 0;
  },
};
