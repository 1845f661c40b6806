import { isCancellation, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { OracleActivities } from '../activities/oracle';
import type { ScoreOutcome } from '../src/oracle/resolution';
import type { OracleActivityOptions, OracleResolutionInput, OracleResolutionSummary } from '../src/oracle/types';
import { failureText, ledgerOptions, retryPolicy, scheduledTimeOf } from './common';
import { untilOwnWorld } from './world';

/**
 * One oracle resolution (SPEC section 9) as a saga, started by the `oracle-resolution` Schedule.
 *
 *   open (one transaction: rank, record winners and prices, refund losers and winners' excess)
 *   -> score every won slot with the LLM (in parallel)
 *   -> settle all slots in one transaction (mint, or refund the price if scoring failed; UBI)
 *   -> finish (public results, `oracle_resolved` event, next resolution time)
 *
 * Every step is an idempotent activity keyed by the resolution id (the scheduled time), so a worker
 * killed at any point and a retried step give the same final ledger. Only small values pass
 * through history: ids, slot numbers, scores.
 */

/** The scorer gets a bounded number of attempts; after them the slot's price is refunded. */
function scoringOptions(o: OracleActivityOptions): ActivityOptions {
  return {
    startToCloseTimeout: o.scoreTimeoutMs,
    heartbeatTimeout: o.scoreHeartbeatTimeoutMs,
    retry: retryPolicy({ ...o, maximumAttempts: o.scoreMaximumAttempts }),
  };
}

export async function oracleResolutionWorkflow(input: OracleResolutionInput): Promise<OracleResolutionSummary> {
  const ledger = proxyActivities<OracleActivities>(ledgerOptions(input.activities));
  const scorer = proxyActivities<OracleActivities>(scoringOptions(input.activities));

  const { world } = input;

  async function score(resolutionId: string, slot: number): Promise<ScoreOutcome> {
    try {
      // Attempts that reached another world's worker are no scoring failure: asked again.
      const s = await untilOwnWorld(() => scorer.oracleScoreSlot({ resolutionId, slot, world }), input.activities.maximumIntervalMs);
      return { ok: true, score: s.score, reason: s.reason };
    } catch (e) {
      if (isCancellation(e)) throw e;
      return { ok: false, error: failureText(e, { named: true }) };
    }
  }

  async function resolve(scheduledTime: string): Promise<Omit<OracleResolutionSummary, 'resumed'> & { unfinished: string[] }> {
    const opened = await ledger.oracleOpenResolution({ scheduledTime, world });
    const outcomes = await Promise.all(opened.slots.map(async (slot) => ({ slot, outcome: await score(opened.resolution_id, slot) })));
    const settled = await ledger.oracleSettleResolution({ resolutionId: opened.resolution_id, outcomes, world });
    const finished = await ledger.oracleFinishResolution({ resolutionId: opened.resolution_id, world });
    return {
      resolution_id: opened.resolution_id,
      bid_count: opened.bid_count,
      slots: settled.slots.map((s) => ({ slot: s.slot, outcome: s.outcome, score: s.score, minted: s.minted, price: s.price })),
      minted_total: finished.minted_total,
      unfinished: opened.unfinished,
    };
  }

  const { unfinished, ...current } = await resolve(scheduledTimeOf(input.scheduledTime));
  // Earlier resolutions whose workflow was terminated before finishing: finish them too, so no
  // hold stays stuck (opening an existing resolution only returns its record).
  for (const earlier of unfinished) await resolve(earlier);
  return { ...current, resumed: unfinished };
}
