import { Client as PgClient, type Pool } from 'pg';
import type { EcologyConfig } from '../../config/schema';
import { EVENTS_CHANNEL } from '../../events/emit';
import type { Command } from '../command';
import { limitOption, stringOption, wholeOption } from '../parse';
import '../../db/int8';

interface EventRow {
  seq: number;
  type: string;
  actor: string | null;
  subject: string | null;
  data: unknown;
  at: Date;
}

type Db = Pick<PgClient, 'query'>;

const COLUMNS = 'seq, type, actor_id AS actor, subject_id AS subject, data, created_at AS at';

/** Events after `after` in order, or (after = null) the latest `limit`. */
async function readEvents(db: Db, after: number | null, types: string[] | null, limit: number): Promise<EventRow[]> {
  if (after === null) {
    const r = await db.query<EventRow>(`SELECT * FROM (SELECT ${COLUMNS} FROM events WHERE $1::text[] IS NULL OR type = ANY($1) ORDER BY seq DESC LIMIT $2) e ORDER BY seq`, [types, limit]);
    return r.rows;
  }
  return (await db.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE seq > $1 AND ($2::text[] IS NULL OR type = ANY($2)) ORDER BY seq LIMIT $3`, [after, types, limit])).rows;
}

function human(e: EventRow): string {
  const data = JSON.stringify(e.data);
  return `#${e.seq} ${e.at.toISOString().slice(0, 19)}Z ${e.type.padEnd(22)} ${e.actor ?? '-'} -> ${e.subject ?? '-'} ${data.length > 200 ? `${data.slice(0, 200)}...` : data}`;
}

/**
 * Prints new events as they commit: LISTEN on ecology_events, then a read after the last printed
 * seq. A transaction may commit after one with a higher seq, so each read looks back a little
 * (`lookback` seqs) and skips what was printed. Also reads every `sweepMs` (a lost notification,
 * a reconnect). Ends on SIGINT/SIGTERM. The embedded database has no LISTEN and one connection:
 * there it only reads every `sweepMs`, through the pool.
 */
async function follow(config: EcologyConfig, pool: Pool, first: number, seen: number[], types: string[] | null, limit: number, out: (e: EventRow) => void): Promise<void> {
  const lookback = limit;
  const printed = new Set<number>(seen);
  let cursor = first;
  let stopping = false;
  let wake: (() => void) | null = null;
  const nudge = () => wake?.();
  const onSignal = () => {
    stopping = true;
    nudge();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let db: PgClient | null = null;
  try {
    while (!stopping) {
      try {
        if (!db && config.database.mode !== 'embedded') {
          db = new PgClient({ connectionString: config.database.url });
          db.on('error', () => undefined);
          db.on('notification', nudge);
          db.on('end', () => {
            db = null;
            nudge();
          });
          await db.connect();
          await db.query(`LISTEN ${EVENTS_CHANNEL}`);
        }
        const rows = await readEvents(db ?? pool, Math.max(0, cursor - lookback), types, limit + lookback);
        for (const e of rows) {
          if (e.seq <= cursor - lookback || printed.has(e.seq)) continue;
          printed.add(e.seq);
          out(e);
          cursor = Math.max(cursor, e.seq);
        }
        for (const s of printed) if (s <= cursor - lookback) printed.delete(s);
        if (rows.length >= limit + lookback) continue; // more to read at once
      } catch {
        await db?.end().catch(() => undefined);
        db = null;
        await new Promise((r) => setTimeout(r, config.agents.relay.reconnectMs));
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, config.agents.relay.sweepMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await (db as PgClient | null)?.end().catch(() => undefined);
  }
}

export const eventsCommand: Command = {
  name: 'events',
  usage: 'events [--follow] [--after SEQ] [--types a,b] [--limit N]',
  summary: 'the event log: the latest N, or those after SEQ; --follow prints new ones as they commit (one JSON object per line with --json)',
  valueOptions: ['after', 'types', 'limit'],
  flagOptions: ['follow'],
  async run(ctx) {
    const config = ctx.config();
    const limit = limitOption(ctx.options.limit, config.limits.defaultListLimit, config.limits.maxListLimit);
    const after = ctx.options.after === undefined ? null : wholeOption(ctx.options.after, 'after', 0);
    const typesText = stringOption(ctx.options.types, 'types');
    const types = typesText ? typesText.split(',').map((t) => t.trim()).filter(Boolean) : null;
    const pool = await ctx.pool();
    const backlog = await readEvents(pool, after, types, limit);
    if (ctx.options.follow !== true) {
      ctx.print({ ok: true, events: backlog, last_seq: backlog.at(-1)?.seq ?? after }, backlog.map(human).join('\n') || 'no events');
      return 0;
    }
    const out = (e: EventRow) => process.stdout.write(`${ctx.json ? JSON.stringify(e) : human(e)}\n`);
    backlog.forEach(out);
    const start = backlog.at(-1)?.seq ?? after ?? (await pool.query<{ seq: number }>('SELECT COALESCE(max(seq), 0) AS seq FROM events')).rows[0]!.seq;
    // What is there now up to `start` counts as printed; only later commits are new.
    const seen = (await readEvents(pool, Math.max(0, start - limit), types, 2 * limit)).map((e) => e.seq).filter((seq) => seq <= start);
    await follow(config, pool, start, seen, types, limit, out);
    return 0;
  },
};
