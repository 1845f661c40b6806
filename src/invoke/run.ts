/**
 * Saga step 2: run the code in the sandbox, in a container of the artifact's owner (counted against
 * the hold's container account when it names one), with the host bridge acting as the payer, and
 * record what the sandbox measured. Recorded once: a repeat returns
 * the stored report without running again. A run that ends after its invocation was settled (the
 * workflow gave up waiting) still pays for its CPU, under an id of its own.
 */
import { randomUUID } from 'node:crypto';
import { spend } from '../buckets/store';
import { withTransaction } from '../db/tx';
import { notFound, type ErrorCode } from '../errors';
import type { RunResult } from '../sandbox';
import { checkJson } from '../validation';
import { createBridge, type BridgeState } from './bridge';
import { cleanText, sanitizeError } from './contract';
import { containerOwner } from './owner';
import * as q from './queries';
import type { CallBudget, InvocationOutcome, InvokeDeps, RunRecord, SagaRequest } from './types';

export interface RunInput {
  key: string;
  /** Epoch ms by which the run must end (a nested invocation inherits its parent's limit). */
  deadlineMs?: number;
  /** Bridge calls left to the tree this run belongs to; a new budget of sandbox.maxBridgeCalls at the top. */
  callBudget?: CallBudget;
}

export type NestedInvoke = (deps: InvokeDeps, req: SagaRequest) => Promise<InvocationOutcome>;

const failed = (code: ErrorCode, message: string): RunRecord => ({ ok: false, error: { code, message }, cpuMs: 0, wallMs: 0 });

export async function runInvocation(deps: InvokeDeps, input: RunInput, invokeNested: NestedInvoke): Promise<{ record: RunRecord; replayed: boolean }> {
  const row = await q.getForRun(deps.pool, input.key);
  if (!row) throw notFound(`no invocation ${input.key}: hold it first`);
  if (row.status === 'rejected') return { record: { ...failed(row.error?.code ?? 'REJECTED', row.error?.message ?? 'the hold was refused') }, replayed: true };
  if (row.run_result) return { record: row.run_result, replayed: true };
  if (row.status !== 'held') return { record: failed('CRASHED', 'the invocation was settled before its run reported'), replayed: true };

  const record = await execute(deps, row, input, invokeNested);
  if (await q.recordRun(deps.pool, row.key, record)) return { record, replayed: false };
  // A twin recorded first, or the invocation was settled without us: keep theirs, pay for ours.
  if (record.cpuMs > 0 && row.payer_id) {
    await withTransaction(deps.pool, (c) =>
      spend(c, { id: `${row.key}:cpu-late:${randomUUID()}`, principal: row.payer_id!, resource: 'compute', amount: record.cpuMs, kind: 'sandbox_cpu_late' }),
    );
  }
  const now = await q.getInvocation(deps.pool, row.key);
  return { record: now?.run_result ?? record, replayed: true };
}

type RunRow = NonNullable<Awaited<ReturnType<typeof q.getForRun>>>;

async function execute(deps: InvokeDeps, row: RunRow, input: RunInput, invokeNested: NestedInvoke): Promise<RunRecord> {
  if (row.current_owner === null) return failed('NOT_FOUND', `artifact ${row.artifact_id} was deleted before it could run`);
  if (!row.can_execute || row.code === null) return failed('NOT_EXECUTABLE', `${row.artifact_id} is no longer executable code`);
  // The price was held for the code the hold read; other code does not run for it (rows from before
  // migration 014 have no hash).
  if (row.code_hash !== null && row.current_code_hash !== row.code_hash) {
    return failed('CONFLICT', `the code of ${row.artifact_id} changed after the price was held (code_hash ${row.code_hash}, now ${row.current_code_hash}); nothing ran, the price is refunded`);
  }
  if (!deps.sandbox) return failed('SANDBOX_UNAVAILABLE', 'this process has no sandbox (no Docker daemon was configured for it); the price is refunded');
  const { timeoutMs: limit, nanoCpus } = deps.config.sandbox.limits;
  // A run paid from a compute allowance may not use more CPU than the hold reserved for it.
  const reservedMs = row.compute_reserved > 0 ? Math.floor((row.compute_reserved * 1e9) / nanoCpus) : Infinity;
  const deadlineMs = Math.min(Date.now() + Math.min(limit, reservedMs), input.deadlineMs ?? Infinity);
  const timeoutMs = Math.floor(deadlineMs - Date.now());
  if (timeoutMs <= 0) return failed('TIMEOUT', 'the calling code ran out of time before this nested invocation could start');
  const budget = input.callBudget ?? { left: deps.config.sandbox.maxBridgeCalls };
  const grant = row.grant_chain ? { chain: row.grant_chain, allow: row.allow_methods } : null;
  const bridgeContext = { key: row.key, payer: row.payer_id!, depth: row.depth, deadlineMs, budget, grant };
  const bridge = createBridge(deps, bridgeContext, invokeNested);
  const result = await deps.sandbox.run({
    owner: containerOwner({ id: row.artifact_id, owner_id: row.owner_id ?? row.current_owner }),
    ...(row.container_account ? { account: row.container_account } : {}),
    code: row.code,
    fn: row.method,
    args: row.args,
    onCall: bridge.onCall,
    timeoutMs,
    // A nested run, waiting for a container included, ends when its parent does.
    deadlineMs: input.deadlineMs,
    // What the code calls must end when the code's own time limit does (known once a container is ready).
    onDispatch: (endsAtMs) => {
      bridgeContext.deadlineMs = endsAtMs;
    },
  });
  return toRecord(deps, result, bridge.state);
}

/** The sandbox's result as it may be stored: JSON PostgreSQL accepts, text without NUL, clear codes. */
function toRecord(deps: InvokeDeps, r: RunResult, bridge: BridgeState): RunRecord {
  const measures = {
    cpuMs: Math.max(0, Math.ceil(r.cpuMs)),
    wallMs: Math.max(0, Math.round(r.wallMs)),
    coldStart: r.coldStart === true,
    ...(r.logs ? { logs: cleanText(r.logs) } : {}),
  };
  if (r.ok) {
    try {
      checkJson(r.value, 'the result', { maxBytes: deps.config.sandbox.limits.maxOutputBytes, maxDepth: 256 });
    } catch (e) {
      return { ok: false, error: { code: 'OUTPUT_NOT_JSON', message: (e as Error).message }, ...measures };
    }
    return { ok: true, value: r.value, ...measures };
  }
  let error = sanitizeError(r.error);
  // Recursion past the depth limit surfaces in the code as a thrown error; name the cause.
  if (bridge.depthExceeded && error.code === 'CODE_THREW') error = { code: 'DEPTH_EXCEEDED', message: `nested ctx.invoke went past the depth limit of ${deps.config.sandbox.maxDepth}: ${error.message}` };
  return { ok: false, error, ...measures };
}
