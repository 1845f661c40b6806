import type { Pool } from 'pg';
import '../db/int8';

/** What a notification on `ecology_events` carries (see NOTIFY_EVENT_SQL in emit.ts). */
export interface PolledEvent {
  seq: number;
  type: string;
  subject: string | null;
}

export interface EventPoller {
  /** Resolves once the starting point (the newest event now) is known. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const BATCH = 1000;

/**
 * Follows the events table by reading it every `intervalMs`: the stand-in for LISTEN where there is
 * none (the embedded database has one session, and a LISTEN on it would be heard by whichever
 * connection committed). Calls `onEvent` for every event committed after the start, in seq order.
 * Only for a single-session database, where seq order is commit order, so nothing is skipped.
 */
export function pollEvents(pool: Pool, opts: { intervalMs: number; onEvent: (e: PolledEvent) => void; log?: (message: string) => void }): EventPoller {
  let cursor = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;

  const readOnce = async (): Promise<number> => {
    const r = await pool.query<PolledEvent>('SELECT seq, type, subject_id AS subject FROM events WHERE seq > $1 ORDER BY seq LIMIT $2', [cursor, BATCH]);
    for (const e of r.rows) {
      cursor = e.seq;
      if (!stopped) opts.onEvent(e);
    }
    return r.rows.length;
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      reading = readOnce().then(
        (n) => schedule(n === BATCH ? 0 : opts.intervalMs),
        (e: Error) => {
          opts.log?.(`event poller: read failed: ${e.message}`);
          schedule(opts.intervalMs);
        },
      );
    }, ms);
  };

  const ready = pool.query<{ seq: number }>('SELECT COALESCE(max(seq), 0) AS seq FROM events').then((r) => {
    cursor = r.rows[0].seq;
    schedule(opts.intervalMs);
  });

  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ready.catch(() => undefined);
      clearTimeout(timer);
      await reading;
    },
  };
}
