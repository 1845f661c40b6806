import {
  ActivityFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { AgentActivities } from '../activities/agents';
import type {
  ActSummary,
  AgentLoopSettings,
  AgentState,
  AgentStatus,
  AgentWorkflowInput,
  AgentWorkflowResult,
  Predicate,
  ShortMemory,
  SleepPlan,
} from '../src/agents/types';
import {
  balanceChangedSignal,
  configChangedSignal,
  eventSignal,
  pauseSignal,
  resumeSignal,
  stateQuery,
  stopSignal,
  wakeSignal,
} from './agentApi';

export * from './agentApi';

/**
 * Options of the first readiness check of a run only: every later activity uses the settings that
 * check returns from configuration (a workflow cannot read configuration files itself).
 */
const BOOTSTRAP_OPTIONS: ActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } };
const BOOTSTRAP_LOCAL_OPTIONS: LocalActivityOptions = { startToCloseTimeout: '1 minute', retry: { maximumInterval: '30 seconds' } };

/**
 * Version marker (patched): readiness, and an act that is one short transaction (thought.quick),
 * run as local activities, inside the workflow task that asks for them, with no task-queue round
 * trip each; that halves what an iteration costs Temporal (BENCHMARKS.md, agents). Histories from
 * before the marker replay with ordinary activities. Think stays an ordinary activity: it may take
 * minutes, heartbeats, and is retried elsewhere when its worker dies.
 */
const LOCAL_STEPS = 'local-readiness-and-act';

function activityOptions(s: AgentLoopSettings, think: boolean): ActivityOptions {
  return {
    startToCloseTimeout: think ? s.thinkTimeoutMs : s.activityTimeoutMs,
    ...(think ? { heartbeatTimeout: s.thinkHeartbeatTimeoutMs } : {}),
    retry: { initialInterval: s.initialIntervalMs, maximumInterval: s.maximumIntervalMs, maximumAttempts: s.maximumAttempts },
  };
}

function localActivityOptions(s: AgentLoopSettings): LocalActivityOptions {
  return {
    startToCloseTimeout: s.activityTimeoutMs,
    retry: { initialInterval: s.initialIntervalMs, maximumInterval: s.maximumIntervalMs, maximumAttempts: s.maximumAttempts },
  };
}

function errorText(e: unknown): string {
  const cause = (e as { cause?: { message?: string } }).cause?.message;
  return (cause ?? (e as Error).message ?? String(e)).slice(0, 300);
}

/**
 * One agent's life (SPEC section 8): stopped -> finish; paused -> wait; in debt or without budget
 * -> durable sleep until recovery or a signal; think; act; sleep actions. Every effect of an
 * iteration carries the key `agentId:iteration`; prompts and results stay in PostgreSQL, the
 * history holds small summaries. Signal handlers only set flags that the loop reads, so a signal
 * that arrives while an activity runs is not lost.
 */
