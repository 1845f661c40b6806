import type { Pool, PoolClient } from 'pg';
import type { EcologyConfig } from '../../config/schema';
import { eventLogNow, followEvents, type FollowedEvent } from '../../events/follow';
import type { EventType } from '../../events/emit';
import { UsageError, type Command } from '../command';
import { limitOption, stringOption, wholeOption } from '../parse';
import { didYouMean } from '../suggest';
import '../../db/int8';

interface EventRow {
  seq: number;
  type: string;
  actor: string | null;
  subject: string | null;
  data: unknown;
  at: Date;
}

type Db = Pick<Pool | PoolClient, 'query'>;

const COLUMNS = 'seq, type, actor_id AS actor, subject_id AS subject, data, created_at AS at';

/** Events after `after` in order, or (after = null) the latest `limit`. */
async function readEvents(db: Db, after: number | null, types: string[] | null, limit: number): Promise<EventRow[]> {
  if (after === null) {
    const r = await db.query<EventRow>(`SELECT * FROM (SELECT ${COLUMNS} FROM events WHERE $1::text[] IS NULL OR type = ANY($1) ORDER BY seq DESC LIMIT $2) e ORDER BY seq`, [types, limit]);
    return r.rows;
  }
  return (await db.query<EventRow>(`SELECT ${COLUMNS} FROM events WHERE seq > $1 AND ($2::text[] IS NULL OR type = ANY($2)) ORDER BY seq LIMIT $3`, [after, types, limit])).rows;
}

/** Types the system emits (src/events/emit.ts and the genesis services); agents' own may add more. */
const EMITTED_TYPES: EventType[] = [
  'transfer', 'principal_created', 'artifact_created', 'artifact_updated', 'artifact_deleted', 'ownership_transferred', 'listing_opened', 'listing_closed',
  'purchase', 'quota_set', 'quota_transferred', 'compute_transferred', 'debt_offered', 'debt_accepted', 'debt_repaid', 'invocation_completed',
  'invocation_failed', 'oracle_bid_placed', 'oracle_bid_cancelled', 'oracle_resolved', 'bounty_posted', 'bounty_submitted', 'bounty_solved', 'bounty_refunded',
];

/** Every type in the log, read through its (type, seq) index one type at a time. */
async function typesInLog(db: Db): Promise<string[]> {
  const r = await db.query<{ type: string }>(
    `WITH RECURSIVE t AS (SELECT min(type) AS type FROM events
                          UNION ALL SELECT (SELECT min(type) FROM events WHERE type > t.type) FROM t WHERE t.type IS NOT NULL)
     SELECT type FROM t WHERE type IS NOT NULL`,
  );
  return r.rows.map((x) => x.type);
}

/**
 * A type neither emitted by the system nor ever seen in the log is most likely a typo: listing
 * says so (naming the known types), following warns and goes on (the type may come later).
 */
async function checkTypes(db: Db, types: string[], follow: boolean): Promise<void> {
  const known = [...new Set([...EMITTED_TYPES, ...(await typesInLog(db))])].sort();
  for (const t of types) {
    if (known.includes(t)) continue;
    const message = `unknown event type ${t}${didYouMean(t, known)}; known types: ${known.join(', ')}`;
    if (!follow) throw new UsageError(message);
    process.stderr.write(`ecology: warning: ${message} (following it anyway)\n`);
  }
}

function human(e: EventRow): string {
  const data = JSON.stringify(e.data);
  return `#${e.seq} ${e.at.toISOString().slice(0, 19)}Z ${e.type.padEnd(22)} ${e.actor ?? '-'} -> ${e.subject ?? '-'} ${data.length > 200 ? `${data.slice(0, 200)}...` : data}`;
}

/** An event as the follower reads it, in this command's output shape. */
function asRow(e: FollowedEvent): EventRow {
  return { seq: e.seq, type: e.type, actor: e.actor_id, subject: e.subject_id, data: e.data, at: e.created_at };
}

/**
 * Prints the events committed after `from` as the follower reads them (src/events/follow.ts), except
 * those in `printed` (the backlog, read after `from`). Ends on SIGINT/SIGTERM.
 */
async function follow(config: EcologyConfig, pool: Pool, from: string, printed: Set<number>, types: string[] | null, out: (e: EventRow) => void): Promise<void> {
  const follower = followEvents(pool, {
    from,
    types: types ?? undefined,
    intervalMs: config.events.pollMs,
    batch: config.events.batch,
    onEvents: (events) => {
      for (const e of events) if (!printed.has(e.seq)) out(asRow(e));
    },
    log: (m) => process.stderr.write(`${m}\n`),
  });
  await new Promise<void>((resolve) => {
    const end = () => {
      process.off('SIGINT', end);
      process.off('SIGTERM', end);
      resolve();
    };
    process.on('SIGINT', end);
    process.on('SIGTERM', end);
  });
  await follower.stop();
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
    if (types) await checkTypes(pool, types, ctx.options.follow === true);
    if (ctx.options.follow !== true) {
      const backlog = await readEvents(pool, after, types, limit);
      ctx.print({ ok: true, events: backlog, last_seq: backlog.at(-1)?.seq ?? after }, backlog.map(human).join('\n') || 'no events');
      return 0;
    }
    const out = (e: EventRow) => process.stdout.write(`${ctx.json ? JSON.stringify(e) : human(e)}\n`);
    // The point to follow from comes first: what commits while the backlog is read is in both.
    const from = await eventLogNow(pool);
    const printed = new Set<number>();
    // The latest N; or, after SEQ, all of them, N at a time.
    for (let page = await readEvents(pool, after, types, limit); ; page = await readEvents(pool, page.at(-1)!.seq, types, limit)) {
      for (const e of page) {
        printed.add(e.seq);
        out(e);
      }
      if (after === null || page.length < limit) break;
    }
    await follow(config, pool, from, printed, types, out);
    return 0;
  },
};
