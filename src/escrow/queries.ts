import type { PoolClient } from 'pg';
import '../db/int8';

export interface ListingRow {
  id: number;
  artifact_id: string;
  seller_id: string;
  price: number;
  buyer_id: string | null;
  status: 'open' | 'sold' | 'cancelled';
  purchaser_id: string | null;
  created_at: Date;
  closed_at: Date | null;
}

/** The open listing of an artifact, locked so that racing buyers queue behind the first. */
export async function lockOpenListing(client: PoolClient, artifactId: string): Promise<ListingRow | undefined> {
  return (await client.query<ListingRow>(`SELECT * FROM escrow_listings WHERE artifact_id = $1 AND status = 'open' FOR UPDATE`, [artifactId])).rows[0];
}

export async function latestListing(client: PoolClient, artifactId: string): Promise<ListingRow | undefined> {
  return (await client.query<ListingRow>('SELECT * FROM escrow_listings WHERE artifact_id = $1 ORDER BY id DESC LIMIT 1', [artifactId])).rows[0];
}

export async function openListing(client: PoolClient, l: { artifact_id: string; seller_id: string; price: number; buyer_id: string | null }): Promise<ListingRow> {
  return (
    await client.query<ListingRow>(
      `INSERT INTO escrow_listings (artifact_id, seller_id, price, buyer_id, status) VALUES ($1, $2, $3, $4, 'open') RETURNING *`,
      [l.artifact_id, l.seller_id, l.price, l.buyer_id],
    )
  ).rows[0];
}

export async function closeListing(client: PoolClient, id: number, status: 'sold' | 'cancelled', purchaser: string | null): Promise<void> {
  await client.query(`UPDATE escrow_listings SET status = $2, purchaser_id = $3, closed_at = now() WHERE id = $1`, [id, status, purchaser]);
}

export async function activeListings(client: PoolClient, limit: number): Promise<ListingRow[]> {
  return (await client.query<ListingRow>(`SELECT * FROM escrow_listings WHERE status = 'open' ORDER BY id LIMIT $1`, [limit])).rows;
}
