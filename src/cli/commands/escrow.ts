import { activeListings } from '../../escrow/queries';
import type { Command } from '../command';
import { limitOption } from '../parse';
import { table } from '../table';

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
      listings.length
        ? table(listings, [
            { header: 'LISTING', cell: (l) => `#${l.id}` },
            { header: 'ARTIFACT', cell: (l) => l.artifact_id },
            { header: 'SELLER', cell: (l) => l.seller_id },
            { header: 'PRICE', cell: (l) => l.price, right: true },
            { header: 'ONLY FOR', cell: (l) => l.buyer_id ?? '' },
          ])
        : 'no open listings',
    );
    return 0;
  },
};
