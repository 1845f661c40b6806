/**
 * The moves of a bounty's reward out of hold_bounty, each in the transaction that closes the bounty
 * (status 'open' -> another, under the bounty's row lock, so the reward moves once): to the winner
 * (bounty_solved), or back to the poster (bounty_refunded) at the deadline or on a cancel.
 */
import type { Pool, PoolClient } from 'pg';
import { emit } from '../events/emit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import { bountyIds } from './keys';
import * as q from './queries';

/** Pays the reward to the submitter of `s` and closes the bounty as solved. The bounty is locked and open. */
export async function closeWithWinner(client: PoolClient, b: q.BountyRow, s: q.SubmissionRow, score: number): Promise<void> {
  await transfer(client, { id: bountyIds.pay(b.id), from: SYSTEM_ACCOUNTS.bountyHold, to: s.submitter, asset: SCRIP, amount: b.reward, kind: 'bounty_pay', reference: b.id });
  await q.closeBountyRow(client, b.id, { status: 'solved', winner: s.submitter, winningArtifact: s.artifact_id, score });
  await emit(client, { type: 'bounty_solved', actor: s.submitter, subject: b.id, data: { bounty_id: b.id, solver: s.submitter, artifact_id: s.artifact_id, reward: b.reward, score } });
}

/** Why a bounty was cancelled by the system, not its poster: its post was undone (./hooks). */
export const UNDONE_POST = 'deadline_timer_not_started';

/**
 * Returns the reward to the poster and closes the bounty (refunded at its deadline, or cancelled;
 * `reason` UNDONE_POST when the post was undone). The bounty is locked and open.
 */
export async function closeWithRefund(client: PoolClient, b: q.BountyRow, status: 'refunded' | 'cancelled', reason?: typeof UNDONE_POST): Promise<void> {
  await transfer(client, { id: bountyIds.refund(b.id), from: SYSTEM_ACCOUNTS.bountyHold, to: b.poster, asset: SCRIP, amount: b.reward, kind: 'bounty_refund', reference: b.id });
  await q.closeBountyRow(client, b.id, { status });
  await emit(client, { type: 'bounty_refunded', actor: b.poster, subject: b.id, data: { bounty_id: b.id, poster: b.poster, reward: b.reward, status, ...(reason ? { reason } : {}) } });
}

/** Whether the bounty's post was undone because its deadline timer could not start. */
export async function postWasUndone(db: Pool | PoolClient, bountyId: string): Promise<boolean> {
  const r = await db.query(`SELECT 1 FROM events WHERE type = 'bounty_refunded' AND subject_id = $1 AND data->>'reason' = $2 LIMIT 1`, [bountyId, UNDONE_POST]);
  return (r.rowCount ?? 0) > 0;
}
