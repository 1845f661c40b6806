import { z } from 'zod';
import { cancelBid, checkBid, placeBid } from '../../oracle/bids';
import * as oq from '../../oracle/queries';
import { oracleStatus } from '../../oracle/status';
import { artifactId, positiveAmount } from '../../validation';
import { method, type GenesisServiceDef } from '../context';
import { limitArg } from './ledger';

/**
 * The oracle (SPEC section 9): sealed bids at any time, resolved on a schedule by a second-price
 * auction; the winners' artifacts are scored by an LLM and new scrip is minted for them.
 * Bids are sealed: nothing here shows another bidder's amount, and until the resolution nothing
 * public shows who bid (src/ledger/sealed.ts, src/events/visibility.ts).
 */
export const oracleService: GenesisServiceDef = {
  status: method({
    readOnly: true,
    description: 'The oracle: its schedule, the next resolution time, the rules (slots, minimum bid, mint ratio, eligibility) and the number of open bids (never their amounts).',
    args: z.strictObject({}),
    async run(ctx) {
      return oracleStatus(ctx.client, ctx.config);
    },
  }),
  bid: method({
    description:
      'Bid for your artifact to be scored at the next resolution: {artifact_id, amount}. The amount is held at once; bidding again on the same artifact changes your bid. Top bids win and pay the highest losing bid; the rest is returned. A winner gets floor(score / mint_ratio) new scrip.',
    args: z.strictObject({ artifact_id: artifactId, amount: positiveAmount }),
    sealedArgs: true,
    async run(ctx, a) {
      return placeBid(ctx, a.artifact_id, a.amount);
    },
  }),
  cancel_bid: method({
    description: 'Withdraw your open bid on an artifact; the held amount returns to you: {artifact_id}.',
    args: z.strictObject({ artifact_id: artifactId }),
    sealedArgs: true,
    async run(ctx, a) {
      return cancelBid(ctx, a.artifact_id);
    },
  }),
  check: method({
    readOnly: true,
    description: 'Your own bid on an artifact (open, or the latest with its outcome): {artifact_id}.',
    args: z.strictObject({ artifact_id: artifactId }),
    sealedArgs: true,
    async run(ctx, a) {
      return checkBid(ctx, a.artifact_id);
    },
  }),
  history: method({
    readOnly: true,
    description: 'Results of past resolutions, newest first: winners, prices paid, scores, scrip minted, UBI shares: {limit?}.',
    args: z.strictObject({ limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }),
    async run(ctx, a) {
      return (await oq.listResolutions(ctx.client, limitArg(ctx, a.limit))).map((r) => r.results);
    },
  }),
};
