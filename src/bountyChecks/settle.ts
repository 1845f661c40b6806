/**
 * The verdict on a checked submission and the close of a bounty at its deadline, each idempotent;
 * the reward moves through ../bounties/close.ts.
 */
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { notFound } from '../errors';
import { getInvocation } from '../invoke/queries';
import { closeWithRefund, closeWithWinner } from '../bounties/close';
import * as q from '../bounties/queries';

/**
 * What the checker's settled invocation says: `{pass: true, score}` with a score of 0-100 passes;
 * anything else (another value, a throw, a timeout, no run at all) fails with score 0.
 */
export function verdictOf(inv: Awaited<ReturnType<typeof getInvocation>>): { pass: boolean; score: number; error: string | null; cpuMs: number } {
  if (!inv) return { pass: false, score: 0, error: 'NOT_CHECKED', cpuMs: 0 };
  const run = inv.run_result;
  if (inv.status !== 'paid' || !run?.ok) return { pass: false, score: 0, error: inv.error?.code ?? (run && !run.ok ? run.error.code : 'CHECK_FAILED'), cpuMs: inv.cpu_ms };
  const v = run.value as { pass?: unknown; score?: unknown } | null;
  const valid = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.pass === 'boolean' && typeof v.score === 'number' && v.score >= 0 && v.score <= 100;
  if (!valid) return { pass: false, score: 0, error: 'BAD_CHECKER_RESULT', cpuMs: inv.cpu_ms };
  return { pass: v.pass === true, score: v.pass ? Math.round(v.score as number) : 0, error: null, cpuMs: inv.cpu_ms };
}

/**
 * Records the verdict on a submission whose check has settled (or was given up: `failure`): passing
 * while its bounty is open wins it at once in mode first, or waits for the deadline in mode best;
 * passing after the bounty closed is `late`; failing is `failed`. Idempotent.
 */
export async function settleSubmission(pool: Pool, config: EcologyConfig, submissionId: number, failure?: string): Promise<q.SubmissionRow> {
  return withTransaction(
    pool,
    async (client) => {
      const locked = await q.lockSubmissionWithBounty(client, submissionId, 'update');
      if (!locked) throw notFound(`no bounty submission ${submissionId}`);
      const { b, s } = locked;
      if (s.status !== 'checking') return s;
      const v = verdictOf(await getInvocation(client, s.check_key));
      const error = v.error ?? (v.pass ? null : 'NOT_PASSED');
      if (!v.pass) {
        await q.finishSubmission(client, s.id, { status: 'failed', score: v.score, cpuMs: v.cpuMs, errorCode: failure && v.error === 'NOT_CHECKED' ? failure : error });
      } else if (b.status !== 'open') {
        await q.finishSubmission(client, s.id, { status: 'late', score: v.score, cpuMs: v.cpuMs, errorCode: null });
      } else {
        await q.finishSubmission(client, s.id, { status: 'passed', score: v.score, cpuMs: v.cpuMs, errorCode: null });
        if (b.mode === 'first') await closeWithWinner(client, b, s, v.score);
      }
      return (await q.getSubmission(client, s.id))!;
    },
    config.transactions.maxRetries,
  );
}

export type DeadlineOutcome = { closed: true; status: q.BountyStatus } | { closed: false; checking: number };

/**
 * The deadline has come (the deadline workflow's durable timer says so; its clock, not the
 * database's, decides): mode best pays the best passing submission (earliest on ties), otherwise
 * the reward returns to the poster. While submissions made before the deadline are still being
 * checked it waits for them. A bounty already closed (solved, cancelled) is left as it is.
 */
export async function closeAtDeadline(pool: Pool, config: EcologyConfig, bountyId: string): Promise<DeadlineOutcome> {
  return withTransaction(
    pool,
    async (client) => {
      const b = await q.lockBounty(client, bountyId, 'update');
      if (!b) throw notFound(`bounty ${bountyId} does not exist`);
      if (b.status !== 'open') return { closed: true, status: b.status };
      const checking = await q.countChecking(client, bountyId);
      if (checking > 0) return { closed: false, checking };
      const best = b.mode === 'best' ? await q.bestPassing(client, bountyId) : undefined;
      if (best) await closeWithWinner(client, b, best, best.score ?? 0);
      else await closeWithRefund(client, b, 'refunded');
      return { closed: true, status: best ? 'solved' : 'refunded' };
    },
    config.transactions.maxRetries,
  );
}
