import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { agentWorkflowId, type AgentState } from '../agents/types';
import { withTimeout } from '../deadline';
import { stateQuery } from '../agents/signals';
import { explainQueryFailure } from './workerPresence';

/** What the `state` query said, or why it could not say. */
export type AgentStateView =
  | { id: string; status: AgentState['status']; state: AgentState }
  /** No workflow `agent-<id>` at all (never started, or removed by retention). */
  | { id: string; status: 'no-workflow'; state: null }
  /** The query failed or timed out: no worker, Temporal unreachable, a replay taking too long. */
  | { id: string; status: 'unknown'; state: null; reason: string };

async function queryOne(client: Client, id: string, timeoutMs: number): Promise<AgentStateView> {
  try {
    const handle = client.workflow.getHandle(agentWorkflowId(id));
    const query = client.withDeadline(Date.now() + timeoutMs, () => handle.query(stateQuery));
    // The deadline covers the RPC; the race also covers a connection that never answers.
    const state = await withTimeout(query, timeoutMs + 250, `no answer within ${timeoutMs} ms`);
    return { id, status: state.status, state };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return { id, status: 'no-workflow', state: null };
    return { id, status: 'unknown', state: null, reason: ((e as Error).message ?? String(e)).slice(0, 300) };
  }
}

/**
 * Each agent's `state` query, all at once, each with its own short timeout, so one unreachable
 * workflow never holds up the others. Never throws.
 */
export async function queryAgentStates(client: Client, ids: string[], timeoutMs: number, worker?: { taskQueue: string; staleMs: number }): Promise<AgentStateView[]> {
  const views = await Promise.all(ids.map((id) => queryOne(client, id, timeoutMs)));
  const failed = views.find((v) => v.status === 'unknown');
  if (!worker || !failed || failed.status !== 'unknown') return views;
  // One look at the task queue explains every failed query: usually that no worker runs.
  const why = await explainQueryFailure(client, worker.taskQueue, worker.staleMs, failed.reason);
  return why.noWorker ? views.map((v) => (v.status === 'unknown' ? { ...v, reason: why.message } : v)) : views;
}

/**
 * The status people see (CLI, dashboard, summary), with why, from the `state` query. An agent in
 * debt is either `refilling` (accrual repays it within `needsHelpMs`: the normal throttle) or
 * `stuck-in-debt` (no accrual, or a debt no rate repays soon: it needs a transfer); a failing think
 * and an unknown status say why.
 */
export function displayStatus(v: AgentStateView, needsHelpMs: number, now = Date.now()): { status: string; detail: string | null } {
  if (v.status === 'unknown') return { status: 'unknown', detail: v.reason };
  if (v.status === 'no-workflow') return { status: 'no-workflow', detail: null };
  const s = v.state;
  if (s.status === 'think-failing') return { status: 'think-failing', detail: s.thinkError ?? null };
  if (s.status === 'frozen-in-debt') {
    const recovers = s.recoversAt ? Date.parse(s.recoversAt) : NaN;
    if (Number.isFinite(recovers) && recovers - now <= needsHelpMs) return { status: 'refilling', detail: `${s.waitingFor ?? 'its bucket to refill'}; acts again by ${s.recoversAt}` };
    return { status: 'stuck-in-debt', detail: `${s.waitingFor ?? 'in debt'}; ${Number.isFinite(recovers) ? `accrual repays it only at ${s.recoversAt}` : 'nothing refills it'}: transfer it compute or tokens` };
  }
  return { status: s.status, detail: s.waitingFor ?? null };
}

/** "status: detail", as one column of text. */
export function statusLabel(v: AgentStateView, needsHelpMs: number, now = Date.now()): string {
  const d = displayStatus(v, needsHelpMs, now);
  return d.detail && (d.status === 'unknown' || d.status === 'think-failing' || d.status === 'stuck-in-debt') ? `${d.status}: ${d.detail}` : d.status;
}
