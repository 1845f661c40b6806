import type { PoolClient } from 'pg';
import { z } from 'zod';
import { checkAccess } from '../../artifacts/access';
import { requirePrincipal } from '../../ledger/standing';
import { refuseIfPinnedChecker } from '../../bounties/pinnedChecker';
import { setOwner } from '../../artifacts/queries';
import { requireArtifact, transferOwnership } from '../../artifacts/store';
import { EcologyError, forbidden, invalid, notFound } from '../../errors';
import { getDebt } from '../../debt/queries';
import * as eq from '../../escrow/queries';
import * as ro from '../../escrow/rightOffers';
import { emit } from '../../events/emit';
import { transfer } from '../../ledger/transfer';
import { artifactId, positiveAmount } from '../../validation';
import { method, type GenesisServiceDef } from '../context';
import { SCRIP } from '../../ids';
import { limitArg } from './ledger';
import { rightOfferMethods, rightOfferView } from './rightOffers';

const ESCROW = 'genesis_escrow';

function listingView(l: eq.ListingRow) {
  return { listing_id: l.id, artifact_id: l.artifact_id, seller: l.seller_id, price: l.price, buyer: l.buyer_id, status: l.status, purchaser: l.purchaser_id, opened_at: l.created_at, closed_at: l.closed_at };
}

/**
 * An offered debt contract is not yet a claim on anyone: accepting it hands it to the creditor, so
 * a listing of it would let a buyer take the creditor's claim. Only accepted contracts are sold.
 */
async function refuseOfferedDebt(client: PoolClient, id: string, managedBy: string | null): Promise<void> {
  if (managedBy !== 'genesis_debt') return;
  const d = await getDebt(client, id);
  if (d?.status === 'offered') throw new EcologyError('CONFLICT', `debt contract ${id} is offered to ${d.creditor_id} and not accepted yet; it cannot be listed`);
}

export const escrowService: GenesisServiceDef = {
  deposit: method({
    description: 'List an artifact you may transfer for sale; the escrow holds it until bought or cancelled: {artifact_id, price, buyer?}.',
    args: z.strictObject({ artifact_id: artifactId, price: positiveAmount, buyer: artifactId.optional() }),
    async run(ctx, a) {
      const art = await requireArtifact(ctx.client, a.artifact_id, true);
      if (art.owner_id === ESCROW) throw new EcologyError('CONFLICT', `${a.artifact_id} is already listed`);
      await checkAccess(ctx.client, ctx.caller, art, 'transfer', ctx.hooks.customContract);
      await refuseOfferedDebt(ctx.client, art.id, art.managed_by);
      await refuseIfPinnedChecker(ctx.client, art.id, 'listed');
      if (a.buyer !== undefined) {
        await requirePrincipal(ctx.client, a.buyer);
        if (a.buyer === art.owner_id) throw invalid('the buyer cannot be the seller');
      }
      await setOwner(ctx.client, art.id, ESCROW);
      const listing = await eq.openListing(ctx.client, { artifact_id: art.id, seller_id: art.owner_id, price: a.price, buyer_id: a.buyer ?? null });
      await emit(ctx.client, { type: 'listing_opened', actor: ctx.caller, subject: art.id, data: { listing_id: listing.id, seller: art.owner_id, price: a.price, buyer: a.buyer ?? null } });
      return listingView(listing);
    },
  }),
  purchase: method({
    description: 'Buy a listed artifact at its price; ownership moves to you: {artifact_id}.',
    args: z.strictObject({ artifact_id: artifactId }),
    async run(ctx, a) {
      const listing = await eq.lockOpenListing(ctx.client, a.artifact_id);
      if (!listing) throw notFound(`${a.artifact_id} has no open listing (it may just have been sold or cancelled)`);
      if (listing.seller_id === ctx.caller) throw forbidden('you cannot buy your own listing; cancel it instead');
      if (listing.buyer_id && listing.buyer_id !== ctx.caller) throw forbidden(`this listing is reserved for ${listing.buyer_id}`);
      const payment = await transfer(ctx.client, { id: ctx.key, from: ctx.caller, to: listing.seller_id, asset: SCRIP, amount: listing.price, kind: 'purchase', reference: a.artifact_id });
      await transferOwnership({ client: ctx.client, caller: ESCROW, config: ctx.config, key: ctx.key }, a.artifact_id, ctx.caller, { skipAccess: true });
      await eq.closeListing(ctx.client, listing.id, 'sold', ctx.caller);
      await emit(ctx.client, { type: 'purchase', actor: ctx.caller, subject: a.artifact_id, data: { listing_id: listing.id, seller: listing.seller_id, buyer: ctx.caller, price: listing.price } });
      await emit(ctx.client, { type: 'listing_closed', actor: ctx.caller, subject: a.artifact_id, data: { listing_id: listing.id, status: 'sold' } });
      return { ...listingView({ ...listing, status: 'sold', purchaser_id: ctx.caller }), transfer_id: payment.transfer_id };
    },
  }),
  cancel: method({
    description: 'Withdraw your listing; the artifact returns to you: {artifact_id}.',
    args: z.strictObject({ artifact_id: artifactId }),
    async run(ctx, a) {
      const listing = await eq.lockOpenListing(ctx.client, a.artifact_id);
      if (!listing) throw notFound(`${a.artifact_id} has no open listing`);
      if (listing.seller_id !== ctx.caller) throw forbidden('only the seller may cancel a listing');
      // Returning an artifact to its seller needs no disk check: it was theirs a moment ago.
      await setOwner(ctx.client, a.artifact_id, listing.seller_id);
      await eq.closeListing(ctx.client, listing.id, 'cancelled', null);
      await emit(ctx.client, { type: 'listing_closed', actor: ctx.caller, subject: a.artifact_id, data: { listing_id: listing.id, status: 'cancelled' } });
      return listingView({ ...listing, status: 'cancelled' });
    },
  }),
  check: method({
    readOnly: true,
    description: 'The current or latest listing of an artifact: {artifact_id}.',
    args: z.strictObject({ artifact_id: artifactId }),
    async run(ctx, a) {
      const l = await eq.latestListing(ctx.client, a.artifact_id);
      if (!l) throw notFound(`${a.artifact_id} has never been listed`);
      return listingView(l);
    },
  }),
  list_active: method({
    readOnly: true,
    description: 'All open listings: artifacts (artifact_id), then right offers (offer_id, resource, amount).',
    args: z.strictObject({ limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }),
    async run(ctx, a) {
      const limit = limitArg(ctx, a.limit);
      const listings = (await eq.activeListings(ctx.client, limit)).map(listingView);
      const offers = listings.length < limit ? (await ro.activeOffers(ctx.client, limit - listings.length)).map(rightOfferView) : [];
      return [...listings, ...offers];
    },
  }),
  ...rightOfferMethods,
};
