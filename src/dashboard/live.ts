/**
 * The live hub: ONE follower of the event log (src/events/follow.ts, a read every events.pollMs)
 * and ONE periodic snapshot per server process, fanned out to every open page. A page that connects
 * gets the last snapshot and the recent events from memory, so the database's cost depends on the
 * intervals and on how many events happen, never on how many pages are open. The hub runs only
 * while at least one page is open.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { eventLogNow, followEvents, type EventFollower } from '../events/follow';
import type { EventView } from '../events/view';
import type { Logger } from '../log/logger';
import type { AgentStatusView } from './agentStatus';
import type { QueryCounter } from './counter';
import { latestEvents, type EventRow } from './queries';
import { readFast, readOnly, readSlow, snapshotOf, statusesOf, type SlowSections } from './views';

/** One open page's stream. `send` returns false when the page was dropped (too far behind). */
export interface Subscriber {
  send(event: string, data: string): boolean;
}

export type StreamEvent = EventView;

export interface LiveStats {
  streams: number;
  /** Followers of the event log: 1 while any page is open, else 0. */
  followers: number;
  /** Whether the hub is running or still winding down (a tick in flight); false once fully idle. */
  active: boolean;
  ticks: number;
  slow_ticks: number;
  last_event_seq: number;
}

export interface LiveHubDeps {
  pool: Pool;
  config: EcologyConfig;
  temporal?: Client;
  counter: QueryCounter;
  logger: Logger;
}

/** An event as the stream sends it: its data cut to a size a page can show. */
export function streamEvent(e: EventRow, maxDataChars: number): StreamEvent {
  const text = JSON.stringify(e.data ?? {});
  const data = text.length > maxDataChars ? { truncated: true, preview: text.slice(0, maxDataChars) } : e.data;
  return { seq: e.seq, type: e.type, actor_id: e.actor_id, subject_id: e.subject_id, data, created_at: new Date(e.created_at).toISOString() };
}

