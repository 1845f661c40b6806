import { createHash } from 'node:crypto';
import { z } from 'zod';
import { requirePrincipal } from '../../ledger/standing';
import { insertArtifact, getArtifact, setOwner } from '../../artifacts/queries';
import { ensureDiskFits, sizeOf } from '../../artifacts/store';
import * as dq from '../../debt/queries';
import * as eq from '../../escrow/queries';
import { EcologyError, forbidden, invalid, notFound } from '../../errors';
import { emit } from '../../events/emit';
import { transfer } from '../../ledger/transfer';
import { artifactId, positiveAmount } from '../../validation';
import { method, type CallContext, type GenesisServiceDef } from '../context';
import { CONTRACTS, SCRIP } from '../../ids';

const DEBT = 'genesis_debt';
const ESCROW = 'genesis_escrow';

/** The contract's id comes from the offer's idempotency key, so a retried offer finds the same contract. */
function debtIdFor(key: string): string {
  return `debt_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

async function requireDebt(ctx: CallContext, id: string): Promise<dq.DebtRow> {
  const d = await dq.lockDebt(ctx.client, id);
  if (!d) throw notFound(`debt contract ${id} does not exist`);
  return d;
}

/**
 * Who is owed: the contract's owner or, while the escrow holds it for sale, the seller (the escrow
 * holds artifacts, never scrip). `lock` locks the open listing so a racing purchase waits.
 */
async function holderOf(ctx: CallContext, debtId: string, lock = false): Promise<string | null> {
  const art = await getArtifact(ctx.client, debtId);
  if (!art) return null;
  if (art.owner_id !== ESCROW) return art.owner_id;
  const listing = lock ? await eq.lockOpenListing(ctx.client, debtId) : await eq.latestListing(ctx.client, debtId);
  return listing?.seller_id ?? art.owner_id;
}

async function view(ctx: CallContext, d: dq.DebtRow) {
  const holder = await holderOf(ctx, d.id);
  return { debt_id: d.id, holder, ...dq.debtTerms(d), overdue: d.status === 'active' && new Date(d.due).getTime() < Date.now() };
}

/**
 * A date JavaScript can read, normalised to ISO-8601 UTC: PostgreSQL reads some texts differently
 * or not at all ("2031"), so only the normalised form ever reaches it. Years past 9999 are refused
 * (their ISO form is not one PostgreSQL accepts).
 */
const isoDate = z
  .string()
  .max(64)
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'must be an ISO-8601 date' })
  .transform((s) => new Date(s))
  .refine((d) => d.getUTCFullYear() <= 9999, { error: 'must be before the year 10000' })
  .transform((d) => d.toISOString());

export const debtService: GenesisServiceDef = {
  offer: method({
    description: 'Offer to borrow: {creditor, amount, due}. If the creditor accepts, it pays you amount and holds the contract; you repay whoever holds it.',
    args: z.strictObject({ creditor: artifactId, amount: positiveAmount, due: isoDate }),
    async run(ctx, a) {
      await requirePrincipal(ctx.client, a.creditor);
      if (a.creditor === ctx.caller) throw invalid('you cannot borrow from yourself');
      if (Date.parse(a.due) <= Date.now()) throw invalid('due must be in the future');
      const id = debtIdFor(ctx.key);
      const terms = { debtor: ctx.caller, original_creditor: a.creditor, amount: a.amount, repaid: 0, outstanding: a.amount, due: a.due, status: 'offered' };
      // The debtor holds the contract until it is accepted: its bytes are the debtor's.
      await ensureDiskFits(ctx.client, ctx.caller, sizeOf(terms, null), false);
      const inserted = await insertArtifact(ctx.client, {
        id,
        type: 'debt',
        content: terms,
        code: null,
        owner_id: ctx.caller,
        access_contract_id: CONTRACTS.ownerOnly,
        has_standing: false,
        can_execute: false,
        price: 0,
        size_bytes: sizeOf(terms, null),
        managed_by: DEBT,
        created_by: ctx.caller,
      });
      if (!inserted) throw new EcologyError('ALREADY_EXISTS', `debt contract ${id} already exists`);
      const d = await dq.insertDebt(ctx.client, { id, debtor_id: ctx.caller, creditor_id: a.creditor, amount: a.amount, due: a.due });
      await emit(ctx.client, { type: 'debt_offered', actor: ctx.caller, subject: a.creditor, data: { debt_id: id, amount: a.amount, due: terms.due } });
      return view(ctx, d);
    },
  }),
  accept: method({
    description: 'Accept a debt offered to you: you pay the debtor the amount and receive the contract: {debt_id}.',
    args: z.strictObject({ debt_id: artifactId }),
    async run(ctx, a) {
      const d = await requireDebt(ctx, a.debt_id);
      if (d.creditor_id !== ctx.caller) throw forbidden('only the named creditor may accept this offer');
      if (d.status !== 'offered') throw new EcologyError('CONFLICT', `debt ${d.id} is ${d.status}, not offered`);
      // The contract goes to the creditor from the debtor; held by anyone else (listed, given away),
      // taking it would strip them of it.
      const art = await getArtifact(ctx.client, d.id, true);
      if (art?.owner_id !== d.debtor_id) {
        throw new EcologyError('CONFLICT', `debt contract ${d.id} is no longer held by its debtor ${d.debtor_id} (it is held by ${art?.owner_id ?? 'no one'}); it cannot be accepted`);
      }
      await ensureDiskFits(ctx.client, ctx.caller, art.size_bytes, false);
      await transfer(ctx.client, { id: ctx.key, from: ctx.caller, to: d.debtor_id, asset: SCRIP, amount: d.amount, kind: 'loan', reference: d.id });
      await setOwner(ctx.client, d.id, ctx.caller);
      const next = await dq.updateDebt(ctx.client, d.id, { status: 'active', repaid: 0, accepted: true });
      await dq.mirrorContent(ctx.client, next);
      await emit(ctx.client, { type: 'debt_accepted', actor: ctx.caller, subject: d.debtor_id, data: { debt_id: d.id, amount: d.amount } });
      return view(ctx, next);
    },
  }),
  repay: method({
    description: 'Pay towards an active debt; the scrip goes to whoever holds the contract now: {debt_id, amount}.',
    args: z.strictObject({ debt_id: artifactId, amount: positiveAmount }),
    async run(ctx, a) {
      const d = await requireDebt(ctx, a.debt_id);
      if (d.status !== 'active') throw new EcologyError('CONFLICT', `debt ${d.id} is ${d.status}, not active`);
      const outstanding = d.amount - d.repaid;
      if (a.amount > outstanding) throw invalid(`only ${outstanding} is outstanding`);
      const holder = (await holderOf(ctx, d.id, true))!;
      if (holder === ctx.caller) throw invalid('you hold this contract; there is no one to repay');
      await transfer(ctx.client, { id: ctx.key, from: ctx.caller, to: holder, asset: SCRIP, amount: a.amount, kind: 'repayment', reference: d.id });
      const repaid = d.repaid + a.amount;
      const next = await dq.updateDebt(ctx.client, d.id, { status: repaid === d.amount ? 'repaid' : 'active', repaid });
      await dq.mirrorContent(ctx.client, next);
      await emit(ctx.client, { type: 'debt_repaid', actor: ctx.caller, subject: holder, data: { debt_id: d.id, amount: a.amount, outstanding: d.amount - repaid } });
      return view(ctx, next);
    },
  }),
  check: method({
    readOnly: true,
    description: 'Terms, holder and outstanding amount of a debt contract: {debt_id}.',
    args: z.strictObject({ debt_id: artifactId }),
    async run(ctx, a) {
      const d = await dq.getDebt(ctx.client, a.debt_id);
      if (!d) throw notFound(`debt contract ${a.debt_id} does not exist`);
      return view(ctx, d);
    },
  }),
};
