/**
 * Agent status from the `state` query of each agent's workflow (`agent-<id>`, through
 * src/temporal/agentStates.ts). Temporal being unreachable or slow, or the workflow missing, shows
 * as status 'unknown' with the reason; the page keeps being served either way.
 */
import type { Client } from '@temporalio/client';
import type { AgentState } from '../agents/types';
import { displayStatus, queryAgentStates, type AgentStateView } from '../temporal/agentStates';

export interface AgentStatusView {
  status: string;
  /** Why the status is 'unknown' (no workflow, Temporal unreachable, query failed, no worker). */
  reason?: string;
  /** Why a think fails, or what a debt waits for (src/temporal/agentStates.ts displayStatus). */
  detail?: string;
  waitingFor?: string;
  until?: string;
  iteration?: number;
  lastAction?: string;
  lastResult?: AgentState['lastResult'];
  paused?: boolean;
}

export interface AgentStatusOptions {
  timeoutMs: number;
  /** Queries in flight at once. */
  concurrency: number;
  /** A debt repaid later than this shows as stuck-in-debt (agents.debtNeedsHelpSeconds). */
  needsHelpMs: number;
  /** The task queue whose worker answers the queries, to say so when none runs. */
  worker?: { taskQueue: string; staleMs: number };
}

const UNREACHABLE = 'Temporal unreachable';

function unknown(reason: string): AgentStatusView {
  return { status: 'unknown', reason };
}

function describe(message: string): string {
  if (message.startsWith('No worker')) return message;
  if (/deadline|no answer within|timed? ?out/i.test(message)) return 'no answer in time (is a worker running?)';
  if (/UNAVAILABLE|ECONNREFUSED|connect|No connection/i.test(message)) return UNREACHABLE;
  return `query failed: ${message.slice(0, 200)}`;
}

function viewOf(v: AgentStateView, needsHelpMs: number): AgentStatusView {
  if (v.status === 'no-workflow') return unknown('no workflow');
  if (v.state === null) return unknown(describe(v.reason));
  const s = v.state;
  const shown = displayStatus(v, needsHelpMs);
  return { status: shown.status, ...((shown.detail && shown.status !== s.status) || shown.status === 'think-failing' ? { detail: shown.detail ?? undefined } : {}), waitingFor: s.waitingFor, until: s.until, iteration: s.iteration, lastAction: s.lastAction, lastResult: s.lastResult, paused: s.paused };
}

/**
 * States of `agentIds` keyed by agent id, `concurrency` at a time. Once Temporal is found
 * unreachable the rest of the round is not asked (each would wait out its deadline).
 */
export async function agentStatuses(client: Client | undefined, agentIds: string[], opts: AgentStatusOptions): Promise<Map<string, AgentStatusView>> {
  const out = new Map<string, AgentStatusView>();
  let down: string | undefined = client ? undefined : 'no Temporal client';
  for (let i = 0; i < agentIds.length; i += opts.concurrency) {
    const batch = agentIds.slice(i, i + opts.concurrency);
    if (down || !client) {
      for (const id of batch) out.set(id, unknown(down ?? 'no Temporal client'));
      continue;
    }
    const views = (await queryAgentStates(client, batch, opts.timeoutMs, opts.worker)).map((v) => viewOf(v, opts.needsHelpMs));
    batch.forEach((id, k) => out.set(id, views[k]!));
    if (views.length > 0 && views.every((v) => v.reason === UNREACHABLE)) down = UNREACHABLE;
  }
  return out;
}
