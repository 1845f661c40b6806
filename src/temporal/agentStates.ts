import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { AGENT_STATE_QUERY, agentWorkflowId, type AgentState } from '../agents/types';

/** What the `state` query said, or why it could not say. */
export type AgentStateView =
  | { id: string; status: AgentState['status']; state: AgentState }
  /** No workflow `agent-<id>` at all (never started, or removed by retention). */
  | { id: string; status: 'no-workflow'; state: null }
  /** The query failed or timed out: no worker, Temporal unreachable, a replay taking too long. */
  | { id: string; status: 'unknown'; state: null; reason: string };

async function queryOne(client: Client, id: string, timeoutMs: number): Promise<AgentStateView> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const handle = client.workflow.getHandle(agentWorkflowId(id));
    const query = client.withDeadline(Date.now() + timeoutMs, () => handle.query<AgentState>(AGENT_STATE_QUERY));
    // The deadline covers the RPC; the race also covers a connection that never answers.
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 250)));
    const state = await Promise.race([query, late]);
    return { id, status: state.status, state };
  } catch (e) {
    if (e instanceof WorkflowNotFoundError) return { id, status: 'no-workflow', state: null };
    return { id, status: 'unknown', state: null, reason: ((e as Error).message ?? String(e)).slice(0, 300) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/**
 * Each agent's `state` query, all at once, each with its own short timeout, so one unreachable
 * workflow never holds up the others. Never throws.
 */
export async function queryAgentStates(client: Client, ids: string[], timeoutMs: number): Promise<AgentStateView[]> {
  return Promise.all(ids.map((id) => queryOne(client, id, timeoutMs)));
}
