import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  condition,
  continueAsNew,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { EcologyActivities } from '../activities/ecology';
import { agentWorkflowId } from '../src/agents/types';
import {
  type AgentSpec,
  type EcologyCarry,
  type EcologyResult,
  type EcologySettings,
  type EcologySummary,
  type EcologyWorkflowInput,
  type ShutdownRequest,
  type SpawnRecord,
} from '../src/ecology/types';
import { agentWorkflow } from './agent';
import { activityOptions, failureText } from './common';
import { shutdownSignal, spawnAgentSignal, summaryQuery } from '../src/ecology/signals';
import { untilOwnWorld } from './world';

/** Options of the bootstrap only: later activities use the settings it returns from configuration. */
const BOOTSTRAP_OPTIONS: ActivityOptions = { startToCloseTimeout: '2 minutes', retry: { maximumInterval: '30 seconds' } };

/** Failures as the summary shows them (spawn records, lastError). */
const failure = (e: unknown) => failureText(e, { maxChars: 500 });

/**
 * The world's root. Startable from the Temporal UI (type `ecologyWorkflow`, task queue `ecology`)
 * with an empty input (the configured agents) or `{agents: [{id, system_prompt?, model?, scrip?,
 * compute?}]}`. It bootstraps idempotently (genesis, the treasury's issuance, the initial agents with
 * minted scrip, the `oracle-resolution` and `metrics-window` Schedules), starts each initial agent's
 * `agent-<id>` workflow as a child that outlives it (ABANDON; one already running is fine), then
 * stays: `spawnAgent` creates an agent paid by the treasury and starts it; `shutdown` ends the root
 * (agents keep running unless {stopAgents: true}); `summary` answers from a periodic read of the
 * world. Continues as new when the history grows.
 */
export async function ecologyWorkflow(input?: EcologyWorkflowInput | null): Promise<EcologyResult> {
  const carry: EcologyCarry | undefined = input?.carry;
  const pending: AgentSpec[] = [...(carry?.pending ?? [])];
  let shutdown: ShutdownRequest | null = null;
  const summary: EcologySummary = {
    status: carry ? 'running' : 'bootstrapping',
    runs: carry?.runs ?? 0,
    bootstrap: carry?.bootstrap ?? null,
    children: carry?.children ?? { started: [], alreadyRunning: [] },
    world: carry?.world ?? null,
    spawns: carry?.spawns ?? [],
    pendingSpawns: pending.map((p) => String(p?.id)),
    lastError: null,
  };

  setHandler(summaryQuery, () => summary);
  setHandler(spawnAgentSignal, (spec) => {
    pending.push(spec);
    summary.pendingSpawns = pending.map((p) => String(p?.id));
  });
  // The first shutdown wins; a later one may still ask to stop the agents.
  setHandler(shutdownSignal, (req) => void (shutdown = { stopAgents: Boolean(shutdown?.stopAgents || req?.stopAgents) }));

  let settings: EcologySettings;
  let worldId = carry?.worldId ?? input?.world;
  if (carry) {
    settings = carry.settings;
  } else {
    const boot = await proxyActivities<EcologyActivities>(BOOTSTRAP_OPTIONS).ecologyBootstrap({ agents: input?.agents ?? null, world: worldId });
    settings = boot.settings;
    worldId = boot.worldId;
    summary.bootstrap = boot.report;
    const started = await Promise.all(boot.agents.map((id) => startAgent(id, worldId)));
    summary.children = {
      started: boot.agents.filter((_, i) => started[i] === 'started'),
      alreadyRunning: boot.agents.filter((_, i) => started[i] === 'already-running'),
    };
    summary.status = 'running';
  }
  const acts = proxyActivities<EcologyActivities>(activityOptions(settings.activities));

  const record = (r: SpawnRecord) => {
    summary.spawns = [...summary.spawns, r].slice(-settings.maxSpawnRecords);
  };

  async function spawnOne(spec: AgentSpec): Promise<void> {
    const at = new Date().toISOString();
    const id = typeof spec?.id === 'string' ? spec.id : String(spec?.id);
    let outcome;
    try {
      outcome = await untilOwnWorld(() => acts.ecologySpawnAgent({ spec, world: worldId }), settings.activities.maximumIntervalMs);
    } catch (e) {
      return record({ id, ok: false, at, error: { code: 'UNAVAILABLE', message: failure(e) } });
    }
    if (!outcome.ok) return record({ id, ok: false, at, error: outcome.error });
    try {
      const workflow = await startAgent(outcome.id, worldId);
      record({ id, ok: true, at, scrip: outcome.scrip, compute: outcome.compute, workflow });
    } catch (e) {
      record({ id, ok: false, at, scrip: outcome.scrip, compute: outcome.compute, error: { code: 'WORKFLOW_NOT_STARTED', message: failure(e) } });
    }
  }

  let refreshes = 0;
  let nextRefreshAt = Date.now();
  for (;;) {
    let spawned = false;
    while (pending.length > 0) {
      await spawnOne(pending[0]!);
      pending.shift();
      summary.pendingSpawns = pending.map((p) => String(p?.id));
      spawned = true;
    }
    if (shutdown) break;
    if (spawned || Date.now() >= nextRefreshAt) {
      try {
        summary.world = await acts.ecologySnapshot({ world: worldId });
        summary.lastError = null;
      } catch (e) {
        summary.lastError = failure(e);
      }
      refreshes++;
      nextRefreshAt = Date.now() + settings.summaryRefreshSeconds * 1000;
    }
    if ((refreshes >= settings.maxRefreshesPerRun || workflowInfo().continueAsNewSuggested) && pending.length === 0 && !shutdown) {
      const next: EcologyCarry = { runs: summary.runs + 1, settings, bootstrap: summary.bootstrap, children: summary.children, spawns: summary.spawns, pending: [], world: summary.world, worldId };
      return continueAsNew<typeof ecologyWorkflow>({ carry: next });
    }
    await condition(() => pending.length > 0 || shutdown !== null, Math.max(1, nextRefreshAt - Date.now()));
  }

  const stopAgents = (shutdown as ShutdownRequest | null)?.stopAgents === true;
  let agentsStopped: number | null = null;
  if (stopAgents) agentsStopped = await untilOwnWorld(() => acts.ecologyStopAgents({ world: worldId }), settings.activities.maximumIntervalMs);
  summary.status = 'stopped';
  summary.pendingSpawns = [];
  return { stopped: true, agentsStopped, summary };
}

/** Starts `agent-<id>` as a child that outlives the root; one already running is left alone. */
async function startAgent(agentId: string, world: string | undefined): Promise<'started' | 'already-running'> {
  try {
    await startChild(agentWorkflow, {
      workflowId: agentWorkflowId(agentId),
      args: [world === undefined ? { agentId } : { agentId, world }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A finished agent (stopped, or its artifact was gone) starts afresh, as `ecology worker --start-agents` does.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return 'started';
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return 'already-running';
    throw e;
  }
}
