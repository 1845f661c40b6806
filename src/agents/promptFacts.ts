import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { DISK_USED_SQL } from '../artifacts/queries';
import { bucketJsonSql, bucketViewFromRow, type BucketRow, type BucketView } from '../buckets/store';
import type { EventView } from '../events/view';
import { eventVisibleToSql } from '../events/visibility';
import { SCRIP } from '../genesis/ids';
import { openBountiesJsonSql, type PromptBounty } from '../bounties/queries';
import { ORACLE_FACTS_JSON_SQL, oracleFactsFromJson, type OracleFacts } from '../oracle/status';
import { quotasFromRows, type Quotas } from '../rights/quotas';
import { marketFactsSql, type MarketFacts } from './marketFacts';
import type { ActionRow } from './queries';
import '../db/int8';

/** An own artifact as the prompt lists it. */
export interface PromptArtifact {
  id: string;
  type: string;
  size_bytes: number;
  price: number;
  can_execute: boolean;
  has_standing: boolean;
}

export type PromptEvent = EventView;

export type PromptAction = Pick<ActionRow, 'iteration' | 'status' | 'summary' | 'result' | 'error'>;

/** What an earlier attempt of the same think stored under its key. */
export type StoredThought = Pick<ActionRow, 'status' | 'attempt' | 'prompt' | 'action_type' | 'action' | 'summary' | 'error'>;

/** Everything a think reads from PostgreSQL, as of one moment. */
export interface PromptFacts {
  /** The row already stored under the iteration's key (a retried think), if any. */
  stored: StoredThought | null;
  /** False when the agent is gone, or has no standing or cannot execute. */
  agent: boolean;
  /** The agent artifact's content: its configuration. */
  content: unknown;
  scrip: number;
  compute: BucketView;
  llm: BucketView;
  quotas: Quotas;
  diskUsed: number;
  artifacts: PromptArtifact[];
  /** Agents it owns (its children) with no LLM dollar allowance: they cannot think until funded. */
  unfundedChildren: string[];
  /** Newest first. */
  actions: PromptAction[];
  /** Oldest first, as are `recentEvents`. */
  ownEvents: PromptEvent[];
  recentEvents: PromptEvent[];
  oracle: OracleFacts;
  market: MarketFacts;
  /** Open bounties, soonest deadline first (agents.prompt.openBounties). */
  bounties: PromptBounty[];
}

/**
 * One statement (one snapshot, one round trip) for the whole prompt; each sub-select is what
 * the query module of its table would ask. Events private to others (sealed bids) are left out. Placeholders: $1 agent, $2 key, $3 scrip asset,
 * $4 own artifacts, $5 recent actions, $6 recent events, $7 market tools, $8 market listings,
 * $9 market description characters, $10 open bounties.
 */
