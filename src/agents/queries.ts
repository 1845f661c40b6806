import type { Pool, PoolClient } from 'pg';
import '../db/int8';
import { eventVisibleToSql } from '../events/visibility';
import type { ErrorInfo } from '../errors';

/** Plain SQL for agent_actions and agent_subscriptions (the loop's statements named: prepared once per connection). */

type Db = Pool | PoolClient;

export type ActionStatus = 'thinking' | 'ready' | 'invalid' | 'done' | 'failed';

export interface ActionRow {
  key: string;
  agent_id: string;
  iteration: number;
  status: ActionStatus;
  attempt: number;
  prompt: unknown;
  llm_key: string | null;
  action_type: string | null;
  action: unknown;
  reasoning: string | null;
  raw_output: string | null;
  error: ErrorInfo | null;
  result: unknown;
  summary: string | null;
  cost_micros: number;
  tokens: number;
  created_at: Date;
  thought_at: Date | null;
  acted_at: Date | null;
}

export async function getAction(db: Db, key: string): Promise<ActionRow | undefined> {
  return (await db.query<ActionRow>({ name: 'agent_action_get', text: 'SELECT * FROM agent_actions WHERE key = $1', values: [key] })).rows[0];
}

/** Starts (or restarts with a new attempt) the think of an iteration, storing its prompt. */
export async function beginThink(db: Db, r: { key: string; agentId: string; iteration: number; attempt: number; prompt: unknown }): Promise<ActionRow> {
  const res = await db.query<ActionRow>({
    name: 'agent_action_begin_think',
    text: `INSERT INTO agent_actions (key, agent_id, iteration, status, attempt, prompt) VALUES ($1, $2, $3, 'thinking', $4, $5)
     ON CONFLICT (key) DO UPDATE SET attempt = EXCLUDED.attempt, prompt = EXCLUDED.prompt
       WHERE agent_actions.status = 'thinking' AND agent_actions.attempt <> EXCLUDED.attempt
     RETURNING *`,
    values: [r.key, r.agentId, r.iteration, r.attempt, JSON.stringify(r.prompt)],
  });
  return res.rows[0] ?? (await getAction(db, r.key))!;
}

export async function finishThink(
  db: Db,
  r: {
    key: string;
    status: 'ready' | 'invalid';
    llmKey: string;
    actionType: string | null;
    action: unknown;
    reasoning: string | null;
    rawOutput: string | null;
    error: ErrorInfo | null;
    summary: string;
    costMicros: number;
    tokens: number;
    keepPrompt: boolean;
  },
): Promise<void> {
  await db.query({
    name: 'agent_action_finish_think',
    text: `UPDATE agent_actions SET status = $2, llm_key = $3, action_type = $4, action = $5, reasoning = $6, raw_output = $7,
            error = $8, summary = $9, cost_micros = $10, tokens = $11, thought_at = now(),
            prompt = CASE WHEN $12 THEN prompt ELSE NULL END
     WHERE key = $1 AND status = 'thinking'`,
    values: [r.key, r.status, r.llmKey, r.actionType, r.action === null ? null : JSON.stringify(r.action), r.reasoning, r.rawOutput,
      r.error === null ? null : JSON.stringify(r.error), r.summary, r.costMicros, r.tokens, r.keepPrompt],
  });
}

export async function finishAct(db: Db, r: { key: string; ok: boolean; result: unknown; error: ErrorInfo | null; summary: string }): Promise<void> {
  await db.query({
    name: 'agent_action_finish_act',
    text: `UPDATE agent_actions SET status = $2, result = $3, error = $4, summary = $5, acted_at = now() WHERE key = $1 AND status = 'ready'`,
    values: [r.key, r.ok ? 'done' : 'failed', JSON.stringify(r.result ?? null), r.error === null ? null : JSON.stringify(r.error), r.summary],
  });
}

/** The agent's latest finished iterations, newest first. */
export async function recentActions(db: Db, agentId: string, limit: number): Promise<ActionRow[]> {
  return (
    await db.query<ActionRow>(
      `SELECT * FROM agent_actions WHERE agent_id = $1 AND status IN ('invalid', 'done', 'failed') ORDER BY iteration DESC LIMIT $2`,
      [agentId, limit],
    )
  ).rows;
}

export async function subscribe(db: Db, s: { key: string; agentId: string; eventType: string }): Promise<void> {
  await db.query(
    `INSERT INTO agent_subscriptions (key, agent_id, event_type, after_seq)
     VALUES ($1, $2, $3, (SELECT COALESCE(max(seq), 0) FROM events)) ON CONFLICT (key) DO NOTHING`,
    [s.key, s.agentId, s.eventType],
  );
}

export interface FiredSubscription {
  key: string;
  agent_id: string;
  event_type: string;
  seq: number;
}

/**
 * Subscriptions whose event has happened since they were made (the first such event each), of the
 * given event types or (null) of any type.
 */
export async function firedSubscriptions(db: Db, types: string[] | null, limit: number): Promise<FiredSubscription[]> {
  return (
    await db.query<FiredSubscription>(
      `SELECT s.key, s.agent_id, s.event_type, e.seq FROM agent_subscriptions s
       CROSS JOIN LATERAL (SELECT seq FROM events e WHERE e.type = s.event_type AND e.seq > s.after_seq AND ${eventVisibleToSql('s.agent_id', 'e.')} ORDER BY seq LIMIT 1) e
       WHERE $1::text[] IS NULL OR s.event_type = ANY($1)
       ORDER BY e.seq LIMIT $2`,
      [types, limit],
    )
  ).rows;
}

export async function deleteSubscriptions(db: Db, keys: string[]): Promise<void> {
  if (keys.length > 0) await db.query('DELETE FROM agent_subscriptions WHERE key = ANY($1)', [keys]);
}
