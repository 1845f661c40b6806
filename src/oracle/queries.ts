import type { PoolClient } from 'pg';

/** Plain SQL of the oracle's tables (migrations/004_oracle.sql), in the caller's transaction. */

export type BidStatus = 'open' | 'won' | 'lost' | 'cancelled' | 'refunded';

export interface BidRow {
  id: number;
  bidder_id: string;
  artifact_id: string;
  amount: number;
  held: number;
  status: BidStatus;
  placed_at: Date;
  created_at: Date;
  closed_at: Date | null;
  resolution_id: string | null;
  rank: number | null;
  price: number | null;
}

export type SlotState = 'pending' | 'minted' | 'refunded';

export interface SlotRow {
  resolution_id: string;
  slot: number;
  bid_id: number;
  bidder_id: string;
  artifact_id: string;
  price: number;
  state: SlotState;
  score: number | null;
  reason: string | null;
  error: string | null;
  minted: number;
  settled_at: Date | null;
}

export interface ResolutionRow {
  id: string;
  scheduled_at: Date;
  cutoff: Date;
  status: 'scoring' | 'resolved';
  slots: number;
  min_bid: number;
  mint_ratio: number;
  seed: string;
  bid_count: number;
  results: unknown;
  ubi_total: number;
  ubi_agents: number;
  ubi_per_agent: number;
  ubi_remainder: number;
  opened_at: Date;
  settled_at: Date | null;
  resolved_at: Date | null;
}

// ---- bids ----

/** A new open bid, unless the bidder already has one on the artifact (then undefined). */
export async function insertOpenBid(client: PoolClient, b: { bidder: string; artifact: string; amount: number }): Promise<BidRow | undefined> {
  const r = await client.query<BidRow>(
    `INSERT INTO oracle_bids (bidder_id, artifact_id, amount, held, status) VALUES ($1, $2, $3, $3, 'open')
     ON CONFLICT (bidder_id, artifact_id) WHERE status = 'open' DO NOTHING
     RETURNING *`,
    [b.bidder, b.artifact, b.amount],
  );
  return r.rows[0];
}

export async function lockOpenBid(client: PoolClient, bidder: string, artifact: string): Promise<BidRow | undefined> {
  const r = await client.query<BidRow>(`SELECT * FROM oracle_bids WHERE bidder_id = $1 AND artifact_id = $2 AND status = 'open' FOR UPDATE`, [bidder, artifact]);
  return r.rows[0];
}

/** A changed bid is placed anew: its placed_at moves, so a change after a cutoff waits for the next resolution. */
export async function setBidAmount(client: PoolClient, id: number, amount: number): Promise<BidRow> {
  const r = await client.query<BidRow>(`UPDATE oracle_bids SET amount = $2, held = $2, placed_at = now() WHERE id = $1 AND status = 'open' RETURNING *`, [id, amount]);
  return r.rows[0];
}

export async function cancelBid(client: PoolClient, id: number): Promise<BidRow> {
  const r = await client.query<BidRow>(`UPDATE oracle_bids SET status = 'cancelled', held = 0, closed_at = now() WHERE id = $1 AND status = 'open' RETURNING *`, [id]);
  return r.rows[0];
}

/** The bidder's current bid on the artifact: the open one, else the latest. */
export async function latestBid(client: PoolClient, bidder: string, artifact: string): Promise<BidRow | undefined> {
  const r = await client.query<BidRow>(
    `SELECT * FROM oracle_bids WHERE bidder_id = $1 AND artifact_id = $2 ORDER BY (status = 'open') DESC, id DESC LIMIT 1`,
    [bidder, artifact],
  );
  return r.rows[0];
}

