import { Client as PgClient, type Notification, type Pool } from 'pg';
import type { Client } from '@temporalio/client';
import type { EcologyConfig } from '../config/schema';
import { EVENTS_CHANNEL } from '../events/emit';
import { pollEvents, type EventPoller } from '../events/poll';
import { signalAgent } from '../temporal/agentWorkflows';
import { deleteSubscriptions, firedSubscriptions } from './queries';
import { AGENT_SIGNALS } from './types';

/** Events after which an agent's balances or rights differ: its predicate sleeps and debt waits re-check. */
const BALANCE_EVENTS = new Set(['transfer', 'compute_transferred', 'quota_transferred', 'quota_set']);
const BATCH = 500;
/** Advisory lock (any constant): one relay per database signals; the others stand by. */
const RELAY_LOCK = 7_261_003;

export interface EventRelay {
  /** Resolves once the relay is connected (leading or standing by). */
  ready: Promise<void>;
  /** Whether this relay holds the lock and signals. */
  isLeader(): boolean;
  stop(): Promise<void>;
}

export interface EventRelayDeps {
  pool: Pool;
  config: EcologyConfig;
  temporal: Client;
  log?: (message: string) => void;
}

/**
 * Runs inside the worker: LISTENs on `ecology_events` and turns events into signals. Subscribers of
 * an event type (rows written by `sleep {until_event}`) get `event` and their rows are deleted once
 * signalled; the agents on either side of a transfer, compute or quota transfer get
 * `balanceChanged` (how a rescue wakes a frozen agent). A periodic sweep catches subscriptions
 * whose notification was missed. With several workers, the one holding an advisory lock relays
 * and the others stand by, taking over when its session ends. Signals to workflows that are not
 * running are ignored. With the embedded database (one session, one process) there is no LISTEN:
 * the relay leads at once and reads new events every database.embedded.pollMs instead.
 */
export function startEventRelay(deps: EventRelayDeps): EventRelay {
  const log = deps.log ?? (() => undefined);
  const balanceSeqs = new Set<number>();
  const notifiedTypes = new Set<string>();
  let fullSweep = true;
  let listener: PgClient | undefined;
  let poller: EventPoller | undefined;
  let leader = false;
  let stopped = false;
  let sweeping: Promise<void> | undefined;
  let again = false;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const signal = async (agentId: string, name: string, arg?: unknown): Promise<boolean> => {
    try {
      await signalAgent(deps.temporal, agentId, name, arg);
      return true; // delivered, or the workflow is not running: either way done
    } catch (e) {
      log(`event relay: signal ${name} to ${agentId} failed: ${(e as Error).message}`);
      return false;
    }
  };

  const sweepOnce = async (): Promise<void> => {
    const seqs = [...balanceSeqs];
    balanceSeqs.clear();
    if (seqs.length > 0) {
      const agents = (
        await deps.pool.query<{ id: string }>(
          `SELECT DISTINCT a.id FROM events e CROSS JOIN LATERAL unnest(ARRAY[e.actor_id, e.subject_id]) AS p(id)
           JOIN artifacts a ON a.id = p.id WHERE e.seq = ANY($1) AND a.has_standing AND a.can_execute AND NOT a.genesis`,
          [seqs],
        )
      ).rows;
      await Promise.all(agents.map((a) => signal(a.id, AGENT_SIGNALS.balanceChanged)));
    }
    const types = fullSweep ? null : [...notifiedTypes];
    fullSweep = false;
    notifiedTypes.clear();
    if (types !== null && types.length === 0) return;
    const fired = await firedSubscriptions(deps.pool, types, BATCH);
    const done: string[] = [];
    await Promise.all(
      fired.map(async (s) => {
        if (await signal(s.agent_id, AGENT_SIGNALS.event, { key: s.key, type: s.event_type, seq: s.seq })) done.push(s.key);
      }),
    );
    await deleteSubscriptions(deps.pool, done);
    if (fired.length === BATCH) {
      fullSweep = true;
      again = true;
    }
  };

  /** Coalesces: one sweep at a time, and one more if something arrived meanwhile. */
  const sweep = (): void => {
    if (stopped || !leader) return;
    if (sweeping) {
      again = true;
      return;
    }
    sweeping = (async () => {
      do {
        again = false;
        try {
          await sweepOnce();
        } catch (e) {
          fullSweep = true;
          log(`event relay: sweep failed: ${(e as Error).message}`);
        }
      } while (again && !stopped);
      sweeping = undefined;
    })();
  };

  const onNotification = (msg: Notification): void => {
    try {
      const p = JSON.parse(msg.payload ?? '{}') as { seq?: number; type?: string };
      if (typeof p.type === 'string') notifiedTypes.add(p.type);
      if (typeof p.seq === 'number' && p.type && BALANCE_EVENTS.has(p.type)) balanceSeqs.add(p.seq);
    } catch {
      fullSweep = true;
    }
    sweep();
  };

  /** Takes the lead when the lock is free: then listens, and catches up on what it missed. */
  const tryLead = async (): Promise<void> => {
    const c = listener;
    if (!c || leader || stopped) return;
    const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK]);
    if (!r.rows[0].ok || listener !== c) return;
    await c.query(`LISTEN ${EVENTS_CHANNEL}`);
    leader = true;
    fullSweep = true;
    log('event relay: leading');
    sweep();
  };

  const connect = async (): Promise<void> => {
    const c = new PgClient({ connectionString: deps.config.database.url });
    c.on('notification', onNotification);
    c.on('error', (e) => {
      log(`event relay: connection lost: ${e.message}`);
      reconnect(c);
    });
    c.on('end', () => reconnect(c));
    await c.connect();
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    listener = c;
    await tryLead();
  };

  /** Embedded mode: the only relay there can be, fed by polling the events table. */
  const follow = async (): Promise<void> => {
    const p = pollEvents(deps.pool, {
      intervalMs: deps.config.database.embedded.pollMs,
      onEvent: (e) => onNotification({ processId: 0, channel: EVENTS_CHANNEL, payload: JSON.stringify(e) }),
      log,
    });
    poller = p;
    await p.ready;
    if (stopped) return;
    leader = true;
    fullSweep = true;
    log('event relay: leading (polling the embedded database)');
    sweep();
  };

  const reconnect = (dead: PgClient): void => {
    if (stopped || listener !== dead || reconnectTimer) return;
    listener = undefined;
    leader = false; // the lock went with the session
    dead.end().catch(() => undefined);
    const retry = () => {
      reconnectTimer = undefined;
      if (stopped) return;
      connect().catch((e: Error) => {
        log(`event relay: reconnect failed: ${e.message}`);
        reconnectTimer = setTimeout(retry, deps.config.agents.relay.reconnectMs);
      });
    };
    reconnectTimer = setTimeout(retry, deps.config.agents.relay.reconnectMs);
  };

  const periodic = setInterval(() => {
    if (leader) {
      fullSweep = true;
      sweep();
    } else {
      tryLead().catch((e: Error) => log(`event relay: cannot take the lead: ${e.message}`));
    }
  }, deps.config.agents.relay.sweepMs);
  const ready = deps.config.database.mode === 'embedded' ? follow() : connect();
  ready.catch((e: Error) => log(`event relay: cannot connect: ${e.message}`));

  return {
    ready,
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearInterval(periodic);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await poller?.stop();
      await sweeping;
      const c = listener;
      listener = undefined;
      leader = false;
      await c?.end().catch(() => undefined);
    },
  };
}
