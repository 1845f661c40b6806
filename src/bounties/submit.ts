/**
 * genesis_bounty.submit: records a submission to an open bounty before its deadline (the submitter
 * must own the artifact); its check starts after the commit (DispatchHooks.bountyCommitted starts
 * the bountyCheck workflow, ./hooks). Nothing is charged here but the method's own compute: the
 * checker's CPU is charged to the submitter when the check settles.
 */
import { getArtifact } from '../artifacts/queries';
import { EcologyError, forbidden, notFound } from '../errors';
import { emit } from '../events/emit';
import type { CallContext } from '../genesis/context';
import { bountyIds } from './keys';
import * as q from './queries';
import { submissionView } from './view';

export async function submitToBounty(ctx: CallContext, a: { bounty_id: string; artifact_id: string }) {
  // FOR SHARE: no close (a win, the deadline, a cancel) commits between this check and the insert.
  const b = await q.lockBounty(ctx.client, a.bounty_id, 'share');
  if (!b) throw notFound(`bounty ${a.bounty_id} does not exist`);
  if (b.status !== 'open') throw new EcologyError('CONFLICT', `bounty ${a.bounty_id} is ${b.status}; it takes no more submissions`);
  if (await q.pastDeadline(ctx.client, b.id)) throw new EcologyError('CONFLICT', `bounty ${a.bounty_id} is past its deadline; it takes no more submissions`);
  const art = await getArtifact(ctx.client, a.artifact_id);
  if (!art) throw notFound(`artifact ${a.artifact_id} does not exist`);
  if (art.owner_id !== ctx.caller) throw forbidden(`you may submit only an artifact you own; ${a.artifact_id} is owned by ${art.owner_id}`);
  if (art.id === b.checker_id) throw forbidden('the checker cannot be submitted to its own bounty');
  const s = await q.insertSubmission(ctx.client, { bounty_id: b.id, submitter: ctx.caller, artifact_id: art.id, submit_key: ctx.key }, (id) => bountyIds.check(b.id, id));
  await emit(ctx.client, { type: 'bounty_submitted', actor: ctx.caller, subject: b.id, data: { bounty_id: b.id, submission_id: s.id, submitter: ctx.caller, artifact_id: art.id } });
  return submissionView(s);
}
