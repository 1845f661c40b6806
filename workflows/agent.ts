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
} from '../src/agents/signals';
import { failureText, retryPolicy } from './common';
import { refusedByOtherWorld, untilOwnWorld } from './world';

export * from '../src/agents/signals';

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

/**
 * Version marker (patched): every signal is a history event, even one a sleeper ignores, so a
 * flood of them (a buggy relay, many transfers) could push a sleeping run toward Temporal's
 * history limit. Waits end when the history is long (Temporal suggests continue-as-new, or
 * agents.maxHistoryEventsPerRun) and the run continues as new, a sleep resuming with its deadline.
 * Histories from before the marker replay with waits that ignore the history's length.
 */
const CONTINUE_IN_WAITS = 'continue-as-new-in-waits';
const never = () => false;
/** Version marker (patched): the workflow's end is recorded (agent_runs: only running agents share UBI). */
const RECORD_END = 'record-agent-end';

function activityOptions(s: AgentLoopSettings, think: boolean): ActivityOptions {
  return {
    startToCloseTimeout: think ? s.thinkTimeoutMs : s.activityTimeoutMs,
    ...(think ? { heartbeatTimeout: s.thinkHeartbeatTimeoutMs } : {}),
    retry: retryPolicy(s),
  };
}

function localActivityOptions(s: AgentLoopSettings): LocalActivityOptions {
  return { startToCloseTimeout: s.activityTimeoutMs, retry: retryPolicy(s) };
}

/** Failures as the agent's state shows them. */
const errorText = (e: unknown) => failureText(e, { maxChars: 300 });

/**
 * One agent's life (SPEC section 8): stopped -> finish; paused -> wait; in debt or without budget
 * -> durable sleep until recovery or a signal; think; act; sleep actions. Every effect of an
 * iteration carries the key `agentId:iteration`; prompts and results stay in PostgreSQL, the
 * history holds small summaries. Signal handlers only set flags that the loop reads, so a signal
 * that arrives while an activity runs is not lost.
 */
