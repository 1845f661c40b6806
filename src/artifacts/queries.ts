import type { PoolClient } from 'pg';
import '../db/int8';

export interface ArtifactRow {
  id: string;
  type: string;
  content: unknown;
  code: string | null;
  owner_id: string;
  access_contract_id: string;
  has_standing: boolean;
  can_execute: boolean;
  price: number;
  size_bytes: number;
  genesis: boolean;
  managed_by: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface NewArtifact {
  id: string;
  type: string;
  content: unknown;
  code: string | null;
  owner_id: string;
  access_contract_id: string;
  has_standing: boolean;
  can_execute: boolean;
  price: number;
  size_bytes: number;
  genesis?: boolean;
  managed_by?: string | null;
  created_by: string | null;
}

export async function getArtifact(client: PoolClient, id: string, forUpdate = false): Promise<ArtifactRow | undefined> {
  return (await client.query<ArtifactRow>(`SELECT * FROM artifacts WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id])).rows[0];
}

/** Inserts unless the id is taken; returns whether it was inserted. */
export async function insertArtifact(client: PoolClient, a: NewArtifact): Promise<boolean> {
  const r = await client.query(
    `INSERT INTO artifacts (id, type, content, code, owner_id, access_contract_id, has_standing, can_execute,
                            price, size_bytes, genesis, managed_by, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (id) DO NOTHING`,
    [a.id, a.type, JSON.stringify(a.content), a.code, a.owner_id, a.access_contract_id, a.has_standing, a.can_execute,
      a.price, a.size_bytes, a.genesis ?? false, a.managed_by ?? null, a.created_by],
  );
  return r.rowCount === 1;
}

export async function updateArtifact(
  client: PoolClient,
  id: string,
  fields: { type: string; content: unknown; code: string | null; access_contract_id: string; can_execute: boolean; price: number; size_bytes: number },
): Promise<void> {
  await client.query(
    `UPDATE artifacts SET type = $2, content = $3, code = $4, access_contract_id = $5, can_execute = $6, price = $7,
                          size_bytes = $8, updated_at = now()
     WHERE id = $1`,
    [id, fields.type, JSON.stringify(fields.content), fields.code, fields.access_contract_id, fields.can_execute, fields.price, fields.size_bytes],
  );
}

export async function setOwner(client: PoolClient, id: string, owner: string): Promise<void> {
  await client.query('UPDATE artifacts SET owner_id = $2, updated_at = now() WHERE id = $1', [id, owner]);
}

export async function deleteArtifactRow(client: PoolClient, id: string): Promise<void> {
  await client.query('DELETE FROM artifacts WHERE id = $1', [id]);
}

/**
 * Bytes charged to a principal's disk quota: the artifacts it owns, and those the escrow holds for
 * it in open listings (listing an artifact frees no disk: a cancel gives it back). The same sum
 * as DISK_USED_SQL, which reads it inside other statements.
 */
export async function diskUsed(client: PoolClient, owner: string): Promise<number> {
  const r = await client.query<{ used: number }>(`SELECT ${DISK_USED_SQL('$1')} AS used`, [owner]);
  return r.rows[0].used;
}

/** A scalar subquery: the disk bytes charged to the principal in `param` (see diskUsed). */
export const DISK_USED_SQL = (param: string): string => `(
  (SELECT COALESCE(sum(size_bytes), 0) FROM artifacts WHERE owner_id = ${param})
  + (SELECT COALESCE(sum(a.size_bytes), 0) FROM escrow_listings l JOIN artifacts a ON a.id = l.artifact_id
     WHERE l.seller_id = ${param} AND l.status = 'open' AND a.owner_id = 'genesis_escrow'))::bigint`;

export async function listArtifacts(
  client: PoolClient,
  f: { owner?: string; type?: string; after?: string; limit: number },
): Promise<Array<Omit<ArtifactRow, 'content' | 'code'>>> {
  return (
    await client.query(
      `SELECT id, type, owner_id, access_contract_id, has_standing, can_execute, price, size_bytes, genesis, managed_by,
              created_by, created_at, updated_at
       FROM artifacts
       WHERE ($1::text IS NULL OR owner_id = $1) AND ($2::text IS NULL OR type = $2) AND ($3::text IS NULL OR id > $3)
       ORDER BY id LIMIT $4`,
      [f.owner ?? null, f.type ?? null, f.after ?? null, f.limit],
    )
  ).rows;
}
