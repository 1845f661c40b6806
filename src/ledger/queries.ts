import type { PoolClient } from 'pg';

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

export async function insertJournal(
  client: PoolClient,
  t: { id: string; from: string; to: string; asset: string; amount: number; kind: string; reference?: string; memo?: string },
): Promise<JournalRow | undefined> {
  const r = await client.query<JournalRow>(
    `INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind, reference, memo)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING
     RETURNING *`,
    [t.id, t.from, t.to, t.asset, t.amount, t.kind, t.reference ?? null, t.memo ?? null],
  );
  return r.rows[0];
}

export async function getJournal(client: PoolClient, id: string): Promise<JournalRow | undefined> {
  return (await client.query<JournalRow>('SELECT * FROM journal WHERE id = $1', [id])).rows[0];
}

/** Debits `amount` if the balance allows it (system accounts may go negative). Returns the new balance. */
export async function debit(client: PoolClient, principal: string, asset: string, amount: number): Promise<number | undefined> {
  const r = await client.query<{ balance: number }>(
    `UPDATE accounts SET balance = balance - $3
     WHERE principal_id = $1 AND asset = $2 AND (is_system OR balance >= $3)
     RETURNING balance`,
    [principal, asset, amount],
  );
  return r.rows[0]?.balance;
}

export async function credit(client: PoolClient, principal: string, asset: string, amount: number): Promise<number> {
  const r = await client.query<{ balance: number }>(
    `UPDATE accounts SET balance = balance + $3 WHERE principal_id = $1 AND asset = $2 RETURNING balance`,
    [principal, asset, amount],
  );
  return r.rows[0].balance;
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

export async function history(client: PoolClient, principal: string, limit: number): Promise<JournalRow[]> {
  return (
    await client.query<JournalRow>(
      `SELECT * FROM journal WHERE debit_principal = $1 OR credit_principal = $1 ORDER BY seq DESC LIMIT $2`,
      [principal, limit],
    )
  ).rows;
}
