/**
 * The first step of a submission's check (workflows/bounty.ts): the checker's invocation, held in
 * the submitter's name by the bounty service rather than asked for by anyone. It is the invocation
 * saga's row (src/invoke), so the run and settle steps are the saga's own: the checker runs in the
 * sandbox with the bridge acting as the submitter, and settle charges the submitter its CPU. What
 * differs from a hold an invoker asks for, and why:
 * - no access check: the checker is private to its poster, and the bounty service runs it anyway
 *   (only for this run; code it runs, the submission included, acts as the submitter and cannot read it);
 * - no price: the poster's checker is not a tool the submitter chose to buy;
 * - its containers count against the submitter's share of the sandbox, not the poster's;
 * - the grant: the checker may reserve up to bounties.checkComputeAllowance of the submitter's
 *   compute for what it invokes (the submission) and spend up to the submission's price in scrip
 *   (which the submitter pays itself), and may call no state-changing genesis method.
 */
import type { Pool } from 'pg';
import { codeHash } from '../artifacts/codeHash';
import { getArtifact } from '../artifacts/queries';
import type { EcologyConfig } from '../config/schema';
import { withTransaction } from '../db/tx';
import { notFound } from '../errors';
import { claimInvocation, getInvocation, markHeld } from '../invoke/queries';
import * as q from '../bounties/queries';

export type CheckHold = { run: true; key: string } | { run: false; reason: string };

export async function holdBountyCheck(pool: Pool, config: EcologyConfig, submissionId: number): Promise<CheckHold> {
  return withTransaction(
    pool,
    async (client) => {
      const locked = await q.lockSubmissionWithBounty(client, submissionId, 'share');
      if (!locked) throw notFound(`no bounty submission ${submissionId}`);
      const { b, s } = locked;
      if (s.status !== 'checking') return { run: false, reason: `submission ${s.id} is already ${s.status}` };
      // Held already (a retried step): the run step takes it from here.
      if (await getInvocation(client, s.check_key)) return { run: true, key: s.check_key };
      if (b.status !== 'open') {
        // Nothing to win any more: the submitter is not charged for a check that cannot matter.
        await q.finishSubmission(client, s.id, { status: 'late', score: null, cpuMs: 0, errorCode: 'BOUNTY_CLOSED' });
        return { run: false, reason: `bounty ${b.id} is ${b.status}` };
      }
      await claimInvocation(client, { key: s.check_key, invoker: s.submitter, artifact: b.checker_id, method: 'run', args: { submission: s.artifact_id }, depth: 0 });
      const checker = await getArtifact(client, b.checker_id);
      const submission = await getArtifact(client, s.artifact_id);
      const owner = checker?.owner_id ?? b.poster;
      await markHeld(client, s.check_key, {
        owner,
        payee: owner,
        payer: s.submitter,
        price: 0,
        // The run refuses other code than was posted (bounties before migration 031: than is held now).
        codeHash: b.checker_code_hash ?? (checker?.code ? codeHash(checker.code) : null),
        maxPrice: null,
        expectedCodeHash: null,
        grantChain: [s.check_key],
        parentChain: null,
        limits: { scrip: submission?.price ?? 0, compute: config.bounties.checkComputeAllowance, llmMicros: 0, allow: [] },
        computeReserved: 0,
        // Its containers count against the submitter, who asked for the check and pays for it: a
        // flood of submissions cannot take the poster's share (the containers still run only the
        // poster's code).
        containerAccount: s.submitter,
      });
      return { run: true, key: s.check_key };
    },
    config.transactions.maxRetries,
  );
}
