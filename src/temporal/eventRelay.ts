import { Client as PgClient, type Pool } from 'pg';
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import type { EcologyConfig } from '../config/schema';
import { followEvents, type EventFollower, type FollowedEvent } from '../events/follow';
import { silentLogger, type Logger } from '../log/logger';
import { signalAgent } from './agentWorkflows';
import { balanceChangedSignal, eventSignal } from '../agents/signals';
import { deleteSubscriptions, firedSubscriptions } from '../agents/queries';
import { signalDebounce } from '../agents/signalDebounce';

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
  /** Default: says nothing. */
  logger?: Logger;
}

/**
 * Runs inside the worker: follows the event log (src/events/follow.ts) and turns events into
 * signals. Subscribers of an event type (rows written by `sleep {until_event}`) get `event` and their
 * rows are deleted once signalled; the agents on either side of a transfer, compute or quota
 * transfer get `balanceChanged` (how a rescue wakes a frozen agent), at most one per agent per
 * `agents.relay.balanceDebounceMs` (src/agents/signalDebounce.ts). A periodic sweep catches
 * subscriptions that the follower's events did not name (written after their event, or while no
 * relay led). With several workers, the one holding an advisory lock on its own session relays and
 * the others stand by, taking over when its session ends. Signals to workflows that are not running
 * are ignored. With the embedded database (one session, one process) there is no lock to take:
 * the relay leads at once.
 */
export function startEventRelay(deps: EventRelayDeps): EventRelay {
  const log = deps.logger ?? silentLogger();
  const touched = new Set<string>();
  const eventTypes = new Set<string>();
  let fullSweep = true;
  let lockSession: PgClient | undefined;
  let follower: EventFollower | undefined;
  let leader = false;
  let stopped = false;
  let sweeping: Promise<void> | undefined;
  let again = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  // balanceChanged only makes a sleeper re-check its balances: one per agent per interval is enough.
  const balanceSignals = signalDebounce(deps.config.agents.relay.balanceDebounceMs, (agentId) => {
    touched.add(agentId);
    sweep();
  });

  const signal = async <Args extends unknown[]>(agentId: string, def: SignalDefinition<Args>, ...args: Args): Promise<boolean> => {
    try {
      await signalAgent(deps.temporal, agentId, def, ...args);
      return true; // delivered, or the workflow is not running: either way done
    } catch (e) {
      log.warn({ agentId, signal: def.name }, `event relay: signal ${def.name} to ${agentId} failed: ${(e as Error).message}`);
      return false;
    }
  };

  const sweepOnce = async (): Promise<void> => {
    const principals = [...touched];
    touched.clear();
    if (principals.length > 0) {
      const agents = (
        await deps.pool.query<{ id: string }>('SELECT id FROM artifacts WHERE id = ANY($1) AND has_standing AND can_execute AND NOT genesis', [principals])
      ).rows;
      const due = balanceSignals.admit(agents.map((a) => a.id));
      await Promise.all(due.map(async (id) => (await signal(id, balanceChangedSignal)) || balanceSignals.forget(id)));
    }
    const types = fullSweep ? null : [...eventTypes];
    fullSweep = false;
    eventTypes.clear();
    if (types !== null && types.length === 0) return;
    const fired = await firedSubscriptions(deps.pool, types, BATCH);
    const done: string[] = [];
    await Promise.all(
      fired.map(async (s) => {
        if (await signal(s.agent_id, eventSignal, { key: s.key, type: s.event_type, seq: s.seq })) done.push(s.key);
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
          log.warn(`event relay: sweep failed: ${(e as Error).message}`);
        }
      } while (again && !stopped);
      sweeping = undefined;
    })();
  };

  const onEvents = (events: FollowedEvent[]): void => {
    for (const e of events) {
      eventTypes.add(e.type);
      if (!BALANCE_EVENTS.has(e.type)) continue;
      if (e.actor_id) touched.add(e.actor_id);
      if (e.subject_id) touched.add(e.subject_id);
    }
    sweep();
  };

  /** Leads: follows the event log from now, and sweeps everything once for what came before. */
  const lead = async (how: string): Promise<void> => {
    const f = followEvents(deps.pool, { intervalMs: deps.config.events.pollMs, batch: deps.config.events.batch, onEvents, logger: log });
    follower = f;
    try {
      await f.ready;
    } catch (e) {
      if (follower === f) follower = undefined;
      throw e;
    }
    if (stopped || follower !== f) return;
    leader = true;
    fullSweep = true;
    log.info(`event relay: leading${how}`);
    sweep();
  };

  const standDown = (): void => {
    leader = false;
    const f = follower;
    follower = undefined;
    void f?.stop();
  };

  /** Takes the lead when the lock is free (embedded: at once, there is no other relay). */
  const tryLead = async (): Promise<void> => {
    if (leader || follower || stopped) return;
    if (deps.config.database.mode === 'embedded') return lead(' (embedded database)');
    const c = lockSession;
    if (!c) return;
    const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RELAY_LOCK]);
    if (!r.rows[0].ok || lockSession !== c) return;
    await lead('');
  };

  const connect = async (): Promise<void> => {
    const c = new PgClient({ connectionString: deps.config.database.url });
    c.on('error', (e) => {
      log.warn(`event relay: lock session lost: ${e.message}`);
      reconnect(c);
    });
    c.on('end', () => reconnect(c));
    await c.connect();
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    lockSession = c;
    await tryLead();
  };

  /** Opens the lock session (one attempt at a time). */
  const open = (): Promise<void> => {
    connecting ??= connect().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const reconnect = (dead: PgClient): void => {
    if (stopped || lockSession !== dead || reconnectTimer) return;
    lockSession = undefined;
    standDown(); // the lock went with the session: another relay may lead now
    dead.end().catch(() => undefined);
    const retry = () => {
      reconnectTimer = undefined;
      if (stopped) return;
      open().catch((e: Error) => {
        log.warn(`event relay: reconnect failed: ${e.message}`);
        reconnectTimer = setTimeout(retry, deps.config.agents.relay.reconnectMs);
      });
    };
    reconnectTimer = setTimeout(retry, deps.config.agents.relay.reconnectMs);
  };

  const periodic = setInterval(() => {
    if (leader) {
      fullSweep = true;
      sweep();
    } else if (deps.config.database.mode === 'server' && !lockSession && !reconnectTimer) {
      open().catch((e: Error) => log.warn(`event relay: cannot connect: ${e.message}`)); // the first attempt failed
    } else {
      tryLead().catch((e: Error) => log.warn(`event relay: cannot take the lead: ${e.message}`));
    }
  }, deps.config.agents.relay.sweepMs);
  const ready = deps.config.database.mode === 'embedded' ? tryLead() : open();
  ready.catch((e: Error) => log.warn(`event relay: cannot connect: ${e.message}`));

  return {
    ready,
    isLeader: () => leader,
    async stop() {
      stopped = true;
      clearInterval(periodic);
      balanceSignals.stop();
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await follower?.stop();
      await sweeping;
      const c = lockSession;
      lockSession = undefined;
      leader = false;
      await c?.end().catch(() => undefined);
    },
  };
}