export async function countOpenBids(client: PoolClient): Promise<number> {
  return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM oracle_bids WHERE status = 'open'`)).rows[0].n;
}

/** An open bid at the cutoff, with whether its artifact may still be bid on. */
export interface CandidateBid {
  id: number;
  bidder_id: string;
  artifact_id: string;
  amount: number;
  eligible: boolean;
}

/**
 * Locks the open bids placed at or before the cutoff. `eligible` repeats the checks bid() made,
 * since the artifact may have been deleted, changed or sold since.
 */
export async function lockBidsAtCutoff(
  client: PoolClient,
  cutoff: Date,
  rules: { executableOnly: boolean; ownerOnly: boolean },
): Promise<CandidateBid[]> {
  const r = await client.query<CandidateBid>(
    `SELECT b.id, b.bidder_id, b.artifact_id, b.amount,
            (a.id IS NOT NULL AND NOT a.genesis AND (NOT $2 OR a.can_execute) AND (NOT $3 OR a.owner_id = b.bidder_id)) AS eligible
     FROM oracle_bids b LEFT JOIN artifacts a ON a.id = b.artifact_id
     WHERE b.status = 'open' AND b.placed_at <= $1
     ORDER BY b.id
     FOR UPDATE OF b`,
    [cutoff, rules.executableOnly, rules.ownerOnly],
  );
  return r.rows;
}

/** Closes the bids of a resolution in one statement: status, rank, price and what stays held. */
export async function closeBids(
  client: PoolClient,
  resolutionId: string,
  rows: Array<{ id: number; status: 'won' | 'lost'; rank: number | null; price: number | null; held: number }>,
): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `UPDATE oracle_bids b SET status = v.status, rank = v.rank, price = v.price, held = v.held, resolution_id = $1, closed_at = now()
     FROM unnest($2::bigint[], $3::text[], $4::int[], $5::bigint[], $6::bigint[]) AS v(id, status, rank, price, held)
     WHERE b.id = v.id AND b.status = 'open'`,
    [resolutionId, rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => r.rank), rows.map((r) => r.price), rows.map((r) => r.held)],
  );
}

export async function setBidHeld(client: PoolClient, id: number, held: number, status?: BidStatus): Promise<void> {
  await client.query('UPDATE oracle_bids SET held = $2, status = COALESCE($3, status) WHERE id = $1', [id, held, status ?? null]);
}

// ---- resolutions ----

export async function getResolution(client: PoolClient, id: string, forUpdate = false): Promise<ResolutionRow | undefined> {
  return (await client.query<ResolutionRow>(`SELECT * FROM oracle_resolutions WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id])).rows[0];
}

export async function insertResolution(
  client: PoolClient,
  r: { id: string; scheduledAt: Date; cutoff: Date; slots: number; minBid: number; mintRatio: number; seed: string; bidCount: number },
): Promise<ResolutionRow | undefined> {
  const res = await client.query<ResolutionRow>(
    `INSERT INTO oracle_resolutions (id, scheduled_at, cutoff, status, slots, min_bid, mint_ratio, seed, bid_count)
     VALUES ($1, $2, $3, 'scoring', $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO NOTHING RETURNING *`,
    [r.id, r.scheduledAt, r.cutoff, r.slots, r.minBid, r.mintRatio, r.seed, r.bidCount],
  );
  return res.rows[0];
}

/** Marks a resolution resolved with its public results; false if it already was. */
export async function markResolved(client: PoolClient, id: string, results: unknown): Promise<boolean> {
  const r = await client.query(`UPDATE oracle_resolutions SET status = 'resolved', results = $2, resolved_at = now() WHERE id = $1 AND status = 'scoring'`, [id, JSON.stringify(results)]);
  return r.rowCount === 1;
}

export async function unfinishedResolutions(client: PoolClient, before: string): Promise<string[]> {
  const r = await client.query<{ id: string }>(`SELECT id FROM oracle_resolutions WHERE status = 'scoring' AND id < $1 ORDER BY id`, [before]);
  return r.rows.map((x) => x.id);
}

export async function listResolutions(client: PoolClient, limit: number): Promise<ResolutionRow[]> {
  return (await client.query<ResolutionRow>(`SELECT * FROM oracle_resolutions WHERE status = 'resolved' ORDER BY scheduled_at DESC LIMIT $1`, [limit])).rows;
}

export async function lastResolution(client: PoolClient): Promise<ResolutionRow | undefined> {
  return (await client.query<ResolutionRow>(`SELECT * FROM oracle_resolutions ORDER BY scheduled_at DESC LIMIT 1`)).rows[0];
}

