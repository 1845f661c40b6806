import type { PoolClient } from 'pg';
import type { QuotaResource } from '../rights/quotas';
import '../db/int8';

/** What an offer sells: an amount of a right, or of compute balance ('compute'). */
export type OfferedResource = QuotaResource | 'compute';

export interface RightOfferRow {
  id: number;
  seller_id: string;
  resource: OfferedResource;
  amount: number;
  price: number;
  buyer_id: string | null;
  status: 'open' | 'sold' | 'cancelled';
  purchaser_id: string | null;
  created_at: Date;
  closed_at: Date | null;
}

/** An open offer, locked: racing buyers queue behind the first and then find it closed. */
export async function lockOpenOffer(client: PoolClient, id: number): Promise<RightOfferRow | undefined> {
  return (await client.query<RightOfferRow>(`SELECT * FROM right_offers WHERE id = $1 AND status = 'open' FOR UPDATE`, [id])).rows[0];
}

export async function getOffer(client: PoolClient, id: number): Promise<RightOfferRow | undefined> {
  return (await client.query<RightOfferRow>('SELECT * FROM right_offers WHERE id = $1', [id])).rows[0];
}

export async function openOffer(
  client: PoolClient,
  o: { seller_id: string; resource: OfferedResource; amount: number; price: number; buyer_id: string | null },
): Promise<RightOfferRow> {
  return (
    await client.query<RightOfferRow>(
      `INSERT INTO right_offers (seller_id, resource, amount, price, buyer_id, status) VALUES ($1, $2, $3, $4, $5, 'open') RETURNING *`,
      [o.seller_id, o.resource, o.amount, o.price, o.buyer_id],
    )
  ).rows[0];
}

export async function closeOffer(client: PoolClient, id: number, status: 'sold' | 'cancelled', purchaser: string | null): Promise<void> {
  await client.query(`UPDATE right_offers SET status = $2, purchaser_id = $3, closed_at = now() WHERE id = $1`, [id, status, purchaser]);
}

export async function activeOffers(client: PoolClient, limit: number): Promise<RightOfferRow[]> {
  return (await client.query<RightOfferRow>(`SELECT * FROM right_offers WHERE status = 'open' ORDER BY id LIMIT $1`, [limit])).rows;
}
