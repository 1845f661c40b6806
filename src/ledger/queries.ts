import type { PoolClient } from 'pg';
import '../db/int8';
import { SEALED_ACCOUNTS, SYSTEM_ACCOUNTS } from '../ids';
import { journalVisibleToSql, transferAudience } from './sealed';

/** Plain SQL for the scrip ledger. Every statement runs inside the caller's transaction. */

export interface JournalRow {
  seq: number;
  id: string;
  debit_principal: string;
  credit_principal: string;
  asset: string;
  amount: number;
  kind: string;
  reference: string | null;
  memo: string | null;
  created_at: Date;
}

export async function ensureAccount(client: PoolClient, principal: string, asset: string, isSystem = false): Promise<void> {
  await client.query(
    `INSERT INTO accounts (principal_id, asset, is_system) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [principal, asset, isSystem],
  );
}

export async function getJournal(client: PoolClient, id: string): Promise<JournalRow | undefined> {
  return (await client.query<JournalRow>('SELECT * FROM journal WHERE id = $1', [id])).rows[0];
}

export interface TransferInput {
  id: string;
  from: string;
  to: string;
  asset: string;
  amount: number;
  kind: string;
  reference?: string;
  memo?: string;
}

export type JournalEntry = Pick<JournalRow, 'seq' | 'id' | 'debit_principal' | 'credit_principal' | 'asset' | 'amount'>;

/** What applyTransfer found and did; the caller turns a missing piece into the matching error. */
export interface AppliedTransfer {
  /** Both parties exist and have standing (else nothing was done). */
  principals_ok: boolean;
  /** Both have an account in the asset (else nothing was done). */
  accounts_ok: boolean;
  /** The journal row this call inserted; null when the id was already used (nothing else was done). */
  entry: JournalEntry | null;
  /** The payer's balance once locked: with a null event_seq, the balance that could not cover it. */
  payer_balance: number | null;
  /** The transfer event's seq; null when the payer could not cover the amount (balances untouched). */
  event_seq: number | null;
}

/**
 * A whole transfer in one statement, each step gated on the one before:
 *   1. check both parties (artifacts with standing) and that both have accounts;
 *   2. insert the journal row under the caller's id (a concurrent twin waits here for the first to
 *      commit, then finds the id taken and goes no further);
 *   3. lock both balances in id order (FOR NO KEY UPDATE, so that the journal's foreign-key KEY
 *      SHARE locks on the same rows do not make concurrent payers deadlock);
 *   4. debit the payer if its balance covers the amount (only the mint, a system account, goes
 *      negative: its balance is minus the supply);
 *   5. credit the payee, and insert the `transfer` event.
 * When the debit does not happen, the journal row is still inserted and the caller's error rolls it
 * back, as with any failed operation. Placeholders: $1 id, $2 from, $3 to, $4 asset, $5 amount,
 * $6 kind, $7 reference, $8 memo, $9 the mint's id, $10 the event's data, $11 the event's audience
 * (src/ledger/sealed.ts).
 */
const APPLY_TRANSFER_SQL = `
WITH parties AS (
  SELECT count(*) FILTER (WHERE has_standing) = 2 AS ok FROM artifacts WHERE id IN ($2::text, $3::text)
), ready AS (
  SELECT (SELECT ok FROM parties) AS principals_ok,
         (SELECT count(*) = 2 FROM accounts WHERE principal_id IN ($2::text, $3::text) AND asset = $4::text) AS accounts_ok
), entry AS (
  INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind, reference, memo)
  SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint, $6::text, $7::text, $8::text
  FROM ready WHERE principals_ok AND accounts_ok
  ON CONFLICT (id) DO NOTHING
  RETURNING seq, id, debit_principal, credit_principal, asset, amount
), locked AS (
  SELECT principal_id, balance FROM accounts
  WHERE principal_id IN ($2::text, $3::text) AND asset = $4::text AND EXISTS (SELECT 1 FROM entry)
  ORDER BY principal_id
  FOR NO KEY UPDATE
), debited AS (
  UPDATE accounts SET balance = balance - $5::bigint
  WHERE principal_id = $2::text AND asset = $4::text
    AND ((is_system AND principal_id = $9::text) OR balance >= $5::bigint)
    AND (SELECT count(*) FROM locked) = 2
  RETURNING balance
), credited AS (
  UPDATE accounts SET balance = balance + $5::bigint
  WHERE principal_id = $3::text AND asset = $4::text AND EXISTS (SELECT 1 FROM debited)
  RETURNING balance
), event AS (
  INSERT INTO events (type, actor_id, subject_id, data, audience)
  SELECT 'transfer', $2::text, $3::text, $10::jsonb, $11::text FROM credited
  RETURNING seq
)
SELECT ready.principals_ok, ready.accounts_ok,
       (SELECT balance FROM locked WHERE principal_id = $2::text) AS payer_balance,
       (SELECT seq FROM event) AS event_seq,
       entry.seq, entry.id, entry.debit_principal, entry.credit_principal, entry.asset, entry.amount
FROM ready LEFT JOIN entry ON true`;

/** See APPLY_TRANSFER_SQL. `eventData` is the `transfer` event's data. */
export async function applyTransfer(client: PoolClient, t: TransferInput, eventData: Record<string, unknown>): Promise<AppliedTransfer> {
  type Row = Omit<AppliedTransfer, 'entry'> & { [K in keyof JournalEntry]: JournalEntry[K] | null };
  const r = await client.query<Row>({
    name: 'ledger_apply_transfer',
    text: APPLY_TRANSFER_SQL,
    values: [t.id, t.from, t.to, t.asset, t.amount, t.kind, t.reference ?? null, t.memo ?? null, SYSTEM_ACCOUNTS.mint, JSON.stringify(eventData), transferAudience(t.from, t.to)],
  });
  const { seq, id, debit_principal, credit_principal, asset, amount, ...rest } = r.rows[0];
  const entry = id === null ? null : { seq: seq!, id, debit_principal: debit_principal!, credit_principal: credit_principal!, asset: asset!, amount: amount! };
  return { ...rest, entry };
}

export async function getBalance(client: PoolClient, principal: string, asset: string): Promise<number | undefined> {
  const r = await client.query<{ balance: number }>('SELECT balance FROM accounts WHERE principal_id = $1 AND asset = $2', [principal, asset]);
  return r.rows[0]?.balance;
}

export async function allBalances(client: PoolClient, asset: string): Promise<Array<{ principal_id: string; balance: number; is_system: boolean }>> {
  return (
    await client.query('SELECT principal_id, balance, is_system FROM accounts WHERE asset = $1 ORDER BY principal_id', [asset])
  ).rows;
}

/**
 * A principal's journal rows, newest first, as `viewer` may see them: rows with a sealed account
 * only when the viewer is their other party (src/ledger/sealed.ts); null viewer: an operator, all.
 */
export async function history(client: PoolClient, principal: string, limit: number, viewer: string | null): Promise<JournalRow[]> {
  return (
    await client.query<JournalRow>(
      `SELECT * FROM journal WHERE (debit_principal = $1 OR credit_principal = $1)
         AND ($3::text IS NULL OR ${journalVisibleToSql('$3::text', '$4::text[]')})
       ORDER BY seq DESC LIMIT $2`,
      [principal, limit, viewer, SEALED_ACCOUNTS],
    )
  ).rows;
}
