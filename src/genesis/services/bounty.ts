import { z } from 'zod';
import { postBounty, cancelBounty } from './bountyPost';
import * as bq from '../../bounties/queries';
import { submitToBounty } from './bountySubmit';
import { bountyView, submissionView } from '../../bounties/view';
import { notFound } from '../../errors';
import { artifactId, newArtifactId, positiveAmount } from '../../validation';
import { method, type GenesisServiceDef } from '../context';
import { limitArg } from './ledger';

const bountyArg = z.strictObject({ bounty_id: artifactId });

/**
 * Bounties (SPEC section 7): a poster holds a reward against a private checker; submissions are
 * checked in the sandbox in the submitter's name (src/bounties/check.ts, workflows/bounty.ts).
 */
export const bountyService: GenesisServiceDef = {
  post: method({
    description:
      'Post a bounty: {id, description, checker, reward, deadline | deadline_seconds, mode?}. The reward moves from you to a hold at once. ' +
      'checker: an executable artifact you own (made private to you) exporting run(args, ctx); it is called with {submission: "<artifact id>"}, ' +
      'exercises it with ctx.invoke and returns {pass, score 0-100}. mode first (default): the first passing submission wins; best: the best score by the deadline. ' +
      'Unsolved at the deadline: the reward returns to you.',
    args: z.strictObject({
      id: newArtifactId,
      description: z.string().min(1).max(100_000),
      checker: artifactId,
      reward: positiveAmount,
      deadline: z.string().min(1).max(64).optional(),
      deadline_seconds: positiveAmount.optional(),
      mode: z.enum(bq.BOUNTY_MODES).optional(),
    }),
    run: (ctx, a) => postBounty(ctx, a),
  }),
  submit: method({
    description:
      'Submit an artifact you own to an open bounty: {bounty_id, artifact_id}. Its checker runs on it in your name, like a tool you invoke ' +
      '(it may read what you may read, and spend at most the submission\'s price in scrip); you pay the CPU. See the result with check.',
    args: z.strictObject({ bounty_id: artifactId, artifact_id: artifactId }),
    run: (ctx, a) => submitToBounty(ctx, a),
  }),
  check: method({
    readOnly: true,
    description: 'A bounty and your submissions to it with their results: {bounty_id}.',
    args: bountyArg,
    async run(ctx, a) {
      const b = await bq.getBounty(ctx.client, a.bounty_id);
      if (!b) throw notFound(`bounty ${a.bounty_id} does not exist`);
      const mine = await bq.submissionsOf(ctx.client, b.id, ctx.caller, ctx.config.limits.defaultListLimit);
      return { ...bountyView(b), your_submissions: mine.map(submissionView) };
    },
  }),
  list: method({
    readOnly: true,
    description: 'Bounties, newest first: {open?, limit?} (open true: only open ones; false: only closed ones).',
    args: z.strictObject({ open: z.boolean().optional(), limit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }),
    async run(ctx, a) {
      return (await bq.listBounties(ctx.client, { open: a.open, limit: limitArg(ctx, a.limit) })).map(bountyView);
    },
  }),
  cancel: method({
    description: 'Withdraw your open bounty (nothing being checked, nothing passed yet); the reward returns to you: {bounty_id}.',
    args: bountyArg,
    run: (ctx, a) => cancelBounty(ctx, a.bounty_id),
  }),
};
