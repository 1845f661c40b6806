import { CONTRACTS } from '../ids';
import type { SlotView } from '../oracle/resolution';

/** A tool of another principal as the market view shows it. */
export interface MarketTool {
  id: string;
  owner_id: string;
  price: number;
  /** Settled, paid invocations. */
  invoked: number;
  /** The owner's words (content.description, else content.doc), cut short in SQL; null if none. */
  description: string | null;
}

export interface MarketListing {
  id: number;
  artifact_id: string;
  seller_id: string;
  price: number;
}

export interface MarketOffer {
  id: number;
  seller_id: string;
  resource: string;
  amount: number;
  price: number;
}

/** The last sale of a right: its price per unit is the market's last traded price. */
export interface LastTrade {
  resource: string;
  amount: number;
  price: number;
}

export type MarketWinner = Pick<SlotView, 'bidder' | 'artifact_id' | 'price' | 'score' | 'minted'>;

/** What the market view shows: public facts only (sealed bids stay sealed until resolved). */
export interface MarketFacts {
  tools: MarketTool[];
  listings: MarketListing[];
  offers: MarketOffer[];
  /** The last sale of each right (and of compute balance), by resource. */
  lastTrades: LastTrade[];
  lastResolution: { id: string; winners: MarketWinner[] } | null;
}

/**
 * Tools everyone may read and invoke without running a custom contract; a private or custom
 * contract may keep an artifact's content from the agent, so those are left out.
 */
const READABLE_BY_ALL = [CONTRACTS.public, CONTRACTS.ownerOnly, CONTRACTS.selfOwned].map((c) => `'${c}'`).join(', ');

/**
 * Scalar sub-selects (JSON) of the market view, for the prompt's one statement. Placeholders:
 * `agent` the reader, `tools` how many most used and how many newest, `listings` how many listings
 * and offers, `chars` the description's length (one more is read, so clipping shows).
 */
export function marketFactsSql(p: { agent: string; tools: string; listings: string; chars: string }): { tools: string; listings: string; offers: string; lastTrades: string; resolution: string } {
  const toolOfOther = `NOT a.genesis AND a.can_execute AND a.code IS NOT NULL AND a.owner_id <> ${p.agent} AND a.access_contract_id IN (${READABLE_BY_ALL})`;
  return {
    tools: `(SELECT COALESCE(json_agg(t ORDER BY t.invoked DESC, t.id), '[]') FROM (
       SELECT a.id, a.owner_id, a.price,
         (SELECT count(*)::int FROM invocations i WHERE i.artifact_id = a.id AND i.status = 'paid') AS invoked,
         left(COALESCE(a.content->>'description', a.content->>'doc'), ${p.chars} + 1) AS description
       FROM artifacts a WHERE a.id IN (
         (SELECT a.id FROM invocations i JOIN artifacts a ON a.id = i.artifact_id WHERE i.status = 'paid' AND ${toolOfOther}
            GROUP BY a.id ORDER BY count(*) DESC, a.id LIMIT ${p.tools})
         UNION
         (SELECT a.id FROM artifacts a WHERE ${toolOfOther} ORDER BY a.created_at DESC, a.id LIMIT ${p.tools}))) t)`,
    listings: `(SELECT COALESCE(json_agg(l ORDER BY l.id DESC), '[]') FROM (
       SELECT id, artifact_id, seller_id, price FROM escrow_listings
       WHERE status = 'open' AND seller_id <> ${p.agent} AND (buyer_id IS NULL OR buyer_id = ${p.agent})
       ORDER BY id DESC LIMIT ${p.listings}) l)`,
    offers: `(SELECT COALESCE(json_agg(o ORDER BY o.id DESC), '[]') FROM (
       SELECT id, seller_id, resource, amount, price FROM right_offers
       WHERE status = 'open' AND seller_id <> ${p.agent} AND (buyer_id IS NULL OR buyer_id = ${p.agent})
       ORDER BY id DESC LIMIT ${p.listings}) o)`,
    lastTrades: `(SELECT COALESCE(json_agg(t ORDER BY t.resource), '[]') FROM (
       SELECT DISTINCT ON (resource) resource, amount, price FROM right_offers
       WHERE status = 'sold' ORDER BY resource, closed_at DESC, id DESC) t)`,
    // Only a resolved resolution's results are public; the scorer's reasons are left out (long).
    resolution: `(SELECT json_build_object('id', r.id, 'winners', (
         SELECT COALESCE(json_agg(json_build_object('bidder', w->>'bidder', 'artifact_id', w->>'artifact_id',
           'price', (w->>'price')::bigint, 'score', (w->>'score')::int, 'minted', (w->>'minted')::bigint) ORDER BY n), '[]')
         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.results->'winners') = 'array' THEN r.results->'winners' ELSE '[]' END) WITH ORDINALITY x(w, n)))
       FROM oracle_resolutions r WHERE r.status = 'resolved' ORDER BY r.scheduled_at DESC LIMIT 1)`,
  };
}
