import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { act } from '../src/agents/act';
import { checkPredicate } from '../src/agents/predicate';
import { checkReadiness } from '../src/agents/readiness';
import { think } from '../src/agents/think';
import type { ActInput, ActSummary, Predicate, PredicateCheck, Readiness, ThinkInput, ThinkSummary } from '../src/agents/types';
import type { EcologyConfig } from '../src/config/schema';
import { isEcologyError } from '../src/errors';
import type { DispatchHooks } from '../src/genesis/context';
import type { InvokeOptions } from '../src/invoke/types';
import type { LlmClient } from '../src/llm/client';
import { markAgentStopped } from '../src/agents/runs';
import { agentControl } from '../src/temporal/agentWorkflows';
import { readWorldId } from '../src/world/identity';
import { businessFailures, codedFailure } from './failures';
import { heartbeating } from './heartbeat';
import { worldGuard, type InWorld } from './world';

export interface AgentActivityDeps {
  pool: Pool;
  config: EcologyConfig;
  /** Starts created agents' workflows and signals edited ones. */
  temporal: Client;
  hooks?: DispatchHooks;
  /** Sandbox / saga runner for invoke_artifact on executable artifacts (workers/sandboxWorker.ts). */
  invoke?: InvokeOptions;
  /** An OpenAI client to use instead of one made from configuration (tests). */
  openai?: LlmClient;
}

/**
 * An LLM endpoint that still fails after callLlm's own retries (unreachable, 5xx, wrong key) goes
 * to the workflow at once instead of through the activity's retries, so the agent's `state` says
 * `think-failing` with the provider's error within seconds; the workflow retries the think itself
 * after agents.errorBackoffSeconds.
 */
async function llmFailuresAtOnce<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isEcologyError(e) && e.code === 'UNAVAILABLE') throw codedFailure('LLM_UNAVAILABLE', e.message, true, e.details ?? null);
    throw e;
  }
}

/** The agent loop's activities (workflows/agent.ts): readiness, think, act, predicate checks. */
export function createAgentActivities(deps: AgentActivityDeps) {
  const inOwnWorld = worldGuard(deps.pool);
  const control = agentControl(deps.temporal, deps.config, () => readWorldId(deps.pool));
  return {
    async agentReadiness(input: { agentId: string } & InWorld): Promise<Readiness> {
      return businessFailures(() => inOwnWorld(input, () => checkReadiness(deps.pool, deps.config, input.agentId)));
    },
    async agentThink(input: ThinkInput & InWorld): Promise<ThinkSummary> {
      return businessFailures(() => inOwnWorld(input, () => llmFailuresAtOnce(() => heartbeating((live) => think({ pool: deps.pool, config: deps.config, openai: deps.openai, ...live }, input)))));
    },
    async agentAct(input: ActInput & InWorld): Promise<ActSummary> {
      return businessFailures(() => inOwnWorld(input, () => act({ pool: deps.pool, config: deps.config, control, hooks: deps.hooks, invoke: deps.invoke }, input)));
    },
    async agentCheckPredicate(input: { agentId: string; predicate: Predicate } & InWorld): Promise<PredicateCheck> {
      return businessFailures(() => inOwnWorld(input, () => checkPredicate(deps.pool, input.agentId, input.predicate)));
    },
    /** The workflow ended: its agent no longer runs (and no longer shares UBI). */
    async agentStopped(input: { agentId: string; reason: string } & InWorld): Promise<void> {
      return businessFailures(() => inOwnWorld(input, () => markAgentStopped(deps.pool, input.agentId, input.reason)));
    },
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
