/**
 * genesis_bounty.post and cancel: the reward moves poster -> hold_bounty in post's transaction; the
 * checker (an executable artifact the poster owns) is made private, so submitters cannot read it,
 * and its code hash is pinned: checks run only that code, and while the bounty is open nobody may
 * change, delete or give the checker away (../../bounties/pinnedChecker.ts).
 */
import { checkAccess } from '../../artifacts/access';
import { codeHash } from '../../artifacts/codeHash';
import { getArtifact, updateArtifact } from '../../artifacts/queries';
import { EcologyError, forbidden, invalid, notFound } from '../../errors';
import { emit } from '../../events/emit';
import type { CallContext } from '../context';
import { CONTRACTS, SCRIP, SYSTEM_ACCOUNTS } from '../../ids';
import { transfer } from '../../ledger/transfer';
import { bountyIds } from '../../bounties/keys';
import * as q from '../../bounties/queries';
import { closeWithRefund } from '../../bounties/close';
import { bountyView } from '../../bounties/view';

export interface PostArgs {
  id: string;
  description: string;
  checker: string;
  reward: number;
  deadline?: string;
  deadline_seconds?: number;
  mode?: q.BountyMode;
}

/** An ISO-8601 date and time with its zone (Z or an offset), as callers send deadlines. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Seconds from now to the deadline asked for, checked in JS before any SQL (a time PostgreSQL
 * cannot hold must be a clear INVALID_ARGUMENT, not a database error).
 */
function deadlineArg(a: PostArgs, nowMs: number): number {
  if ((a.deadline === undefined) === (a.deadline_seconds === undefined)) throw invalid('give exactly one of deadline (ISO-8601 time) and deadline_seconds');
  if (a.deadline_seconds !== undefined) return a.deadline_seconds;
  const text = a.deadline!;
  const m = ISO_TIME.exec(text);
  const ms = Date.parse(text);
  // Date.parse rolls 2030-02-30 over to March: the date must be the one written.
  const sameDay = m !== null && !Number.isNaN(ms) && new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)).getUTCDate() === +m[3]!;
  if (!sameDay) throw invalid(`deadline ${JSON.stringify(text.slice(0, 64))} is not an ISO-8601 time with a zone, such as 2030-01-01T12:00:00Z`);
  return (ms - nowMs) / 1000;
}

/** The deadline by the database clock: in the future, and at most bounties.maxDeadlineSeconds away. */
async function resolveDeadline(ctx: CallContext, a: PostArgs): Promise<string> {
  const now = (await ctx.client.query<{ now: Date }>('SELECT now() AS now')).rows[0].now;
  const seconds = deadlineArg(a, now.getTime());
  const max = ctx.config.bounties.maxDeadlineSeconds;
  if (!(seconds > 0)) throw invalid('the deadline must be in the future');
  if (seconds > max) throw invalid(`the deadline may be at most ${max} seconds away`);
  return new Date(now.getTime() + Math.round(seconds * 1000)).toISOString();
}

export async function postBounty(ctx: CallContext, a: PostArgs) {
  const description = a.description.trim();
  if (description.length === 0) throw invalid('description may not be empty');
  if (description.length > ctx.config.bounties.maxDescriptionChars) throw invalid(`description may be at most ${ctx.config.bounties.maxDescriptionChars} characters`);
  const deadline = await resolveDeadline(ctx, a);
  const checker = await getArtifact(ctx.client, a.checker, true);
  if (!checker) throw notFound(`checker ${a.checker} does not exist`);
  if (checker.owner_id !== ctx.caller) throw forbidden(`the checker must be an artifact you own; ${a.checker} is owned by ${checker.owner_id}`);
  if (!checker.can_execute || checker.code === null) throw new EcologyError('NOT_EXECUTABLE', `checker ${a.checker} is not executable code`);
  if (checker.access_contract_id !== CONTRACTS.private) {
    // Submitters must not read the checker (it may hold the answer): it becomes private to its owner.
    await checkAccess(ctx.client, ctx.caller, checker, 'write', ctx.hooks.customContract);
    await updateArtifact(ctx.client, checker.id, { ...checker, access_contract_id: CONTRACTS.private });
  }
  const row = await q.insertBounty(ctx.client, { id: a.id, poster: ctx.caller, description, checker_id: checker.id, checker_code_hash: codeHash(checker.code), reward: a.reward, mode: a.mode ?? 'first', post_key: ctx.key, deadline });
  if (!row) throw new EcologyError('ALREADY_EXISTS', `a bounty ${a.id} already exists`);
  await transfer(ctx.client, { id: bountyIds.hold(ctx.key), from: ctx.caller, to: SYSTEM_ACCOUNTS.bountyHold, asset: SCRIP, amount: a.reward, kind: 'bounty_hold', reference: a.id });
  await emit(ctx.client, { type: 'bounty_posted', actor: ctx.caller, subject: a.id, data: { bounty_id: a.id, poster: ctx.caller, reward: a.reward, deadline, mode: row.mode } });
  return bountyView(row);
}

/** The poster withdraws an open bounty with nothing being checked (and, in mode best, nothing passed yet): the reward returns. */
export async function cancelBounty(ctx: CallContext, bountyId: string) {
  const b = await q.lockBounty(ctx.client, bountyId, 'update');
  if (!b) throw notFound(`bounty ${bountyId} does not exist`);
  if (b.poster !== ctx.caller) throw forbidden('only the poster may cancel a bounty');
  if (b.status !== 'open') throw new EcologyError('CONFLICT', `bounty ${bountyId} is already ${b.status}`);
  if ((await q.countChecking(ctx.client, bountyId)) > 0) throw new EcologyError('CONFLICT', `bounty ${bountyId} has submissions being checked; cancel once they are done`);
  if (await q.bestPassing(ctx.client, bountyId)) throw new EcologyError('CONFLICT', `bounty ${bountyId} has a passing submission; it pays out at its deadline`);
  await closeWithRefund(ctx.client, b, 'cancelled');
  return bountyView((await q.getBounty(ctx.client, bountyId))!);
}
