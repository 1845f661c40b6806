import { activeListings } from '../../escrow/queries';
import type { Command } from '../command';
import { limitOption } from '../parse';

export const escrowCommand: Command = {
  name: 'escrow',
  usage: 'escrow [--limit N]',
  summary: 'open escrow listings: artifact, seller, price, reserved buyer',
  valueOptions: ['limit'],
  async run(ctx) {
    const config = ctx.config();
    const limit = limitOption(ctx.options.limit, config.limits.defaultListLimit, config.limits.maxListLimit);
    const pool = await ctx.pool();
    const client = await pool.connect();
    const listings = await activeListings(client, limit).finally(() => client.release());
    ctx.print(
      { ok: true, listings },
      listings.map((l) => `#${l.id} ${l.artifact_id.padEnd(32)} seller ${l.seller_id.padEnd(24)} price ${l.price}${l.buyer_id ? `  only for ${l.buyer_id}` : ''}`).join('\n') || 'no open listings',
    );
    return 0;
  },
};
