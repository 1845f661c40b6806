/**
 * The live hub: ONE database listener (LISTEN ecology_events) and ONE periodic snapshot per server
 * process, fanned out to every open page. A page that connects gets the last snapshot and the recent
 * events from memory, so the database's cost depends on the poll interval and on how many events
 * happen, never on how many pages are open. The hub runs only while at least one page is open.
 * With the embedded database (one connection, no LISTEN) it holds no listener: events arrive with
 * the snapshot ticks (pollIntervalMs).
 */
import type { Client } from '@temporalio/client';
import type { Notification, Pool, PoolClient } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { EVENTS_CHANNEL } from '../events/emit';
import type { EventView } from '../events/view';
import type { AgentStatusView } from './agentStatus';
import type { QueryCounter } from './counter';
import { latestEvents, notifiedEvents, type EventRow } from './queries';
import { readFast, readOnly, readSlow, snapshotOf, statusesOf, type SlowSections } from './views';

/** One open page's stream. `send` returns false when the page was dropped (too far behind). */
export interface Subscriber {
  send(event: string, data: string): boolean;
}

export type StreamEvent = EventView;

export interface LiveStats {
  streams: number;
  /** Database connections held for LISTEN: 1 while any page is open, else 0. */
  listeners: number;
  /** Whether the hub is running or still winding down (a tick in flight); false once fully idle. */
  active: boolean;
  ticks: number;
  slow_ticks: number;
  event_reads: number;
  /** LISTEN statements issued: one per start, plus one per reconnect. */
  listens: number;
  last_event_seq: number;
}

export interface LiveHubDeps {
  pool: Pool;
  config: EcologyConfig;
  temporal?: Client;
  counter: QueryCounter;
  log: (message: string) => void;
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
  private listener: PoolClient | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
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
  private pendingSeqs = new Set<number>();
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private lastReadAt = 0;
  private generation = 0;
  private readonly detachers = new WeakMap<PoolClient, () => void>();
  private readonly counts = { ticks: 0, slow_ticks: 0, event_reads: 0, listens: 0 };

  constructor(private readonly deps: LiveHubDeps) {
    this.cfg = deps.config.dashboard;
  }

  stats(): LiveStats {
    return {
      streams: this.subscribers.size,
      listeners: this.listener ? 1 : 0,
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
    clearTimeout(this.reconnectTimer);
    this.tickTimer = this.reconnectTimer = undefined;
    this.lastSnapshot = undefined;
    this.slow = undefined;
    this.backlog = [];
    this.maxSeq = 0;
    this.pendingSeqs.clear();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await this.releaseListener(listener);
    await Promise.allSettled([this.ticking, this.reading]);
  }

  private start(): void {
    this.running = true;
    const generation = ++this.generation;
    void (async () => {
      // LISTEN before reading the backlog: an event committed in between is notified, not lost.
      // The embedded database has no LISTEN (one session): there each tick reads the new events.
      if (this.deps.config.database.mode !== 'embedded') await this.listen(generation);
      if (generation !== this.generation) return;
      try {
        const rows = await latestEvents(this.deps.counter.wrap(this.deps.pool, 'events'), this.cfg.events.backlog);
        this.counts.event_reads += 1;
        if (generation === this.generation) this.accept(rows);
      } catch (e) {
        this.deps.log(`dashboard: reading recent events failed: ${(e as Error).message}`);
      }
      this.scheduleTick(0);
    })();
  }

  private async listen(generation: number): Promise<void> {
    let client: PoolClient | undefined;
    const onNotification = (m: Notification) => this.onNotification(m);
    const onError = (e: Error) => this.onListenerLost(generation, e);
    try {
      client = await this.deps.pool.connect();
      client.on('notification', onNotification);
      client.on('error', onError);
      // The handlers go with the connection: a pooled client must not keep them once released.
      const c = client;
      this.detachers.set(c, () => {
        c.off('notification', onNotification);
        c.off('error', onError);
      });
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      this.counts.listens += 1;
      if (generation !== this.generation) {
        await this.releaseListener(client);
        return;
      }
      this.listener = client;
    } catch (e) {
      if (client) await this.releaseListener(client, e as Error);
      this.onListenerLost(generation, e as Error);
    }
  }

  /** UNLISTEN and give the connection back (or drop it when it failed). */
  private async releaseListener(client: PoolClient, failed?: Error): Promise<void> {
    this.detachers.get(client)?.();
    this.detachers.delete(client);
    if (failed) {
      client.release(failed);
      return;
    }
    await client.query(`UNLISTEN ${EVENTS_CHANNEL}`).then(
      () => client.release(),
      (e: Error) => client.release(e),
    );
  }

  private onListenerLost(generation: number, e: Error): void {
    if (generation !== this.generation || !this.running) return;
    this.deps.log(`dashboard: event listener lost (${e.message}); retrying in ${this.cfg.reconnectMs} ms`);
    const lost = this.listener;
    this.listener = undefined;
    if (lost) void this.releaseListener(lost, e);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      // Events missed meanwhile are read on the next tick (it compares the last seq).
      void this.listen(generation);
    }, this.cfg.reconnectMs);
  }

  private onNotification(m: Notification): void {
    try {
      const p = JSON.parse(m.payload ?? '{}') as { seq?: unknown };
      if (typeof p.seq === 'number' && this.pendingSeqs.size < this.cfg.events.batchLimit * 10) this.pendingSeqs.add(p.seq);
    } catch {
      // A payload we cannot read: the read below still finds the event by seq > last seen.
    }
    this.readEvents();
    // Balances and listings changed: bring the next snapshot forward (never closer than minSnapshotGapMs).
    this.scheduleTick(Math.max(0, this.lastTickAt + this.cfg.minSnapshotGapMs - Date.now()));
  }

  /** Coalesced: one read at a time, spaced by minFetchGapMs, and one more if events arrived meanwhile. */
  private readEvents(): void {
    if (!this.running) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    const generation = this.generation;
    this.reading = (async () => {
      do {
        this.readAgain = false;
        const wait = this.lastReadAt + this.cfg.events.minFetchGapMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (generation !== this.generation) return;
        const seqs = [...this.pendingSeqs];
        this.pendingSeqs.clear();
        this.lastReadAt = Date.now();
        try {
          const rows = await notifiedEvents(this.deps.counter.wrap(this.deps.pool, 'events'), seqs, this.maxSeq, this.cfg.events.batchLimit);
          this.counts.event_reads += 1;
          if (generation !== this.generation) return;
          const got = new Set(rows.map((r) => r.seq));
          for (const s of seqs) if (!got.has(s) && s > this.maxSeq) this.pendingSeqs.add(s);
          this.accept(rows);
          if (rows.length === this.cfg.events.batchLimit) this.readAgain = true;
        } catch (e) {
          this.deps.log(`dashboard: reading events failed: ${(e as Error).message}`);
          for (const s of seqs) this.pendingSeqs.add(s);
        }
      } while (this.readAgain && this.running);
    })().finally(() => {
      this.reading = undefined;
    });
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
      // Events whose notification was missed (listener reconnecting): read them now.
      if (read.fast.figures.last_event_seq > this.maxSeq) this.readEvents();
    } catch (e) {
      this.deps.log(`dashboard: snapshot failed: ${(e as Error).message}`);
      this.broadcast('problem', JSON.stringify({ message: `cannot read the database: ${(e as Error).message}`, at: new Date().toISOString() }));
    }
  }
}
