/** SQL of the bounty tables (migrations/023_bounties.sql). */
import type { Pool, PoolClient } from 'pg';
import '../db/int8';

export type BountyStatus = 'open' | 'solved' | 'refunded' | 'cancelled';
/** How a bounty is won: the first passing submission, or the best score by the deadline. */
export const BOUNTY_MODES = ['first', 'best'] as const;
export type BountyMode = (typeof BOUNTY_MODES)[number];
export type SubmissionStatus = 'checking' | 'passed' | 'failed' | 'late';

export interface BountyRow {
  id: string;
  poster: string;
  description: string;
  checker_id: string;
  /** sha256 of the checker's code at post (migration 031; null for bounties posted before it). */
  checker_code_hash: string | null;
  reward: number;
  deadline: Date;
  mode: BountyMode;
  status: BountyStatus;
  winner: string | null;
  winning_artifact: string | null;
  score: number | null;
  post_key: string;
  posted_at: Date;
  closed_at: Date | null;
}

export interface SubmissionRow {
  id: number;
  bounty_id: string;
  submitter: string;
  artifact_id: string;
  submit_key: string;
  check_key: string;
  status: SubmissionStatus;
  score: number | null;
  cpu_ms: number;
  error_code: string | null;
  submitted_at: Date;
  checked_at: Date | null;
}

type Db = Pool | PoolClient;

export async function insertBounty(
  client: PoolClient,
  b: Pick<BountyRow, 'id' | 'poster' | 'description' | 'checker_id' | 'checker_code_hash' | 'reward' | 'mode' | 'post_key'> & { deadline: string },
): Promise<BountyRow | undefined> {
  const r = await client.query<BountyRow>(
    `INSERT INTO bounties (id, poster, description, checker_id, checker_code_hash, reward, deadline, mode, status, post_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9) ON CONFLICT (id) DO NOTHING RETURNING *`,
    [b.id, b.poster, b.description, b.checker_id, b.checker_code_hash, b.reward, b.deadline, b.mode, b.post_key],
  );
  return r.rows[0];
}

export async function getBounty(db: Db, id: string): Promise<BountyRow | undefined> {
  return (await db.query<BountyRow>('SELECT * FROM bounties WHERE id = $1', [id])).rows[0];
}

/**
 * The bounty under a row lock: FOR UPDATE by whatever closes it (a win, the deadline, a cancel),
 * so exactly one of them moves its reward; FOR SHARE by a submission, so none closes it meanwhile.
 */
export async function lockBounty(client: PoolClient, id: string, mode: 'update' | 'share'): Promise<BountyRow | undefined> {
  return (await client.query<BountyRow>(`SELECT * FROM bounties WHERE id = $1 ${mode === 'update' ? 'FOR UPDATE' : 'FOR SHARE'}`, [id])).rows[0];
}

/** Whether the bounty's deadline has passed by the database clock. */
export async function pastDeadline(client: PoolClient, id: string): Promise<boolean> {
  return (await client.query<{ past: boolean }>('SELECT deadline <= now() AS past FROM bounties WHERE id = $1', [id])).rows[0]?.past ?? true;
}

export async function closeBountyRow(
  client: PoolClient,
  id: string,
  c: { status: Exclude<BountyStatus, 'open'>; winner?: string; winningArtifact?: string; score?: number | null },
): Promise<void> {
  await client.query(`UPDATE bounties SET status = $2, winner = $3, winning_artifact = $4, score = $5, closed_at = now() WHERE id = $1 AND status = 'open'`, [
    id,
    c.status,
    c.winner ?? null,
    c.winningArtifact ?? null,
    c.score ?? null,
  ]);
}

export async function listBounties(db: Db, opts: { open?: boolean; limit: number }): Promise<BountyRow[]> {
  const where = opts.open === undefined ? '' : opts.open ? `WHERE status = 'open'` : `WHERE status <> 'open'`;
  return (await db.query<BountyRow>(`SELECT * FROM bounties ${where} ORDER BY posted_at DESC, id LIMIT $1`, [opts.limit])).rows;
}

