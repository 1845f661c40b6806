/**
 * Which agents' workflows run (table agent_runs): the readiness check marks an agent running, its
 * workflow's end marks it stopped. UBI is shared only among running agents (src/oracle/queries.ts).
 */
import type { Pool } from 'pg';
import { worldMismatch } from '../world/identity';

/** Records that the agent's workflow ended ('stopped' or 'missing'). Idempotent. */
export async function markAgentStopped(pool: Pool, agentId: string, reason: string): Promise<void> {
  await pool.query('UPDATE agent_runs SET stopped_at = now(), stop_reason = $2 WHERE agent_id = $1 AND stopped_at IS NULL', [agentId, reason]);
}

/**
 * An agent is "missing" for its workflow only when this world recorded it: the artifact is here but
 * is no longer an agent, or its deletion is in the event log. An id this world never had is another
 * world's agent whose task reached this world's worker: refused (WORLD_MISMATCH), so that its own
 * world's worker takes the task, instead of ending the workflow.
 */
export async function confirmGone(pool: Pool, agentId: string): Promise<void> {
  const r = await pool.query<{ recorded: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM artifacts WHERE id = $1)
         OR EXISTS (SELECT 1 FROM events WHERE type = 'artifact_deleted' AND subject_id = $1) AS recorded`,
    [agentId],
  );
  if (!r.rows[0].recorded) {
    throw worldMismatch(`agent ${agentId} is unknown to this world (no artifact, no recorded deletion): its workflow belongs to another world`);
  }
}
