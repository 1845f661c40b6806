import type { Pool, PoolClient } from 'pg';
import '../db/int8';
import type { Logger } from '../log/logger';

/** An event row as followers read it. */
export interface FollowedEvent {
  seq: number;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  data: unknown;
  created_at: Date;
}

type Db = Pick<Pool | PoolClient, 'query'>;

/**
 * Where the event log stands now, as a point to follow from: the server's snapshot (`pg_snapshot`
 * text). The events committed after it are exactly those it does not see.
 */
export async function eventLogNow(db: Db): Promise<string> {
  return (await db.query<{ now: string }>('SELECT pg_current_snapshot()::text AS now')).rows[0]!.now;
}

export interface EventFollower {
  /** Resolves once the starting point is known. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export interface FollowOptions {
  /** A point from eventLogNow(); default: when the follower starts. */
  from?: string;
  /** Only events of these types (default all). */
  types?: readonly string[];
  /** Only public events (a reader that is not an operator: the dashboard); default every event. */
  publicOnly?: boolean;
  intervalMs: number;
  /** Rows per read; a full batch is followed at once by the next read. */
  batch: number;
  /** Called with each batch, in order, one batch at a time. A throw is logged; the batch is not read again. */
  onEvents: (events: FollowedEvent[]) => void | Promise<void>;
  /** Where failed reads and handlers are said (default: nowhere). */
  logger?: Logger;
}

/*
 * Events become readable in commit order, which is not seq order: a transaction may commit after one
 * that took a higher seq. So the follower reads in (xid, seq) order, and only rows whose transaction
 * id is below the oldest transaction still running: those rows are final (their transaction and
 * every older one have ended, and every later transaction gets a higher id), so reading up to there
 * never skips a row and never reads one twice (migrations/009_events_in_commit_order.sql). Rows of a
 * transaction wait until every older transaction has ended: a long transaction delays the stream
 * behind it, it loses nothing. The first point also skips what was visible when following began.
 */
export const FOLLOW_EVENTS_SQL = `
  SELECT seq, type, actor_id, subject_id, data, created_at, xid::text AS xid_text
  FROM events
  WHERE (xid, seq) > ($1::xid8, $2::bigint)
    AND xid < pg_snapshot_xmin(pg_current_snapshot())
    AND NOT pg_visible_in_snapshot(xid, $3::pg_snapshot)
    AND ($4::text[] IS NULL OR type = ANY($4))
    AND (NOT $6::boolean OR audience IS NULL)
  ORDER BY xid, seq
  LIMIT $5`;

/**
 * Follows the event log by reading it every `intervalMs` (one cheap indexed statement), delivering
 * every event committed after the starting point exactly once. This replaces LISTEN/NOTIFY, whose
 * per-commit cost on the server's notification queue was the ledger's largest.
 */
export function followEvents(db: Db, opts: FollowOptions): EventFollower {
  let from = '';
  let cursor = { xid: '0', seq: 0 };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reading: Promise<void> | undefined;

  const readOnce = async (): Promise<boolean> => {
    const r = await db.query<FollowedEvent & { xid_text: string }>({
      name: 'follow_events',
      text: FOLLOW_EVENTS_SQL,
      values: [cursor.xid, cursor.seq, from, opts.types ?? null, opts.batch, opts.publicOnly ?? false],
    });
    const last = r.rows.at(-1);
    if (!last) return false;
    cursor = { xid: last.xid_text, seq: last.seq };
    if (stopped) return false;
    try {
      await opts.onEvents(r.rows.map(({ xid_text: _xid, ...e }) => e));
    } catch (e) {
      opts.logger?.warn(`event follower: handling events failed: ${(e as Error).message}`);
    }
    return r.rows.length === opts.batch;
  };

  /** Reads until a batch is not full, then again after the interval. */
  const read = (): void => {
    timer = undefined;
    reading = (async () => {
      let again = true;
      while (again && !stopped) {
        try {
          again = await readOnce();
        } catch (e) {
          opts.logger?.warn(`event follower: read failed: ${(e as Error).message}`);
          again = false;
        }
      }
    })().finally(() => {
      reading = undefined;
      if (!stopped) timer = setTimeout(read, opts.intervalMs);
    });
  };

  const ready = (async () => {
    // The point (now, unless given) and the oldest transaction it saw running, in one statement.
    const start = await db.query<{ point: string; xmin: string }>(
      'SELECT s::text AS point, pg_snapshot_xmin(s)::text AS xmin FROM COALESCE($1::pg_snapshot, pg_current_snapshot()) AS s',
      [opts.from ?? null],
    );
    from = start.rows[0]!.point;
    cursor = { xid: start.rows[0]!.xmin, seq: 0 };
    if (!stopped) timer = setTimeout(read, opts.intervalMs);
  })();

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