export async function insertSubmission(
  client: PoolClient,
  s: Pick<SubmissionRow, 'bounty_id' | 'submitter' | 'artifact_id' | 'submit_key'>,
  checkKey: (id: number) => string,
): Promise<SubmissionRow> {
  const id = (await client.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('bounty_submissions', 'id'))::bigint AS id`)).rows[0].id;
  const r = await client.query<SubmissionRow>(
    `INSERT INTO bounty_submissions (id, bounty_id, submitter, artifact_id, submit_key, check_key, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'checking') RETURNING *`,
    [id, s.bounty_id, s.submitter, s.artifact_id, s.submit_key, checkKey(id)],
  );
  return r.rows[0];
}

export async function getSubmission(db: Db, id: number, forUpdate = false): Promise<SubmissionRow | undefined> {
  return (await db.query<SubmissionRow>(`SELECT * FROM bounty_submissions WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`, [id])).rows[0];
}

/**
 * A submission and its bounty, both locked: the bounty first, then the submission, the order every
 * writer of both takes them in (a verdict, a check's hold and a close never deadlock).
 */
export async function lockSubmissionWithBounty(client: PoolClient, submissionId: number, bountyLock: 'update' | 'share'): Promise<{ b: BountyRow; s: SubmissionRow } | undefined> {
  const peek = await getSubmission(client, submissionId);
  if (!peek) return undefined;
  const b = (await lockBounty(client, peek.bounty_id, bountyLock))!;
  const s = (await getSubmission(client, submissionId, true))!;
  return { b, s };
}

export async function submissionBySubmitKey(db: Db, key: string): Promise<SubmissionRow | undefined> {
  return (await db.query<SubmissionRow>('SELECT * FROM bounty_submissions WHERE submit_key = $1', [key])).rows[0];
}

export async function finishSubmission(
  client: PoolClient,
  id: number,
  f: { status: Exclude<SubmissionStatus, 'checking'>; score: number | null; cpuMs: number; errorCode: string | null },
): Promise<void> {
  await client.query(
    `UPDATE bounty_submissions SET status = $2, score = $3, cpu_ms = $4, error_code = $5, checked_at = now() WHERE id = $1 AND status = 'checking'`,
    [id, f.status, f.score, f.cpuMs, f.errorCode],
  );
}

/** A submitter's submissions to a bounty, newest first. */
export async function submissionsOf(db: Db, bountyId: string, submitter: string, limit: number): Promise<SubmissionRow[]> {
  return (
    await db.query<SubmissionRow>('SELECT * FROM bounty_submissions WHERE bounty_id = $1 AND submitter = $2 ORDER BY id DESC LIMIT $3', [bountyId, submitter, limit])
  ).rows;
}

export async function countChecking(client: PoolClient, bountyId: string): Promise<number> {
  return (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM bounty_submissions WHERE bounty_id = $1 AND status = 'checking'`, [bountyId])).rows[0].n;
}

/** Ids of the bounty's submissions still being checked. */
export async function checkingSubmissions(db: Db, bountyId: string): Promise<number[]> {
  return (await db.query<{ id: number }>(`SELECT id FROM bounty_submissions WHERE bounty_id = $1 AND status = 'checking' ORDER BY id`, [bountyId])).rows.map((r) => r.id);
}

/** Mode best: the best passing submission (earliest on ties). */
export async function bestPassing(client: PoolClient, bountyId: string): Promise<SubmissionRow | undefined> {
  return (
    await client.query<SubmissionRow>(`SELECT * FROM bounty_submissions WHERE bounty_id = $1 AND status = 'passed' ORDER BY score DESC, id ASC LIMIT 1`, [bountyId])
  ).rows[0];
}

/** An open bounty as the agent prompt lists it. */
export interface PromptBounty {
  id: string;
  poster: string;
  reward: number;
  deadline: string;
  mode: BountyMode;
  /** The poster's words, cut short in SQL (one character more is read, so clipping shows). */
  description: string;
}

/**
 * A scalar sub-select (JSON) of the open bounties, soonest deadline first, for the prompt's one
 * statement. Placeholders: `limit` how many, `chars` the description's length.
 */
export function openBountiesJsonSql(p: { limit: string; chars: string }): string {
  return `(SELECT COALESCE(json_agg(b ORDER BY b.deadline, b.id), '[]') FROM (
       SELECT id, poster, reward, deadline, mode, left(description, ${p.chars} + 1) AS description FROM bounties
       WHERE status = 'open' AND deadline > now() ORDER BY deadline, id LIMIT ${p.limit}) b)`;
}

/** The open bounties and their deadlines (each needs its deadline workflow running). */
export async function openBountyDeadlines(db: Db): Promise<Array<{ id: string; deadline: Date }>> {
  return (await db.query<{ id: string; deadline: Date }>(`SELECT id, deadline FROM bounties WHERE status = 'open' ORDER BY deadline, id`)).rows;
}
