import type { PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import * as q from './queries';
import { nextIntervalTime, scheduleSpecOf } from './schedule';

export interface OracleStatus {
  enabled: boolean;
  schedule: { interval_seconds: number | null; cron: string | null };
  /** ISO-8601 UTC, or null when the oracle is disabled or the time is not known yet. */
  next_resolution_at: string | null;
  /** How many bids are open (sealed: never their amounts). */
  open_bids: number;
  slots: number;
  min_bid: number;
  mint_ratio: number;
  eligibility: string;
  owner_only: boolean;
  last_resolution: { resolution_id: string; status: string; resolved_at: Date | null } | null;
}

/**
 * What agents may know about the oracle (genesis_oracle.status, and the agents' prompt): read from
 * PostgreSQL only, never from Temporal, since callers run inside a database transaction.
 */
export async function oracleStatus(client: PoolClient, config: EcologyConfig, now = new Date()): Promise<OracleStatus> {
  const stored = await q.readNextResolution(client);
  const last = await q.lastResolution(client);
  return oracleStatusFrom(config, { stored, last: last ?? null, openBids: await q.countOpenBids(client) }, now);
}

/** What oracleStatus reads from PostgreSQL. */
export interface OracleFacts {
  stored: Date | null;
  last: { id: string; status: string; resolved_at: Date | null } | null;
  openBids: number;
}

/**
 * OracleFacts as one scalar sub-select yielding JSON, for a statement that reads them next to
 * other things (the agents' prompt); oracleFactsFromJson turns its value back into OracleFacts.
 */
export const ORACLE_FACTS_JSON_SQL = `json_build_object(
    'stored', (SELECT next_resolution_at FROM oracle_state WHERE id),
    'last', (SELECT json_build_object('id', id, 'status', status, 'resolved_at', resolved_at) FROM oracle_resolutions ORDER BY scheduled_at DESC LIMIT 1),
    'open_bids', (SELECT count(*)::int FROM oracle_bids WHERE status = 'open'))`;

export function oracleFactsFromJson(j: { stored: string | null; last: { id: string; status: string; resolved_at: string | null } | null; open_bids: number }): OracleFacts {
  const date = (s: string | null) => (s === null ? null : new Date(s));
  return { stored: date(j.stored), last: j.last && { ...j.last, resolved_at: date(j.last.resolved_at) }, openBids: j.open_bids };
}

export function oracleStatusFrom(config: EcologyConfig, facts: OracleFacts, now: Date): OracleStatus {
  const o = config.oracle;
  const { stored, last } = facts;
  // A stored time already past (a resolution under way, or no worker running): for an interval
  // schedule the following one is known.
  const next = stored && stored > now ? stored : (nextIntervalTime(o.intervalSeconds, now) ?? stored);
  return {
    enabled: o.enabled,
    schedule: scheduleSpecOf(config),
    next_resolution_at: o.enabled ? (next?.toISOString() ?? null) : null,
    open_bids: facts.openBids,
    slots: o.slots,
    min_bid: o.minBid,
    mint_ratio: o.mintRatio,
    eligibility: o.eligibility === 'executable' ? 'executable artifacts that are not genesis' : 'any artifact that is not genesis',
    owner_only: !o.bidOnOthers,
    last_resolution: last ? { resolution_id: last.id, status: last.status, resolved_at: last.resolved_at } : null,
  };
}
