import type { PoolClient } from 'pg';

export const EVENTS_CHANNEL = 'ecology_events';

/** Event types that state changes emit; later issues wake agents on them. */
export type EventType =
  | 'transfer'
  | 'principal_created'
  | 'artifact_created'
  | 'artifact_updated'
  | 'artifact_deleted'
  | 'ownership_transferred'
  | 'listing_opened'
  | 'listing_closed'
  | 'purchase'
  | 'quota_transferred'
  | 'compute_transferred'
  | 'debt_offered'
  | 'debt_accepted'
  | 'debt_repaid'
  | 'invocation_completed'
  | 'invocation_failed'
  | (string & {});

export interface EventInput {
  type: EventType;
  actor?: string | null;
  subject?: string | null;
  data?: Record<string, unknown>;
  /** The one principal that may see the event (with operators); absent: public. */
  audience?: string | null;
}

/** Appends an event in the caller's transaction; followers read it once it commits (follow.ts). */
export async function emit(client: PoolClient, e: EventInput): Promise<number> {
  const r = await client.query<{ seq: number }>({
    name: 'emit_event',
    text: 'INSERT INTO events (type, actor_id, subject_id, data, audience) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING seq',
    values: [e.type, e.actor ?? null, e.subject ?? null, JSON.stringify(e.data ?? {}), e.audience ?? null],
  });
  return r.rows[0].seq;
}
