/**
 * The market for rights (SPEC sections 4 and 7), methods of genesis_escrow: a principal offers an
 * amount of a right it holds, or of its compute balance, for a scrip price. While the offer is
 * open the amount is out of the seller's hands: a right is held by genesis_escrow (so the audit's
 * held + consumed = issued still counts it), compute balance by the offer row. A purchase moves
 * the scrip and the amount in one transaction; cancelling returns the amount.
 */
import type { PoolClient } from 'pg';
import { z } from 'zod';
import { requirePrincipal } from '../../ledger/standing';
import { grant, withdraw } from '../../buckets/store';
import { forbidden, invalid, notFound } from '../../errors';
import * as ro from '../../escrow/rightOffers';
import { emit } from '../../events/emit';
import { transfer } from '../../ledger/transfer';
import { moveRight } from '../../artifacts/moveRight';
import { QUOTA_RESOURCES } from '../../rights/quotas';
import { artifactId, positiveAmount } from '../../validation';
import { method, type CallContext, type GenesisServiceDef } from '../context';
import { SCRIP } from '../../ids';

const ESCROW = 'genesis_escrow';
const OFFERED = [...QUOTA_RESOURCES, 'compute'] as const;
const offerId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export function rightOfferView(o: ro.RightOfferRow) {
  return { offer_id: o.id, resource: o.resource, amount: o.amount, seller: o.seller_id, price: o.price, buyer: o.buyer_id, status: o.status, purchaser: o.purchaser_id, opened_at: o.created_at, closed_at: o.closed_at };
}

/** Hands an offer's amount to `to`: from the escrow's hold of the right, or as compute balance. */
async function release(ctx: CallContext, o: ro.RightOfferRow, to: string): Promise<void> {
  if (o.resource === 'compute') {
    await grant(ctx.client, { id: `${ctx.key}:right_offer`, principal: to, resource: 'compute', amount: o.amount, kind: `right_offer:${o.id}` });
  } else {
    await moveRight(ctx.client, ESCROW, to, o.resource, o.amount, { giverUsesDisk: false });
  }
}

async function lockOpen(client: PoolClient, id: number): Promise<ro.RightOfferRow> {
  const o = await ro.lockOpenOffer(client, id);
  if (o) return o;
  const closed = await ro.getOffer(client, id);
  throw notFound(closed ? `right offer ${id} is ${closed.status} (it may just have been bought or cancelled)` : `right offer ${id} does not exist`);
}

export const rightOfferMethods: GenesisServiceDef = {
  offer_right: method({
    description: `Offer an amount of a right you hold, or of your compute balance, for a scrip price; the escrow holds it until bought or cancelled: {resource, amount, price, buyer?}; resource is one of ${OFFERED.join(', ')}.`,
    args: z.strictObject({ resource: z.enum(OFFERED), amount: positiveAmount, price: positiveAmount, buyer: artifactId.optional() }),
    async run(ctx, a) {
      if (a.buyer !== undefined) {
        await requirePrincipal(ctx.client, a.buyer);
        if (a.buyer === ctx.caller) throw invalid('the buyer cannot be the seller');
      }
      if (a.resource === 'compute') await withdraw(ctx.client, ctx.caller, 'compute', a.amount);
      else await moveRight(ctx.client, ctx.caller, ESCROW, a.resource, a.amount);
      const offer = await ro.openOffer(ctx.client, { seller_id: ctx.caller, resource: a.resource, amount: a.amount, price: a.price, buyer_id: a.buyer ?? null });
      await emit(ctx.client, { type: 'right_offered', actor: ctx.caller, subject: ESCROW, data: { offer_id: offer.id, seller: ctx.caller, resource: a.resource, amount: a.amount, price: a.price, buyer: a.buyer ?? null } });
      return rightOfferView(offer);
    },
  }),
  buy_right: method({
    description: 'Buy an offered right at its price; the scrip goes to the seller and the amount to you: {offer_id}.',
    args: z.strictObject({ offer_id: offerId }),
    async run(ctx, a) {
      const o = await lockOpen(ctx.client, a.offer_id);
      if (o.seller_id === ctx.caller) throw forbidden('you cannot buy your own offer; cancel it instead');
      if (o.buyer_id && o.buyer_id !== ctx.caller) throw forbidden(`this offer is reserved for ${o.buyer_id}`);
      const payment = await transfer(ctx.client, { id: ctx.key, from: ctx.caller, to: o.seller_id, asset: SCRIP, amount: o.price, kind: 'right_purchase', reference: `right_offer:${o.id}` });
      await release(ctx, o, ctx.caller);
      await ro.closeOffer(ctx.client, o.id, 'sold', ctx.caller);
      await emit(ctx.client, { type: 'right_sold', actor: ctx.caller, subject: ESCROW, data: { offer_id: o.id, seller: o.seller_id, buyer: ctx.caller, resource: o.resource, amount: o.amount, price: o.price } });
      return { ...rightOfferView({ ...o, status: 'sold', purchaser_id: ctx.caller }), transfer_id: payment.transfer_id };
    },
  }),
  cancel_right: method({
    description: 'Withdraw your right offer; the amount returns to you: {offer_id}.',
    args: z.strictObject({ offer_id: offerId }),
    async run(ctx, a) {
      const o = await lockOpen(ctx.client, a.offer_id);
      if (o.seller_id !== ctx.caller) throw forbidden('only the seller may cancel a right offer');
      await release(ctx, o, o.seller_id);
      await ro.closeOffer(ctx.client, o.id, 'cancelled', null);
      await emit(ctx.client, { type: 'right_offer_cancelled', actor: ctx.caller, subject: ESCROW, data: { offer_id: o.id, seller: o.seller_id, resource: o.resource, amount: o.amount } });
      return rightOfferView({ ...o, status: 'cancelled' });
    },
  }),
  check_right: method({
    readOnly: true,
    description: 'A right offer, open or closed: {offer_id}.',
    args: z.strictObject({ offer_id: offerId }),
    async run(ctx, a) {
      const o = await ro.getOffer(ctx.client, a.offer_id);
      if (!o) throw notFound(`right offer ${a.offer_id} does not exist`);
      return rightOfferView(o);
    },
  }),
};
