/**
 * The embedded database (config database.mode 'embedded', ECOLOGY_DB=embedded): PGlite, PostgreSQL
 * compiled to WebAssembly, running in a thread of this process on a data directory, served on a
 * loopback port by pglite-socket so that the app's `pg` code runs unchanged (pgliteThread.cjs). It
 * is the fallback for machines where no PostgreSQL server can be had.
 *
 * PGlite has ONE session. Hence, in this mode:
 *  - the server serves one connection at a time (another waits until it closes), and the app's pool
 *    has exactly one connection; every new connection starts with DISCARD ALL, because the session
 *    (its prepared statements, advisory locks) outlives the connection that used it (the
 *    pool replaces its connection after an idle spell, and after any failed pool.query);
 *  - one process at a time opens the data directory (PGlite itself does not guard it): a lock file
 *    beside it names the holder, and a second process gets a clear error;
 *  - a code path that needs a second connection while it holds the first (none should: see
 *    src/artifacts/contractDecisions.ts) fails after database.embedded.acquireTimeoutMs instead of hanging.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClientBase, Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { EcologyError } from '../errors';
import { createPool } from './pool';

const REPO_ROOT = join(__dirname, '..', '..');

/** database.embedded.dataDir, else $ECOLOGY_DATA_DIR/pglite, else <repo>/.data/pglite. */
export function embeddedDataDir(config: EcologyConfig, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(config.database.embedded.dataDir ?? join(env.ECOLOGY_DATA_DIR ?? join(REPO_ROOT, '.data'), 'pglite'));
}

export interface EmbeddedServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres (a port of its own each time). */
  url: string;
  dataDir: string;
  /** Stops the server, closes PGlite (flushing it to the data directory) and frees the lock. */
  close(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<dataDir>.lock` (holding our pid); a lock left by a process that died is taken over. */
function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && (holder === process.pid || isAlive(holder))) {
        throw new EcologyError(
          'UNAVAILABLE',
          `the embedded database ${dataDir} is open in process ${holder} (an "ecology up" or "ecology worker"?): ` +
            'embedded PGlite serves one process at a time. Run commands while it is stopped, or use PostgreSQL (set DATABASE_URL, or install it and unset ECOLOGY_DB).',
          { reason: 'embedded_database_in_use', pid: holder, dataDir },
        );
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  // Ctrl-C paths that never reach close() must not leave the lock behind either.
  process.on('exit', release);
  return release;
}

type ThreadMessage = { type: 'ready'; address: string } | { type: 'closed' } | { type: 'error'; message: string };

/** The thread's next message; its exit (a crash) counts as an error. */
function nextMessage(thread: Worker): Promise<ThreadMessage> {
  return new Promise((resolve) => {
    const done = (m: ThreadMessage) => {
      thread.off('message', done);
      thread.off('error', onError);
      thread.off('exit', onExit);
      resolve(m);
    };
    const onError = (e: Error) => done({ type: 'error', message: e.message });
    const onExit = (code: number) => done({ type: 'error', message: `the PGlite thread exited (code ${code})` });
    thread.on('message', done);
    thread.on('error', onError);
    thread.on('exit', onExit);
  });
}

/** Opens (creating on first use) the PGlite database in `dataDir` and serves it on 127.0.0.1. */
export async function startEmbeddedServer(dataDir: string): Promise<EmbeddedServer> {
  const dir = resolve(dataDir);
  const unlock = lockDataDir(dir);
  const thread = new Worker(join(__dirname, 'pgliteThread.cjs'), { workerData: { dataDir: dir } });
  const started = await nextMessage(thread);
  if (started.type !== 'ready') {
    await thread.terminate();
    unlock();
    throw new EcologyError('UNAVAILABLE', `the embedded database ${dir} did not open: ${started.type === 'error' ? started.message : started.type}`);
  }
  // A later crash of the thread must not crash the process: the pool's queries fail and say so.
  thread.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    url: `postgres://postgres@${started.address}/postgres`,
    dataDir: dir,
    close: () =>
      (closing ??= (async () => {
        try {
          const closed = nextMessage(thread);
          thread.postMessage('close');
          const m = await closed;
          if (m.type !== 'closed') throw new Error(`closing the embedded database ${dir} failed: ${m.type === 'error' ? m.message : m.type}`);
        } finally {
          await thread.terminate();
          unlock();
        }
      })()),
  };
}

/**
 * The app's pool on the embedded server: one connection, each new one starting from a clean session
 * (a statement prepared by the connection before would otherwise be "already prepared").
 */
export function createEmbeddedPool(server: EmbeddedServer, config: EcologyConfig): Pool {
  const discardAll = (client: ClientBase): Promise<unknown> => client.query('DISCARD ALL');
  return createPool(server.url, 1, {
    connectionTimeoutMillis: config.database.embedded.acquireTimeoutMs,
    // pg-pool awaits the promise before it hands the connection out (its type says void).
    onConnect: discardAll as (client: ClientBase) => void,
  });
}
