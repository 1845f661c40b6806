import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import type { Outcome } from '../genesis/dispatch';
import type { DispatchHooks } from '../genesis/context';
import { invoke } from '../invoke/invoke';
import type { InvokeOptions } from '../invoke/types';
import type { GrantSpec } from '../invoke/grant';
import { clip, describeAction, grantOf, type AgentAction } from './actions';
import { readBalances } from './balances';
import { agentCreatedHook } from './startCreated';
import { finishAct, getAction, subscribe, type ActionRow } from './queries';
import { iterationKey, type ActInput, type ActSummary, type AgentControl, type SleepPlan } from './types';
import type { ErrorInfo } from '../errors';

export interface ActDeps {
  pool: Pool;
  config: EcologyConfig;
  control: AgentControl;
  hooks?: DispatchHooks;
  /** How executable artifacts run (src/invoke): this process's sandbox, or a runner that sends the saga to Temporal. */
  invoke?: InvokeOptions;
}

interface Executed {
  ok: boolean;
  result: unknown;
  error: ErrorInfo | null;
  sleep?: SleepPlan;
}

function sleepPlan(config: EcologyConfig, a: Extract<AgentAction, { action: 'sleep' }>, key: string): SleepPlan {
  const cap = Math.min(config.agents.maxSleepSeconds, a.max_seconds ?? Infinity);
  if (a.seconds !== undefined) return { kind: 'seconds', seconds: Math.min(a.seconds, cap) };
  if (a.until_event !== undefined) return { kind: 'event', eventType: a.until_event, seconds: cap, key };
  return { kind: 'predicate', predicate: a.until!, seconds: cap };
}

function fromOutcome(o: Outcome): Executed {
  return o.ok ? { ok: true, result: o.result ?? null, error: null } : { ok: false, result: null, error: { code: o.error.code, message: o.error.message } };
}

/** The store write an action may make: an edit of an agent changes its configuration. */
function storeWrite(a: AgentAction): { id: string } | undefined {
  if (a.action === 'write_artifact') return { id: a.id };
  if (a.action === 'invoke_artifact' && a.id === 'genesis_store' && a.method === 'write') {
    const id = a.args?.id;
    return typeof id === 'string' ? { id } : undefined;
  }
  return undefined;
}

/**
 * A write to an existing agent is its configuration changing: its workflow hears configChanged. A
 * created agent's workflow was started by dispatch (DispatchHooks.agentCreated, src/agents/startCreated.ts).
 */
async function afterStoreWrite(deps: ActDeps, agentId: string, target: string, exec: Executed): Promise<Executed> {
  if ((exec.result as { created?: boolean } | null)?.created === true) return exec;
  const art = (await deps.pool.query<{ agent: boolean }>('SELECT has_standing AND can_execute AS agent FROM artifacts WHERE id = $1', [target])).rows[0];
  if (art?.agent) await deps.control.signal(target, 'configChanged', { by: agentId }).catch(() => false);
  return exec;
}

async function execute(deps: ActDeps, agentId: string, key: string, action: AgentAction): Promise<Executed> {
  // A created agent's workflow starts through the hook, compensated when it cannot (./startCreated).
  const hooks = { agentCreated: agentCreatedHook(deps.pool, deps.control), ...deps.hooks };
  const run = async (artifactId: string, method: string, args: unknown, grant?: GrantSpec) =>
    // invoke(): genesis services through dispatch, executable artifacts through the invocation saga.
    fromOutcome(
      await invoke({ pool: deps.pool, config: deps.config, hooks, ...deps.invoke }, { caller: agentId, artifactId, method, args, key, ...(grant ? { grant } : {}) }),
    );
  let exec: Executed;
  switch (action.action) {
    case 'noop':
      return { ok: true, result: null, error: null };
    case 'sleep': {
      const plan = sleepPlan(deps.config, action, key);
      if (plan.kind === 'event') await subscribe(deps.pool, { key, agentId, eventType: plan.eventType });
      return { ok: true, result: { sleep: plan }, error: null, sleep: plan };
    }
    case 'read_artifact':
      return run('genesis_store', 'read', { id: action.id });
    case 'delete_artifact':
      return run('genesis_store', 'delete', { id: action.id });
    case 'write_artifact': {
      const { action: _a, ...fields } = action;
      exec = await run('genesis_store', 'write', fields);
      break;
    }
    case 'invoke_artifact':
      // The caller is always this workflow's agent; args are the LLM's and go through the
      // service's own access checks (a `from` naming someone else fails FORBIDDEN there).
      // What the agent grants code it invokes (by default: read only), and the price and code it pinned.
      exec = await run(action.id, action.method, action.args ?? {}, grantOf(action));
      break;
  }
  const target = storeWrite(action);
  return exec.ok && target ? afterStoreWrite(deps, agentId, target.id, exec) : exec;
}

function resultSummary(action: string, ok: boolean, error: ErrorInfo | null): string {
  return clip(ok ? `${action} -> ok` : `${action} -> ${error?.code ?? 'FAILED'}: ${error?.message ?? ''}`, 300);
}

/** The summary of an iteration already acted on (a retried activity replays it). */
function actSummaryOf(row: ActionRow): ActSummary {
  const base = { action: row.action_type ?? 'invalid', summary: row.summary ?? '' };
  if (row.status === 'done') {
    const plan = (row.result as { sleep?: SleepPlan } | null)?.sleep;
    return { ...base, ok: true, ...(plan ? { sleep: plan } : {}) };
  }
  return { ...base, ok: false, error: row.error ?? { code: 'FAILED', message: 'failed' } };
}

/**
 * Step 5 of the loop: runs the stored action of `agentId:iteration` once. Dispatch records it under
 * that key (a repeat replays the first outcome) and charges its compute; the result is stored with
 * the iteration. Business failures are results, not errors: the loop goes on.
 */
export async function act(deps: ActDeps, input: ActInput): Promise<ActSummary> {
  const key = iterationKey(input.agentId, input.iteration);
  const row = await getAction(deps.pool, key);
  if (!row) return { ok: false, action: 'none', summary: 'no thought recorded', error: { code: 'NOT_FOUND', message: `no action stored under ${key}` } };
  if (row.status !== 'ready') return actSummaryOf(row);

  const action = row.action as AgentAction;
  const exec = await execute(deps, input.agentId, key, action);
  const summary = resultSummary(describeAction(action), exec.ok, exec.error);
  await finishAct(deps.pool, { key, ok: exec.ok, result: exec.result, error: exec.error, summary });
  const out: ActSummary = { ok: exec.ok, action: action.action, summary, ...(exec.error ? { error: exec.error } : {}) };
  if (!exec.sleep) return out;
  // The state query shows these while the agent sleeps; otherwise the next readiness check, which
  // follows at once, reads them anyway.
  const client = await deps.pool.connect();
  const balances = await readBalances(client, input.agentId).finally(() => client.release());
  return { ...out, balances, sleep: exec.sleep };
}
