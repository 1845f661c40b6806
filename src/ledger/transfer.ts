import type { PoolClient } from 'pg';
import { EcologyError, invalid } from '../errors';
import { requirePrincipal } from './standing';
import * as q from './queries';

/** A transfer as callers ask for it; `id` is the caller-made idempotency key (the journal row's id). */
export type TransferRequest = q.TransferInput;

export interface TransferResult {
  transfer_id: string;
  seq: number;
  from: string;
  to: string;
  asset: string;
  amount: number;
  replayed: boolean;
}

/** A journal entry as transfer() reports it (dispatch's one-statement transfer builds its result here too). */
export function toTransferResult(row: q.JournalEntry, replayed: boolean): TransferResult {
  return {
    transfer_id: row.id,
    seq: row.seq,
    from: row.debit_principal,
    to: row.credit_principal,
    asset: row.asset,
    amount: row.amount,
    replayed,
  };
}

/**
 * The one primitive that moves money: a journal row and both balances, in the caller's transaction.
 * The journal row is inserted before the balances are locked, so a concurrent repeat of the same id
 * waits for the first and then replays it. Authorisation is the caller's job; this only enforces
 * the ledger's own rules. The usual case is one statement (queries.applyTransfer); the rare ones
 * (a missing party or account, a used id, too little money) are sorted out here.
 */
export async function transfer(client: PoolClient, t: TransferRequest): Promise<TransferResult> {
  if (!Number.isSafeInteger(t.amount) || t.amount <= 0) throw invalid('amount must be a positive whole number');
  if (t.from === t.to) throw invalid('cannot transfer to oneself');
  const eventData = { transfer_id: t.id, from: t.from, to: t.to, asset: t.asset, amount: t.amount, kind: t.kind, reference: t.reference ?? null };

  // At most three rounds: a party that just became a principal, then accounts just created.
  for (let round = 0; ; round++) {
    const r = await q.applyTransfer(client, t, eventData);
    if (!r.principals_ok) {
      // The same errors as before, in the same order: payer first.
      await requirePrincipal(client, t.from);
      await requirePrincipal(client, t.to);
    } else if (!r.accounts_ok) {
      await q.ensureAccount(client, t.from, t.asset);
      await q.ensureAccount(client, t.to, t.asset);
    } else if (!r.entry) {
      const prior = (await q.getJournal(client, t.id))!;
      const same =
        prior.debit_principal === t.from && prior.credit_principal === t.to && prior.asset === t.asset &&
        prior.amount === t.amount && prior.kind === t.kind;
      if (!same) throw new EcologyError('IDEMPOTENCY_CONFLICT', `transfer id ${t.id} was already used for a different transfer`);
      return toTransferResult(prior, true);
    } else if (r.event_seq === null) {
      const balance = r.payer_balance ?? 0;
      throw new EcologyError('INSUFFICIENT_FUNDS', `${t.from} has ${balance} ${t.asset}, needs ${t.amount}`, { balance, needed: t.amount });
    } else {
      return toTransferResult(r.entry, false);
    }
    if (round >= 2) throw new Error(`transfer ${t.id}: parties or accounts changed under it three times`);
  }
}
