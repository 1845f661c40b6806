/**
 * The saga step after a bounty operation commits (DispatchHooks.bountyCommitted), shared by every
 * path (an agent's action, the CLI, code through ctx.invoke): a post starts the bounty's deadline
 * workflow, a submit starts the submission's check. Starts are idempotent, so a replayed operation
 * calls them again harmlessly. When a start fails the operation is undone and fails UNAVAILABLE: a
 * post's reward returns to the poster (the bounty is cancelled), a submission is marked failed
 * before anything was charged for it.
 */
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { EcologyError } from '../errors';
import type { BountyCommit, DispatchHooks } from '../genesis/context';
import { getInvocation } from '../invoke/queries';
import * as q from './queries';
import { closeWithRefund, postWasUndone, UNDONE_POST } from './settle';

export interface BountyStarter {
  startDeadline(bountyId: string, deadline: string): Promise<void>;
  startCheck(submissionId: number): Promise<void>;
}

function unavailable(what: string, why: string): EcologyError {
  return new EcologyError('UNAVAILABLE', `${what} (${why.slice(0, 500)})`);
}

export function bountyCommittedHook(pool: Pool, config: EcologyConfig, starter: BountyStarter): NonNullable<DispatchHooks['bountyCommitted']> {
  const tx = <T>(fn: Parameters<typeof withTransaction<T>>[1]) => withTransaction(pool, fn, config.transactions.maxRetries);
  return async (c: BountyCommit) => {
    if (c.method === 'post') {
      const r = c.result as { bounty_id: string; deadline: string };
      const b = await q.getBounty(pool, r.bounty_id);
      if (b?.status === 'cancelled' && (await postWasUndone(pool, b.id))) throw unavailable(`bounty ${b.id} was posted but its deadline timer could not start; it was cancelled and the reward returned`, 'an earlier attempt of this operation');
      if (!b || b.status !== 'open') return;
      try {
        await starter.startDeadline(b.id, b.deadline.toISOString());
      } catch (e) {
        const why = (e as Error).message ?? String(e);
        const undone = await tx(async (client) => {
          const locked = await q.lockBounty(client, b.id, 'update');
          if (locked?.status !== 'open' || (await client.query('SELECT 1 FROM bounty_submissions WHERE bounty_id = $1 LIMIT 1', [b.id])).rowCount) return false;
          await closeWithRefund(client, locked, 'cancelled', UNDONE_POST);
          return true;
        });
        if (!undone) throw new Error(`starting the deadline workflow of bounty ${b.id} failed (${why}) and it already has submissions; a retry starts it again`);
        throw unavailable(`bounty ${b.id} was posted but its deadline timer could not start; it was cancelled and the reward returned`, why);
      }
      return;
    }
    const r = c.result as { submission_id: number };
    const s = await q.getSubmission(pool, r.submission_id);
    if (s?.status === 'failed' && s.error_code === 'UNAVAILABLE') throw unavailable(`submission ${s.id} was recorded but its check could not start; it is marked failed and nothing was charged`, 'an earlier attempt of this operation');
    if (!s || s.status !== 'checking') return;
    try {
      await starter.startCheck(s.id);
    } catch (e) {
      const why = (e as Error).message ?? String(e);
      await tx(async (client) => {
        const locked = await q.getSubmission(client, s.id, true);
        // A check already held (an earlier start got through) goes on; otherwise nothing ran or was charged.
        if (locked?.status === 'checking' && !(await getInvocation(client, s.check_key))) {
          await q.finishSubmission(client, s.id, { status: 'failed', score: null, cpuMs: 0, errorCode: 'UNAVAILABLE' });
        }
      });
      throw unavailable(`submission ${s.id} was recorded but its check could not start; it is marked failed and nothing was charged`, why);
    }
  };
}