export async function agentWorkflow(input: AgentWorkflowInput): Promise<AgentWorkflowResult> {
  const { agentId, world } = input;
  let iteration = input.iteration ?? 0;
  let settings: AgentLoopSettings | undefined = input.sleeping?.settings;
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

  /** Whether this run should continue as new: Temporal suggests it, or its history is long. */
  const historyFull = (): boolean => {
    const info = workflowInfo();
    const max = settings?.maxHistoryEventsPerRun;
    return info.continueAsNewSuggested || (max !== undefined && info.historyLength >= max);
  };
  let waitsWatchHistory: boolean | undefined;
  /** What ends a wait because of the history: historyFull, in runs recorded with the marker. */
  const historyCut = (): (() => boolean) => ((waitsWatchHistory ??= patched(CONTINUE_IN_WAITS)) ? historyFull : never);

  /**
   * Waits up to `ms` (forever when undefined) or until `done()`; a wake or stop always ends it.
   * True when it ended early only because the run should continue as new.
   */
  const wait = async (ms: number | undefined, done: () => boolean = never): Promise<boolean> => {
    const full = historyCut();
    const ended = () => flags.wake || flags.stop || done() || full();
    const met = ms === undefined ? await condition(ended) : await condition(ended, Math.max(1, Math.ceil(ms)));
    const cut = met !== false && !(flags.wake || flags.stop || done()) && full();
    flags.wake = false;
    return cut;
  };

  const activities = (think = false) => proxyActivities<AgentActivities>(settings ? activityOptions(settings, think) : BOOTSTRAP_OPTIONS);
  const local = () => proxyLocalActivities<AgentActivities>(settings ? localActivityOptions(settings) : BOOTSTRAP_LOCAL_OPTIONS);

  /**
   * Runs an activity of this agent's world. A worker of another world that shares the task queue
   * refuses it without acting (WORLD_MISMATCH): an ordinary activity is simply asked again (the
   * retry reaches some worker of the queue); a local one ran on this very worker, so the workflow
   * task fails (the workflow goes on) and another worker takes the next attempt.
   */
  const inOwnWorld = async <T>(isLocal: boolean, run: () => Promise<T>): Promise<T> => {
    if (!isLocal) return untilOwnWorld(run, settings ? settings.errorBackoffSeconds * 1000 : 1000);
    try {
      return await run();
    } catch (e) {
      if (refusedByOtherWorld(e)) throw new Error(`agent ${agentId}: a worker of another world refused a local activity; retrying the workflow task elsewhere: ${errorText(e)}`);
      throw e;
    }
  };

  /** The end of the workflow, recorded in the agent's world (newer histories only). */
  const ended = async (reason: AgentWorkflowResult['reason']): Promise<AgentWorkflowResult> => {
    if (patched(RECORD_END)) await inOwnWorld(false, () => activities().agentStopped({ agentId, reason, world }));
    return { agentId, iteration, reason };
  };

  const waitUntilReady = async (why: 'compute-debt' | 'llm-debt' | 'budget' | 'quota', until: string | null, reason: string): Promise<boolean> => {
    const s = settings!;
    if (why === 'budget') {
      setStatus('waiting-for-budget', `the system LLM budget (${reason})`, Date.now() + s.budgetRecheckSeconds * 1000);
      return wait(s.budgetRecheckSeconds * 1000);
    }
    if (why === 'quota') {
      // Its own allowance is missing (a child created without an endowment): someone must fund it.
      setStatus('waiting-for-funding', `its LLM dollar allowance (${reason})`, Date.now() + s.blockedRecheckSeconds * 1000);
      return wait(s.blockedRecheckSeconds * 1000, () => flags.balance);
    }
    const resource = why === 'compute-debt' ? 'compute' : 'llm_tokens';
    // A rescue transfer signals balanceChanged and ends the wait early.
    const end = until ? Math.max(Date.parse(until), Date.now() + s.minRecheckMs) : Date.now() + s.blockedRecheckSeconds * 1000;
    setStatus('frozen-in-debt', `${resource} debt to be paid off (${reason})`, end);
    state.recoversAt = until ?? undefined;
    return wait(end - Date.now(), () => flags.balance);
  };

  /**
   * A predicate sleep re-checks whenever the balances change (balanceChanged) or accrual is due.
   * True when it stopped before its end because the run should continue as new.
   */
  const sleepOnPredicate = async (p: Predicate, deadline: number): Promise<boolean> => {
    const full = historyCut();
    for (;;) {
      if (full()) return true;
      flags.balance = false;
      const check = await inOwnWorld(false, () => activities().agentCheckPredicate({ agentId, predicate: p, world }));
      if (check.balances) state.balances = check.balances;
      if (check.satisfied || Date.now() >= deadline) return false;
      const recheck = check.recheckAt ? Math.max(Date.parse(check.recheckAt), Date.now() + settings!.minRecheckMs) : deadline;
      await condition(() => flags.wake || flags.stop || flags.balance || full(), Math.max(1, Math.min(deadline, recheck) - Date.now()));
      if (flags.wake || flags.stop) {
        flags.wake = false;
        return false;
      }
    }
  };

  /** Sleeps as the plan says until `deadline`; true when cut short to continue as new. */
  const sleep = async (plan: SleepPlan, deadline: number): Promise<boolean> => {
    if (plan.kind === 'seconds') {
      setStatus('sleeping', 'timer', deadline);
      return wait(deadline - Date.now());
    }
    if (plan.kind === 'event') {
      setStatus('sleeping', `event ${plan.eventType}`, deadline);
      const cut = await wait(deadline - Date.now(), () => firedEvents.has(plan.key));
      if (!cut) firedEvents.clear();
      return cut;
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
  const continueRun = (sleeping?: AgentWorkflowInput['sleeping']) =>
    continueAsNew<typeof agentWorkflow>({
      agentId,
      iteration,
      memory,
      paused: flags.paused,
      thinkAttempt,
      ...(sleeping ? { sleeping } : {}),
      ...(world === undefined ? {} : { world }),
    });

  if (input.sleeping) {
    // the previous run continued as new in the middle of this sleep: finish it first
    const last = memory.at(-1);
    if (last) Object.assign(state, { lastAction: last.action, lastResult: { ok: last.ok, summary: last.summary } });
    if (await sleep(input.sleeping.plan, input.sleeping.deadline)) return continueRun(input.sleeping);
  }

  for (;;) {
    if (flags.stop) break;
    if (flags.paused) {
      setStatus('paused', 'a resume signal');
      const full = historyCut();
      await condition(() => !flags.paused || flags.stop || full());
      if (flags.paused && !flags.stop && full()) return continueRun();
      continue;
    }
    if (settings && (runIterations >= settings.maxIterationsPerRun || historyFull())) return continueRun();

    flags.balance = false;
    const readyLocally = patched(LOCAL_STEPS);
    const ready = await inOwnWorld(readyLocally, () => (readyLocally ? local() : activities()).agentReadiness({ agentId, world }));
    settings = ready.settings;
    if (ready.balances) state.balances = ready.balances;
    if (ready.status === 'missing') {
      setStatus('stopped', ready.reason);
      return ended('missing');
    }
    if (ready.status !== 'ready') {
      await waitUntilReady(ready.status, ready.until, ready.reason);
      continue;
    }
    if (ready.thinkDelayMs > 0) {
      flags.config = false;
      setStatus('sleeping', 'its think delay', Date.now() + ready.thinkDelayMs);
      const cut = await wait(ready.thinkDelayMs, () => flags.config);
      if (cut || flags.stop || flags.paused) continue; // a cut continues as new at the top
    }

    state.iteration = iteration;
    // A think that failed last time keeps saying so while it is retried.
    setStatus(state.thinkError ? 'think-failing' : 'thinking', state.thinkError ? 'a retry of a failed think' : undefined);
    flags.wake = false;
    let thought;
    try {
      thought = await inOwnWorld(false, () => activities(true).agentThink({ agentId, iteration, attempt: thinkAttempt, world }));
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
        return ended('missing');
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
        const actLocally = thought.quick === true && patched(LOCAL_STEPS);
        outcome = await inOwnWorld(actLocally, () => (actLocally ? local() : activities()).agentAct({ agentId, iteration, world }));
      } catch (e) {
        if (!(e instanceof ActivityFailure)) throw e;
        outcome = { ok: false, action: thought.action, summary: 'the action could not be run', error: { code: 'ACT_FAILED', message: errorText(e) } };
      }
    }
    remember(outcome);
    iteration++;
    runIterations++;
    state.iteration = iteration;
    if (outcome.sleep) {
      const deadline = Date.now() + outcome.sleep.seconds * 1000;
      if (await sleep(outcome.sleep, deadline)) return continueRun({ plan: outcome.sleep, deadline, settings: settings! });
    }
  }
  setStatus('stopped');
  return ended('stopped');
}
