import { z } from 'zod';
import { eventVisibleToSql } from '../../events/visibility';
import { method, type GenesisServiceDef } from '../context';
import { limitArg } from './ledger';

export const eventLogService: GenesisServiceDef = {
  read: method({
    readOnly: true,
    description: 'Events in order of sequence number: {after?, limit?, types?}; pass the last seq as after to page on. Others\' bids are sealed: not shown.',
    args: z.strictObject({
      after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
      types: z.array(z.string().min(1).max(64)).max(50).optional(),
    }),
    async run(ctx, a) {
      const r = await ctx.client.query(
        `SELECT seq, type, actor_id AS actor, subject_id AS subject, data, created_at AS at FROM events
         WHERE seq > $1 AND ($2::text[] IS NULL OR type = ANY($2)) AND ${eventVisibleToSql('$4')} ORDER BY seq LIMIT $3`,
        [a.after ?? 0, a.types ?? null, limitArg(ctx, a.limit), ctx.caller],
      );
      return r.rows;
    },
  }),
};
