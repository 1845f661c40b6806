import { z } from 'zod';
import { checkAccess } from '../../artifacts/access';
import { requirePrincipal } from '../../ledger/standing';
import { requireArtifact } from '../../artifacts/store';
import { transferBucket, readBucket } from '../../buckets/store';
import * as lq from '../../ledger/queries';
import { isSealedAccount } from '../../ledger/sealed';
import { sealedHolds } from '../../oracle/bids';
import { transfer } from '../../ledger/transfer';
import { artifactId, positiveAmount } from '../../validation';
import { SCRIP, SYSTEM_ACCOUNTS } from '../../ids';
import { forbidden } from '../../errors';
import { method, type CallContext, type GenesisServiceDef } from '../context';

/** The caller moves its own assets, or those of a principal whose access contract lets it. */
async function authorisedSender(ctx: CallContext, from: string | undefined): Promise<string> {
  if (from === undefined || from === ctx.caller) return ctx.caller;
  const principal = await requireArtifact(ctx.client, from);
  await checkAccess(ctx.client, ctx.caller, principal, 'transfer', ctx.hooks.customContract);
  return from;
}

/**
 * A principal that may receive a direct transfer. Genesis accounts and services take value only
 * through their own operations (holds, listings, fees): scrip sent to them by hand would be stuck
 * or would break what a holding account must equal. Donations to the treasury are fine.
 */
async function requireRecipient(ctx: CallContext, to: string): Promise<void> {
  const { genesis } = await requirePrincipal(ctx.client, to);
  if (genesis && to !== SYSTEM_ACCOUNTS.treasury) throw forbidden(`${to} is a genesis account or service and cannot receive transfers`);
}

export function limitArg(ctx: CallContext, limit: number | undefined): number {
  return Math.min(limit ?? ctx.config.limits.defaultListLimit, ctx.config.limits.maxListLimit);
}

const memo = z.string().max(500).optional();
const limit = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional();

export const ledgerService: GenesisServiceDef = {
  balance: method({
    readOnly: true,
    description: "Scrip balance and compute bucket of a principal (default: yourself). Another's scrip includes what it holds in sealed bids.",
    args: z.strictObject({ principal: artifactId.optional() }),
    async run(ctx, a) {
      const principal = a.principal ?? ctx.caller;
      await requirePrincipal(ctx.client, principal);
      if (isSealedAccount(principal)) throw forbidden(`${principal} holds sealed bids: its balance is not public`);
      const held = principal === ctx.caller ? 0 : ((await sealedHolds(ctx.client, [principal])).get(principal) ?? 0);
      const scrip = ((await lq.getBalance(ctx.client, principal, SCRIP)) ?? 0) + held;
      const compute = await readBucket(ctx.client, principal, 'compute');
      const llm = await readBucket(ctx.client, principal, 'llm_tokens');
      return { principal, scrip, compute: compute.available, compute_recovers_at: compute.recovers_at, llm_tokens: llm.available };
    },
  }),
  all_balances: method({
    readOnly: true,
    description: "Scrip balances of every principal (but the sealed hold of oracle bids); another's scrip includes what it holds in sealed bids.",
    args: z.strictObject({}),
    async run(ctx) {
      const holds = await sealedHolds(ctx.client, null);
      const held = (p: string) => (p === ctx.caller ? 0 : (holds.get(p) ?? 0));
      return (await lq.allBalances(ctx.client, SCRIP))
        .filter((r) => !isSealedAccount(r.principal_id))
        .map((r) => ({ principal: r.principal_id, scrip: r.balance + held(r.principal_id), system: r.is_system }));
    },
  }),
  transfer: method({
    description: 'Send scrip to another principal: {to, amount, memo?}. Unilateral; the recipient need not agree.',
    args: z.strictObject({ to: artifactId, amount: positiveAmount, memo, from: artifactId.optional() }),
    async run(ctx, a) {
      const from = await authorisedSender(ctx, a.from);
      await requireRecipient(ctx, a.to);
      return transfer(ctx.client, { id: ctx.key, from, to: a.to, asset: SCRIP, amount: a.amount, kind: 'transfer', memo: a.memo });
    },
  }),
  transfer_compute: method({
    description: 'Give some of your available compute (CPU-ms) to another principal, e.g. to rescue one frozen in debt: {to, amount}.',
    args: z.strictObject({ to: artifactId, amount: positiveAmount, from: artifactId.optional() }),
    async run(ctx, a) {
      const from = await authorisedSender(ctx, a.from);
      await requireRecipient(ctx, a.to);
      return transferBucket(ctx.client, { id: ctx.key, from, to: a.to, resource: 'compute', amount: a.amount });
    },
  }),
  history: method({
    readOnly: true,
    description: 'Recent scrip transfers of a principal (default: yourself), newest first: {principal?, limit?}. Oracle bids and their refunds show only to the bidder.',
    args: z.strictObject({ principal: artifactId.optional(), limit }),
    async run(ctx, a) {
      const principal = a.principal ?? ctx.caller;
      await requireArtifact(ctx.client, principal);
      return (await lq.history(ctx.client, principal, limitArg(ctx, a.limit), ctx.caller)).map((r) => ({
        transfer_id: r.id,
        seq: r.seq,
        from: r.debit_principal,
        to: r.credit_principal,
        amount: r.amount,
        kind: r.kind,
        memo: r.memo,
        at: r.created_at,
      }));
    },
  }),
};
