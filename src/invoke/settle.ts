/**
 * Saga step 3: settle. One transaction keyed by the invocation key, under the row's lock: on
 * success pay the held price to the payee (`${key}:pay`), on failure refund it to the invoker
 * (`${key}:refund`); the status column makes the two exclusive. On every path charge the measured
 * CPU to the payer's compute bucket (`${key}:cpu`, into debt if need be), and emit
 * invocation_completed or invocation_failed. A repeat returns the stored outcome.
 */
import { spendSeen } from '../buckets/store';
import { withTransaction } from '../db/tx';
import { notFound, type ErrorInfo } from '../errors';
import { emit } from '../events/emit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { transfer } from '../ledger/transfer';
import { sanitizeError } from './contract';
import { adjustChain } from './grant';
import { invocationIds } from './keys';
import * as q from './queries';
import type { InvocationOutcome, InvokeDeps, RunRecord } from './types';

export interface SettleInput {
  key: string;
  /** Why the run step did not report (activity timed out, no sandbox worker...); used only when no run was recorded. */
  failure?: ErrorInfo;
}

export async function settleInvocation(deps: InvokeDeps, input: SettleInput): Promise<InvocationOutcome> {
  return withTransaction(
    deps.pool,
    async (client) => {
      const row = await q.lockForSettle(client, input.key);
      if (!row) throw notFound(`no invocation ${input.key}`);
      if (row.status !== 'held') return outcomeOf(row, row.run_result, true);

      const run: RunRecord = row.run_result ?? {
        ok: false,
        error: sanitizeError(input.failure ?? { code: 'CRASHED', message: 'the run never reported a result' }),
        cpuMs: 0,
        wallMs: 0,
      };
      const ids = invocationIds(row.key);
      if (row.held > 0) {
        await transfer(
          client,
          run.ok
            ? { id: ids.pay, from: SYSTEM_ACCOUNTS.invokeHold, to: row.payee_id!, asset: SCRIP, amount: row.held, kind: 'invoke_pay', reference: row.artifact_id }
            : { id: ids.refund, from: SYSTEM_ACCOUNTS.invokeHold, to: row.invoker_id, asset: SCRIP, amount: row.held, kind: 'invoke_refund', reference: row.artifact_id },
        );
      }
      // What the caller's grant chain was charged at the hold becomes what was spent: the compute
      // reserved becomes the CPU used, a refunded price is given back.
      if (row.parent_chain) {
        await adjustChain(client, row.parent_chain, { compute: row.compute_reserved > 0 ? run.cpuMs - row.compute_reserved : 0, scrip: run.ok ? 0 : -row.held });
      }
      const status = run.ok ? 'paid' : 'refunded';
      const error = run.ok ? null : run.error;
      const settlement = { status, cpuMs: run.cpuMs, error, run } as const;
      if (run.cpuMs > 0) {
        // The charge and the new status in one round trip, from the bucket read with the lock.
        await spendSeen(client, { id: ids.cpu, principal: row.payer_id!, resource: 'compute', amount: run.cpuMs, kind: 'sandbox_cpu' }, row, q.settledCte(row.key, settlement));
      } else {
        await q.markSettled(client, row.key, settlement);
      }
      await emit(client, {
        type: run.ok ? 'invocation_completed' : 'invocation_failed',
        actor: row.invoker_id,
        subject: row.artifact_id,
        data: {
          key: row.key,
          method: row.method,
          payer: row.payer_id,
          price: row.price,
          ...(run.ok ? { paid_to: row.held > 0 ? row.payee_id : null } : { refunded: row.held, error: error!.code }),
          cpu_ms: run.cpuMs,
          wall_ms: run.wallMs,
          depth: row.depth,
        },
      });
      return outcomeOf({ ...row, status, cpu_ms: run.cpuMs, error }, run, false);
    },
    deps.config.transactions.maxRetries,
  );
}

/** The outcome of a settled (or refused) invocation, as the first settle returned it. */
export function outcomeOf(row: q.InvocationRow, run: RunRecord | null, replayed: boolean): InvocationOutcome {
  const invocation = {
    key: row.key,
    artifact_id: row.artifact_id,
    price: row.price,
    paid_to: row.status === 'paid' && row.price > 0 ? row.payee_id : null,
    refunded: row.status === 'refunded' && row.price > 0,
    payer: row.payer_id,
    cpu_ms: row.cpu_ms,
    wall_ms: run?.wallMs ?? 0,
    cold_start: run?.coldStart === true,
    ...(run?.logs ? { logs: run.logs } : {}),
    ...(row.grant_chain
      ? {
          grant: {
            allowance: { scrip: row.allowance_scrip, compute: row.allowance_compute, llm_micros: row.allowance_llm_micros },
            allow: row.allow_methods,
            spent: { scrip: row.spent_scrip, compute: row.spent_compute, llm_micros: row.spent_llm_micros },
          },
        }
      : {}),
  };
  if (row.status === 'paid' && run?.ok) return { ok: true, result: run.value ?? null, replayed, compute_charged: row.cpu_ms, invocation };
  const error = row.error ?? (run && !run.ok ? run.error : { code: 'CRASHED', message: 'the invocation failed' });
  return { ok: false, error, replayed, compute_charged: row.cpu_ms, invocation };
}

/** The stored outcome of an invocation (what settle returned), or undefined while it is not settled. */
export async function invocationOutcome(deps: Pick<InvokeDeps, 'pool'>, key: string): Promise<InvocationOutcome | undefined> {
  const row = await q.getInvocation(deps.pool, key);
  if (!row || row.status === 'held') return undefined;
  return outcomeOf(row, row.run_result, true);
}