// ---- slots ----

export async function insertSlots(
  client: PoolClient,
  resolutionId: string,
  slots: Array<{ slot: number; bidId: number; bidder: string; artifact: string; price: number }>,
): Promise<void> {
  if (slots.length === 0) return;
  await client.query(
    `INSERT INTO oracle_slots (resolution_id, slot, bid_id, bidder_id, artifact_id, price, state)
     SELECT $1, s.slot, s.bid_id, s.bidder_id, s.artifact_id, s.price, 'pending'
     FROM unnest($2::int[], $3::bigint[], $4::text[], $5::text[], $6::bigint[]) AS s(slot, bid_id, bidder_id, artifact_id, price)`,
    [resolutionId, slots.map((s) => s.slot), slots.map((s) => s.bidId), slots.map((s) => s.bidder), slots.map((s) => s.artifact), slots.map((s) => s.price)],
  );
}

export async function slotsOf(client: PoolClient, resolutionId: string, forUpdate = false): Promise<SlotRow[]> {
  return (await client.query<SlotRow>(`SELECT * FROM oracle_slots WHERE resolution_id = $1 ORDER BY slot ${forUpdate ? 'FOR UPDATE' : ''}`, [resolutionId])).rows;
}

export async function getSlot(client: PoolClient, resolutionId: string, slot: number): Promise<SlotRow | undefined> {
  return (await client.query<SlotRow>('SELECT * FROM oracle_slots WHERE resolution_id = $1 AND slot = $2', [resolutionId, slot])).rows[0];
}

export async function settleSlotRow(
  client: PoolClient,
  s: { resolutionId: string; slot: number; state: 'minted' | 'refunded'; score: number | null; reason: string | null; error: string | null; minted: number },
): Promise<void> {
  await client.query(
    `UPDATE oracle_slots SET state = $3, score = $4, reason = $5, error = $6, minted = $7, settled_at = now()
     WHERE resolution_id = $1 AND slot = $2 AND state = 'pending'`,
    [s.resolutionId, s.slot, s.state, s.score, s.reason, s.error, s.minted],
  );
}

export async function recordUbi(client: PoolClient, resolutionId: string, u: { total: number; agents: number; perAgent: number; remainder: number }): Promise<void> {
  await client.query(
    'UPDATE oracle_resolutions SET ubi_total = $2, ubi_agents = $3, ubi_per_agent = $4, ubi_remainder = $5, settled_at = now() WHERE id = $1',
    [resolutionId, u.total, u.agents, u.perAgent, u.remainder],
  );
}

// ---- agents (UBI recipients) ----

/** Principals that are agents: standing and executable, not genesis. */
/**
 * The agents that share UBI: agent artifacts whose workflow actually runs (agent_runs, written by
 * the agent workflow's own activities: marked at its readiness checks, cleared when it ends). A
 * principal made through the store or the CLI that never runs the loop gets nothing.
 */
export async function agentIds(client: PoolClient): Promise<string[]> {
  const r = await client.query<{ id: string }>(
    `SELECT a.id FROM artifacts a JOIN agent_runs r ON r.agent_id = a.id AND r.stopped_at IS NULL
      WHERE a.has_standing AND a.can_execute AND NOT a.genesis ORDER BY a.id`,
  );
  return r.rows.map((x) => x.id);
}

// ---- state ----

export async function readNextResolution(client: Pick<PoolClient, 'query'>): Promise<Date | null> {
  const r = await client.query<{ next_resolution_at: Date | null }>('SELECT next_resolution_at FROM oracle_state WHERE id');
  return r.rows[0]?.next_resolution_at ?? null;
}

export async function writeNextResolution(client: Pick<PoolClient, 'query'>, next: Date | null): Promise<void> {
  await client.query(
    `INSERT INTO oracle_state (id, next_resolution_at, updated_at) VALUES (true, $1, now())
     ON CONFLICT (id) DO UPDATE SET next_resolution_at = EXCLUDED.next_resolution_at, updated_at = now()`,
    [next],
  );
}
