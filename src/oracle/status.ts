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
  const o = config.oracle;
  const stored = await q.readNextResolution(client);
  // A stored time already past (a resolution under way, or no worker running): for an interval
  // schedule the following one is known.
  const next = stored && stored > now ? stored : (nextIntervalTime(o.intervalSeconds, now) ?? stored);
  const last = await q.lastResolution(client);
  return {
    enabled: o.enabled,
    schedule: scheduleSpecOf(config),
    next_resolution_at: o.enabled ? (next?.toISOString() ?? null) : null,
    open_bids: await q.countOpenBids(client),
    slots: o.slots,
    min_bid: o.minBid,
    mint_ratio: o.mintRatio,
    eligibility: o.eligibility === 'executable' ? 'executable artifacts that are not genesis' : 'any artifact that is not genesis',
    owner_only: !o.bidOnOthers,
    last_resolution: last ? { resolution_id: last.id, status: last.status, resolved_at: last.resolved_at } : null,
  };
}