export async function agentWorkflow(input: AgentWorkflowInput): Promise<AgentWorkflowResult> {
  const { agentId } = input;
  let iteration = input.iteration ?? 0;
  let memory: ShortMemory = input.memory ?? [];
  const flags = { wake: false, paused: input.paused ?? false, stop: false, config: false, balance: false };
  const firedEvents = new Set<string>();
  const state: AgentState = { agentId, status: 'starting', iteration, paused: flags.paused, memory };

  setHandler(wakeSignal, () => void (flags.wake = true));
  setHandler(pauseSignal, () => void (flags.paused = state.paused = true));
  setHandler(resumeSignal, () => void (flags.paused = state.paused = false));
  setHandler(stopSignal, () => void (flags.stop = true));
  setHandler(configChangedSignal, () => void (flags.config = true));
  setHandler(balanceChangedSignal, () => void (flags.balance = true));
  setHandler(eventSignal, (e) => void firedEvents.add(e.key));
  setHandler(stateQuery, () => state);

  const setStatus = (status: AgentStatus, waitingFor?: string, untilMs?: number) => {
    state.status = status;
    state.waitingFor = waitingFor;
    state.until = untilMs === undefined ? undefined : new Date(untilMs).toISOString();
  };

  /** Waits up to `ms` (forever when undefined) or until `done()`; a wake or stop always ends it. */
  const wait = async (ms: number | undefined, done: () => boolean = () => false): Promise<void> => {
    const ended = () => flags.wake || flags.stop || done();
    if (ms === undefined) await condition(ended);
    else await condition(ended, Math.max(1, Math.ceil(ms)));
    flags.wake = false;
  };

  let settings: AgentLoopSettings | undefined;
  const activities = (think = false) => proxyActivities<AgentActivities>(settings ? activityOptions(settings, think) : BOOTSTRAP_OPTIONS);
  const local = () => proxyLocalActivities<AgentActivities>(settings ? localActivityOptions(settings) : BOOTSTRAP_LOCAL_OPTIONS);

  const waitUntilReady = async (why: 'compute-debt' | 'llm-debt' | 'budget' | 'quota', until: string | null, reason: string): Promise<void> => {
    const s = settings!;
    if (why === 'budget') {
      setStatus('waiting-for-budget', `the system LLM budget (${reason})`, Date.now() + s.budgetRecheckSeconds * 1000);
      return wait(s.budgetRecheckSeconds * 1000);
    }
    if (why === 'quota') {
      setStatus('waiting-for-budget', `its LLM dollar allowance (${reason})`, Date.now() + s.blockedRecheckSeconds * 1000);
      return wait(s.blockedRecheckSeconds * 1000, () => flags.balance);
    }
    const resource = why === 'compute-debt' ? 'compute' : 'llm_tokens';
    // A rescue transfer signals balanceChanged and ends the wait early.
    const end = until ? Math.max(Date.parse(until), Date.now() + s.minRecheckMs) : Date.now() + s.blockedRecheckSeconds * 1000;
    setStatus('frozen-in-debt', `${resource} debt to be paid off (${reason})`, end);
    state.recoversAt = until ?? undefined;
    return wait(end - Date.now(), () => flags.balance);
  };

  /** A predicate sleep re-checks whenever the balances change (balanceChanged) or accrual is due. */
  const sleepOnPredicate = async (p: Predicate, deadline: number): Promise<void> => {
    for (;;) {
      flags.balance = false;
      const check = await activities().agentCheckPredicate({ agentId, predicate: p });
      if (check.balances) state.balances = check.balances;
      if (check.satisfied || Date.now() >= deadline) return;
      const recheck = check.recheckAt ? Math.max(Date.parse(check.recheckAt), Date.now() + settings!.minRecheckMs) : deadline;
      await condition(() => flags.wake || flags.stop || flags.balance, Math.max(1, Math.min(deadline, recheck) - Date.now()));
      if (flags.wake || flags.stop) return void (flags.wake = false);
    }
  };

  const sleep = async (plan: SleepPlan): Promise<void> => {
    const deadline = Date.now() + plan.seconds * 1000;
    if (plan.kind === 'seconds') {
      setStatus('sleeping', 'timer', deadline);
      return wait(plan.seconds * 1000);
    }
    if (plan.kind === 'event') {
      setStatus('sleeping', `event ${plan.eventType}`, deadline);
      await wait(plan.seconds * 1000, () => firedEvents.has(plan.key));
      firedEvents.clear();
      return;
    }
    setStatus('sleeping', `${plan.predicate.resource} ${plan.predicate.op} ${plan.predicate.value}`, deadline);
    return sleepOnPredicate(plan.predicate, deadline);
  };

  const remember = (act: ActSummary) => {
    state.lastAction = act.action;
    state.lastResult = { ok: act.ok, summary: act.summary, ...(act.error ? { error: act.error } : {}) };
    if (act.balances) state.balances = act.balances;
    const keep = settings!.memorySize;
    memory = keep > 0 ? [...memory, { iteration, action: act.action, ok: act.ok, summary: act.summary }].slice(-keep) : [];
    state.memory = memory;
  };

  let runIterations = 0;
  let thinkAttempt = input.thinkAttempt ?? 0;
  for (;;) {
    if (flags.stop) break;
    if (flags.paused) {
      setStatus('paused', 'a resume signal');
      await condition(() => !flags.paused || flags.stop);
      continue;
    }
    if (settings && (runIterations >= settings.maxIterationsPerRun || workflowInfo().continueAsNewSuggested)) {
      return continueAsNew<typeof agentWorkflow>({ agentId, iteration, memory, paused: flags.paused, thinkAttempt });
    }

    flags.balance = false;
    const ready = await (patched(LOCAL_STEPS) ? local() : activities()).agentReadiness({ agentId });
    settings = ready.settings;
    if (ready.balances) state.balances = ready.balances;
    if (ready.status === 'missing') {
      setStatus('stopped', ready.reason);
      return { agentId, iteration, reason: 'missing' };
    }
    if (ready.status !== 'ready') {
      await waitUntilReady(ready.status, ready.until, ready.reason);
      continue;
    }
    if (ready.thinkDelayMs > 0) {
      flags.config = false;
      setStatus('sleeping', 'its think delay', Date.now() + ready.thinkDelayMs);
      await wait(ready.thinkDelayMs, () => flags.config);
      if (flags.stop || flags.paused) continue;
    }

    state.iteration = iteration;
    // A think that failed last time keeps saying so while it is retried.
    setStatus(state.thinkError ? 'think-failing' : 'thinking', state.thinkError ? 'a retry of a failed think' : undefined);
    flags.wake = false;
    let thought;
    try {
      thought = await activities(true).agentThink({ agentId, iteration, attempt: thinkAttempt });
    } catch (e) {
      if (!(e instanceof ActivityFailure)) throw e;
      thinkAttempt++;
      state.thinkError = errorText(e);
      state.lastResult = { ok: false, summary: 'thinking failed; retrying after a pause', error: { code: 'THINK_FAILED', message: state.thinkError } };
      setStatus('think-failing', 'a retry after a failed think', Date.now() + settings.errorBackoffSeconds * 1000);
      await wait(settings.errorBackoffSeconds * 1000);
      continue;
    }
    state.thinkError = undefined;
    if (thought.kind === 'blocked') {
      thinkAttempt++;
      if (thought.reason === 'missing') {
        setStatus('stopped', thought.message);
        return { agentId, iteration, reason: 'missing' };
      }
      await waitUntilReady(thought.reason, thought.until, thought.message);
      continue;
    }
    thinkAttempt = 0;

    let outcome: ActSummary;
    if (thought.kind === 'invalid') {
      outcome = { ok: false, action: 'invalid', summary: 'invalid output', error: { code: 'INVALID_ACTION', message: thought.reason.slice(0, 300) } };
    } else {
      setStatus('acting', thought.summary);
      try {
        outcome = await (thought.quick && patched(LOCAL_STEPS) ? local() : activities()).agentAct({ agentId, iteration });
      } catch (e) {
        if (!(e instanceof ActivityFailure)) throw e;
        outcome = { ok: false, action: thought.action, summary: 'the action could not be run', error: { code: 'ACT_FAILED', message: errorText(e) } };
      }
    }
    remember(outcome);
    iteration++;
    runIterations++;
    state.iteration = iteration;
    if (outcome.sleep) await sleep(outcome.sleep);
  }
  setStatus('stopped');
  return { agentId, iteration, reason: 'stopped' };
}