const market = marketFactsSql({ agent: '$1', tools: '$7', listings: '$8', chars: '$9' });
const PROMPT_FACTS_SQL = `WITH me AS (SELECT content, has_standing AND can_execute AS agent FROM artifacts WHERE id = $1)
  SELECT
    (SELECT row_to_json(a) FROM (SELECT status, attempt, prompt, action_type, action, summary, error FROM agent_actions WHERE key = $2) a) AS stored,
    COALESCE((SELECT agent FROM me), false) AS agent,
    (SELECT content FROM me) AS content,
    (SELECT balance FROM accounts WHERE principal_id = $1 AND asset = $3) AS scrip,
    ${bucketJsonSql('$1', 'compute')} AS compute,
    ${bucketJsonSql('$1', 'llm_tokens')} AS llm,
    (SELECT COALESCE(json_agg(json_build_object('resource', resource, 'amount', amount)), '[]') FROM quotas WHERE principal_id = $1) AS quotas,
    ${DISK_USED_SQL('$1')} AS disk_used,
    (SELECT COALESCE(json_agg(a ORDER BY a.id), '[]') FROM (
       SELECT id, type, size_bytes, price, can_execute, has_standing FROM artifacts WHERE owner_id = $1 ORDER BY id LIMIT $4) a) AS artifacts,
    (SELECT COALESCE(json_agg(c.id ORDER BY c.id), '[]') FROM (
       SELECT id FROM artifacts c WHERE owner_id = $1 AND id <> $1 AND has_standing AND can_execute
         AND COALESCE((SELECT amount FROM quotas q WHERE q.principal_id = c.id AND q.resource = 'llm_dollars'), 0) = 0
       ORDER BY id LIMIT $4) c) AS unfunded_children,
    (SELECT COALESCE(json_agg(a ORDER BY a.iteration DESC), '[]') FROM (
       SELECT iteration, status, summary, result, error FROM agent_actions
       WHERE agent_id = $1 AND status IN ('invalid', 'done', 'failed') ORDER BY iteration DESC LIMIT $5) a) AS actions,
    (SELECT COALESCE(json_agg(e ORDER BY e.seq), '[]') FROM (
       SELECT seq, type, actor_id, subject_id, data, created_at FROM events
       WHERE (actor_id = $1 OR subject_id = $1) AND ${eventVisibleToSql('$1')} ORDER BY seq DESC LIMIT $6) e) AS own_events,
    (SELECT COALESCE(json_agg(e ORDER BY e.seq), '[]') FROM (
       SELECT seq, type, actor_id, subject_id, data, created_at FROM events WHERE ${eventVisibleToSql('$1')} ORDER BY seq DESC LIMIT $6) e) AS recent_events,
    ${ORACLE_FACTS_JSON_SQL} AS oracle,
    ${market.tools} AS market_tools,
    ${market.listings} AS market_listings,
    ${market.offers} AS market_offers,
    ${market.lastTrades} AS market_last_trades,
    ${market.resolution} AS market_resolution,
    ${openBountiesJsonSql({ limit: '$10', chars: '$9' })} AS open_bounties`;

interface FactsRow {
  stored: StoredThought | null;
  agent: boolean;
  content: unknown;
  scrip: number | null;
  compute: BucketRow;
  llm: BucketRow;
  quotas: Array<{ resource: string; amount: number }>;
  disk_used: number;
  artifacts: PromptArtifact[];
  unfunded_children: string[];
  actions: PromptAction[];
  own_events: PromptEvent[];
  recent_events: PromptEvent[];
  oracle: Parameters<typeof oracleFactsFromJson>[0];
  market_tools: MarketFacts['tools'];
  market_listings: MarketFacts['listings'];
  market_offers: MarketFacts['offers'];
  market_last_trades: MarketFacts['lastTrades'];
  market_resolution: MarketFacts['lastResolution'];
  open_bounties: PromptBounty[];
}

export async function readPromptFacts(
  pool: Pool,
  r: { agentId: string; key: string; prompt: EcologyConfig['agents']['prompt'] },
): Promise<PromptFacts> {
  const p = r.prompt;
  const res = await pool.query<FactsRow>({
    name: 'agent_prompt_facts',
    text: PROMPT_FACTS_SQL,
    values: [r.agentId, r.key, SCRIP, p.ownArtifacts, p.recentActions, p.recentEvents, p.marketTools, p.marketListings, p.marketDescriptionChars, p.openBounties],
  });
  const row = res.rows[0];
  return {
    stored: row.stored,
    agent: row.agent,
    content: row.content,
    scrip: row.scrip ?? 0,
    compute: bucketViewFromRow(r.agentId, 'compute', row.compute),
    llm: bucketViewFromRow(r.agentId, 'llm_tokens', row.llm),
    quotas: quotasFromRows(row.quotas),
    diskUsed: row.disk_used,
    artifacts: row.artifacts,
    unfundedChildren: row.unfunded_children,
    actions: row.actions,
    ownEvents: row.own_events,
    recentEvents: row.recent_events,
    oracle: oracleFactsFromJson(row.oracle),
    market: { tools: row.market_tools, listings: row.market_listings, offers: row.market_offers, lastTrades: row.market_last_trades, lastResolution: row.market_resolution },
    bounties: row.open_bounties,
  };
}
