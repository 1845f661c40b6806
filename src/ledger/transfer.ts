import type { PoolClient } from 'pg';
import { EcologyError, invalid } from '../errors';
import { requirePrincipal } from '../artifacts/principals';
import { emit } from '../events/emit';
import * as q from './queries';

export interface TransferRequest {
  /** Caller-made idempotency key: the journal row's id. */
  id: string;
  from: string;
  to: string;
  asset: string;
  amount: number;
  kind: string;
  reference?: string;
  memo?: string;
}

export interface TransferResult {
  transfer_id: string;
  seq: number;
  from: string;
  to: string;
  asset: string;
  amount: number;
  replayed: boolean;
}

function toResult(row: q.JournalRow, replayed: boolean): TransferResult {
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
 * The journal row is inserted first, so a concurrent repeat of the same id waits for the first and
 * then replays it. Authorisation is the caller's job; this only enforces the ledger's own rules.
 */
export async function transfer(client: PoolClient, t: TransferRequest): Promise<TransferResult> {
  if (!Number.isSafeInteger(t.amount) || t.amount <= 0) throw invalid('amount must be a positive whole number');
  if (t.from === t.to) throw invalid('cannot transfer to oneself');
  await requirePrincipal(client, t.from);
  await requirePrincipal(client, t.to);
  await q.ensureAccount(client, t.from, t.asset);
  await q.ensureAccount(client, t.to, t.asset);

  const row = await q.insertJournal(client, t);
  if (!row) {
    const prior = (await q.getJournal(client, t.id))!;
    const same =
      prior.debit_principal === t.from && prior.credit_principal === t.to && prior.asset === t.asset &&
      prior.amount === t.amount && prior.kind === t.kind;
    if (!same) throw new EcologyError('IDEMPOTENCY_CONFLICT', `transfer id ${t.id} was already used for a different transfer`);
    return toResult(prior, true);
  }

  // Lock both rows in a fixed order so concurrent opposite transfers cannot deadlock.
  const [first, second] = t.from < t.to ? [t.from, t.to] : [t.to, t.from];
  await client.query('SELECT 1 FROM accounts WHERE principal_id = ANY($1) AND asset = $2 ORDER BY principal_id FOR UPDATE', [[first, second], t.asset]);
  const after = await q.debit(client, t.from, t.asset, t.amount);
  if (after === undefined) {
    const balance = (await q.getBalance(client, t.from, t.asset)) ?? 0;
    throw new EcologyError('INSUFFICIENT_FUNDS', `${t.from} has ${balance} ${t.asset}, needs ${t.amount}`, { balance, needed: t.amount });
  }
  await q.credit(client, t.to, t.asset, t.amount);
  await emit(client, {
    type: 'transfer',
    actor: t.from,
    subject: t.to,
    data: { transfer_id: t.id, from: t.from, to: t.to, asset: t.asset, amount: t.amount, kind: t.kind, reference: t.reference ?? null },
  });
  return toResult(row, false);
}
