import type { PoolClient } from 'pg';
import '../db/int8';

export interface DebtRow {
  id: string;
  debtor_id: string;
  creditor_id: string;
  amount: number;
  repaid: number;
  due: Date;
  status: 'offered' | 'active' | 'repaid';
  created_at: Date;
  accepted_at: Date | null;
}

export async function insertDebt(client: PoolClient, d: { id: string; debtor_id: string; creditor_id: string; amount: number; due: string }): Promise<DebtRow> {
  return (
    await client.query<DebtRow>(
      `INSERT INTO debts (id, debtor_id, creditor_id, amount, due, status) VALUES ($1, $2, $3, $4, $5, 'offered') RETURNING *`,
      [d.id, d.debtor_id, d.creditor_id, d.amount, d.due],
    )
  ).rows[0];
}

export async function lockDebt(client: PoolClient, id: string): Promise<DebtRow | undefined> {
  return (await client.query<DebtRow>('SELECT * FROM debts WHERE id = $1 FOR UPDATE', [id])).rows[0];
}

export async function getDebt(client: PoolClient, id: string): Promise<DebtRow | undefined> {
  return (await client.query<DebtRow>('SELECT * FROM debts WHERE id = $1', [id])).rows[0];
}

export async function updateDebt(client: PoolClient, id: string, f: { status: DebtRow['status']; repaid: number; accepted?: boolean }): Promise<DebtRow> {
  return (
    await client.query<DebtRow>(
      `UPDATE debts SET status = $2, repaid = $3, accepted_at = CASE WHEN $4 THEN now() ELSE accepted_at END WHERE id = $1 RETURNING *`,
      [id, f.status, f.repaid, f.accepted ?? false],
    )
  ).rows[0];
}

/** The contract artifact's content mirrors the debt row so that readers and buyers see its terms. */
export async function mirrorContent(client: PoolClient, d: DebtRow): Promise<void> {
  await client.query('UPDATE artifacts SET content = $2, updated_at = now() WHERE id = $1', [d.id, JSON.stringify(debtTerms(d))]);
}

export function debtTerms(d: DebtRow) {
  return {
    debtor: d.debtor_id,
    original_creditor: d.creditor_id,
    amount: d.amount,
    repaid: d.repaid,
    outstanding: d.amount - d.repaid,
    due: new Date(d.due).toISOString(),
    status: d.status,
  };
}
