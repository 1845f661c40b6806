import { z } from 'zod';
import { requirePrincipal } from '../../ledger/standing';
import { once } from '../../db/idempotency';
import { emit } from '../../events/emit';
import { moveRight } from '../../artifacts/moveRight';
import { allQuotas, getQuotas, QUOTA_RESOURCES } from '../../rights/quotas';
import { artifactId, positiveAmount } from '../../validation';
import { method, type GenesisServiceDef } from '../context';

export const rightsService: GenesisServiceDef = {
  check_quota: method({
    readOnly: true,
    description: 'Rights a principal holds (default: yourself): compute and LLM token rates (per second) and capacities, disk bytes, LLM micro-dollars.',
    args: z.strictObject({ principal: artifactId.optional() }),
    async run(ctx, a) {
      const principal = a.principal ?? ctx.caller;
      await requirePrincipal(ctx.client, principal);
      return { principal, ...(await getQuotas(ctx.client, principal)) };
    },
  }),
  all_quotas: method({
    readOnly: true,
    description: 'Rights of every principal.',
    args: z.strictObject({}),
    run: (ctx) => allQuotas(ctx.client),
  }),
  transfer_quota: method({
    description: `Give some of a right you hold to another principal: {to, resource, amount}; resource is one of ${QUOTA_RESOURCES.join(', ')}.`,
    args: z.strictObject({ to: artifactId, resource: z.enum(QUOTA_RESOURCES), amount: positiveAmount }),
    async run(ctx, a) {
      await requirePrincipal(ctx.client, a.to);
      const payload = { from: ctx.caller, ...a };
      const { result } = await once(ctx.client, { id: ctx.key, kind: 'transfer_quota', payload }, async () => {
        const moved = await moveRight(ctx.client, ctx.caller, a.to, a.resource, a.amount);
        await emit(ctx.client, { type: 'quota_transferred', actor: ctx.caller, subject: a.to, data: { resource: a.resource, amount: a.amount } });
        return { from: ctx.caller, to: a.to, resource: a.resource, amount: a.amount, ...moved };
      });
      return result;
    },
  }),
};