export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly cfg: EcologyConfig['dashboard'];
  private running = false;
  private stopping: Promise<void> | undefined;
  private follower: EventFollower | undefined;
  private following: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private nextTickAt = 0;
  private lastTickAt = 0;
  private ticking: Promise<void> | undefined;
  private tickSoon = false;
  private lastSnapshot: string | undefined;
  private slow: SlowSections | undefined;
  private slowAt = 0;
  private states = new Map<string, AgentStatusView>();
  private backlog: StreamEvent[] = [];
  private maxSeq = 0;
  private generation = 0;
  private readonly counts = { ticks: 0, slow_ticks: 0 };

  constructor(private readonly deps: LiveHubDeps) {
    this.cfg = deps.config.dashboard;
  }

  stats(): LiveStats {
    return {
      streams: this.subscribers.size,
      followers: this.follower ? 1 : 0,
      active: this.running || this.stopping !== undefined,
      ...this.counts,
      last_event_seq: this.maxSeq,
    };
  }

  /** Adds a page: it gets the last snapshot and the recent events at once. Returns its removal. */
  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s);
    if (!this.running) this.start();
    else {
      if (this.lastSnapshot) s.send('snapshot', this.lastSnapshot);
      if (this.backlog.length) s.send('events', JSON.stringify(this.backlog));
    }
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0) void this.stop();
    };
  }

  /** Stops everything (the server is closing, or the last page left). */
  stop(): Promise<void> {
    if (!this.running) return this.stopping ?? Promise.resolve();
    this.running = false;
    this.stopping = this.teardown().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async teardown(): Promise<void> {
    this.generation += 1;
    clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    this.lastSnapshot = undefined;
    this.slow = undefined;
    this.backlog = [];
    this.maxSeq = 0;
    // No follower of this generation can start after the bump above (follow() checks it).
    const follower = this.follower;
    this.follower = undefined;
    await Promise.allSettled([follower?.stop(), this.ticking]);
  }

  private start(): void {
    this.running = true;
    ++this.generation;
    void this.follow().finally(() => this.scheduleTick(0));
  }

  /** Reads the recent events and follows the log from there (again at a later tick if that failed). */
  private follow(): Promise<void> {
    const generation = this.generation;
    this.following ??= (async () => {
      const db = this.deps.counter.wrap(this.deps.pool, 'events');
      try {
        // The point to follow from comes before the backlog: what commits in between is in both,
        // and accept() keeps one of each.
        const from = await eventLogNow(db);
        const rows = await latestEvents(db, this.cfg.events.backlog);
        if (generation !== this.generation) return;
        this.accept(rows);
        this.follower = followEvents(db, {
          from,
          publicOnly: true,
          intervalMs: this.deps.config.events.pollMs,
          batch: this.deps.config.events.batch,
          onEvents: (events) => this.onEvents(generation, events),
          logger: this.deps.logger,
        });
      } catch (e) {
        this.deps.logger.warn(`dashboard: reading recent events failed: ${(e as Error).message}`);
      }
    })().finally(() => {
      this.following = undefined;
    });
    return this.following;
  }

  private onEvents(generation: number, rows: EventRow[]): void {
    if (generation !== this.generation) return;
    this.accept(rows);
    // Balances and listings changed: bring the next snapshot forward (never closer than minSnapshotGapMs).
    this.scheduleTick(Math.max(0, this.lastTickAt + this.cfg.minSnapshotGapMs - Date.now()));
  }

  private accept(rows: EventRow[]): void {
    const known = new Set(this.backlog.map((e) => e.seq));
    const fresh = rows.filter((r) => !known.has(r.seq)).map((r) => streamEvent(r, this.cfg.events.maxDataChars));
    if (fresh.length === 0) return;
    for (const e of fresh) this.maxSeq = Math.max(this.maxSeq, e.seq);
    this.backlog = [...this.backlog, ...fresh].sort((a, b) => a.seq - b.seq).slice(-this.cfg.events.backlog);
    this.broadcast('events', JSON.stringify(fresh));
  }

  private broadcast(event: string, data: string): void {
    for (const s of [...this.subscribers]) s.send(event, data);
  }

  /** Runs the next tick in `delayMs`, unless one is already due sooner. */
  private scheduleTick(delayMs: number): void {
    if (!this.running) return;
    const at = Date.now() + delayMs;
    if (this.tickTimer && this.nextTickAt <= at) return;
    clearTimeout(this.tickTimer);
    this.nextTickAt = at;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      if (this.ticking) {
        // Asked for while a tick runs (an event arrived): one more as soon as the gap allows.
        this.tickSoon = true;
        return;
      }
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        const soon = this.tickSoon;
        this.tickSoon = false;
        this.scheduleTick(soon ? this.cfg.minSnapshotGapMs : this.cfg.pollIntervalMs);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const generation = this.generation;
    const started = Date.now();
    this.lastTickAt = started;
    const slowDue = !this.slow || started - this.slowAt >= this.cfg.slowPollIntervalMs;
    try {
      const { config, pool, counter } = this.deps;
      const read = await readOnly(pool, counter, 'snapshot', async (db) => ({
        fast: await readFast(db, config),
        slow: slowDue || !this.slow ? await readSlow(db, config) : this.slow,
      }));
      if (generation !== this.generation) return;
      this.counts.ticks += 1;
      if (slowDue) {
        this.counts.slow_ticks += 1;
        this.slow = read.slow;
        this.slowAt = started;
      }
      this.states = await statusesOf(this.deps.temporal, config, read.fast.agents);
      if (generation !== this.generation) return;
      this.lastSnapshot = JSON.stringify(snapshotOf(config, read.fast, read.slow, this.states, new Date()));
      this.broadcast('snapshot', this.lastSnapshot);
      if (!this.follower) void this.follow();
    } catch (e) {
      this.deps.logger.warn(`dashboard: snapshot failed: ${(e as Error).message}`);
      this.broadcast('problem', JSON.stringify({ message: `cannot read the database: ${(e as Error).message}`, at: new Date().toISOString() }));
    }
  }
}
