import type { Pool } from 'pg';
import '../db/int8';
import type { ErrorInfo } from '../errors';

/** One finished agent action, as `ecology up --follow` prints it. */
export interface FinishedAction {
  key: string;
  agent_id: string;
  iteration: number;
  status: 'invalid' | 'done' | 'failed';
  action_type: string | null;
  summary: string | null;
  error: ErrorInfo | null;
  at: Date;
}

/** Where a feed has read up to: the finish time and key of the last action it returned. */
export interface FeedCursor {
  at: Date;
  key: string;
}

/**
 * Actions finished after `cursor`, oldest first (agent_actions_finished_idx). A display feed: an
 * action whose transaction commits after a later-stamped one is already past may be skipped.
 */
export async function actionsAfter(pool: Pool, cursor: FeedCursor, limit: number): Promise<FinishedAction[]> {
  const r = await pool.query<FinishedAction>(
    `SELECT key, agent_id, iteration, status, action_type, summary, error, COALESCE(acted_at, thought_at) AS at
       FROM agent_actions
      WHERE status IN ('invalid', 'done', 'failed') AND (COALESCE(acted_at, thought_at), key) > ($1, $2)
      ORDER BY COALESCE(acted_at, thought_at), key
      LIMIT $3`,
    [cursor.at, cursor.key, limit],
  );
  return r.rows;
}

/** "12:00:01 alice #3 write_artifact ok: created alice_tool", at most `maxChars`. */
export function actionLine(a: FinishedAction, maxChars: number): string {
  const outcome = a.status === 'done' ? 'ok' : a.status;
  const what = a.summary ?? a.error?.message ?? '';
  const line = `${a.at.toISOString().slice(11, 19)} ${a.agent_id} #${a.iteration} ${a.action_type ?? 'invalid output'} ${outcome}${what ? `: ${what}` : ''}`;
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}
