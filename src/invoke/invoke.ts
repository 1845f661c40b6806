/**
 * The one entry point for every invocation: actors (the agent's act step, `ecology invoke`), tests
 * and code in the sandbox (ctx.invoke) all call invoke(). A genesis service, or anything that is not
 * executable code, goes to dispatch (one transaction); an executable artifact goes to the saga of
 * SPEC section 7: hold the price, run in the sandbox, settle (pay or refund, charge the CPU). The
 * saga runs in this process unless deps.runSaga sends it elsewhere (Temporal, see ./temporal).
 */
import { dispatch } from '../genesis/dispatch';
import { isGenesisService } from '../genesis/registry';
import { ID_PATTERN } from '../validation';
import { hooksOf } from './contract';
import { holdInvocation } from './hold';
import { runInvocation } from './run';
import { settleInvocation } from './settle';
import type { InvocationOutcome, InvokeDeps, InvokeRequest, SagaRequest } from './types';
import type { ErrorInfo } from '../errors';

export async function invoke(deps: InvokeDeps, req: InvokeRequest & Pick<SagaRequest, 'depth' | 'deadlineMs' | 'callBudget' | 'spendChain' | 'spendAllow'>): Promise<InvocationOutcome> {
  const method = req.method ?? 'run';
  if (!isGenesisService(req.artifactId) && (await isSaga(deps, req.key, req.artifactId))) {
    const saga: SagaRequest = { ...req, method, args: req.args ?? {} };
    // Nested invocations (depth > 0) run here, inside their parent's run.
    return deps.runSaga && !req.depth ? deps.runSaga(saga) : runSagaInProcess(deps, saga);
  }
  // A grant (max_price, allowance...) is about running code: a genesis method takes none.
  return dispatch({ pool: deps.pool, config: deps.config, hooks: hooksOf(deps), guard: deps.guard }, { caller: req.caller, artifactId: req.artifactId, method, args: req.args ?? {}, key: req.key });
}

/** Whether this is (or already was, under this key) an invocation of executable code; one round trip. */
async function isSaga(deps: InvokeDeps, key: string, artifactId: string): Promise<boolean> {
  // Malformed requests go to dispatch, which explains what is wrong.
  if (typeof key !== 'string' || typeof artifactId !== 'string' || !ID_PATTERN.test(artifactId) || key.includes('\u0000') || /\p{Cs}/u.test(key)) return false;
  const r = await deps.pool.query<{ saga: boolean }>({
    name: 'invoke_is_saga',
    text: `SELECT EXISTS (SELECT 1 FROM invocations WHERE key = $1)
             OR EXISTS (SELECT 1 FROM artifacts WHERE id = $2 AND NOT genesis AND can_execute AND code IS NOT NULL) AS saga`,
    values: [key, artifactId],
  });
  return r.rows[0].saga;
}

/** hold -> run -> settle in this process; a run that throws (a database error) is settled as a failure. */
export async function runSagaInProcess(deps: InvokeDeps, req: SagaRequest): Promise<InvocationOutcome> {
  const held = await holdInvocation(deps, req);
  if (!held.ok) return { ok: false, error: held.error, replayed: held.replayed, compute_charged: 0 };
  let failure: ErrorInfo | undefined;
  try {
    await runInvocation(deps, { key: req.key, deadlineMs: req.deadlineMs, callBudget: req.callBudget }, invoke);
  } catch (e) {
    failure = { code: 'CRASHED', message: `the run failed: ${(e as Error).message ?? String(e)}` };
  }
  return settleInvocation(deps, { key: req.key, failure });
}
