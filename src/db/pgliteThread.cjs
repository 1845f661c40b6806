// The embedded database's thread (started by embedded.ts): PGlite and its socket server. A thread
// of its own keeps PGlite's queries (synchronous WebAssembly) off the app's event loop, and runs it
// outside any VM sandbox a test runner puts the app in (PGlite loads its files with import()).
// Plain JavaScript: a worker thread does not inherit the tsx loader of the process that starts it.
//
// Messages: -> parent {type: 'ready', address: '127.0.0.1:<port>'} | {type: 'error', message}
//           <- parent 'close'  -> {type: 'closed'} once the server stopped and PGlite closed.
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require('@electric-sql/pglite');
const { PGLiteSocketServer } = require('@electric-sql/pglite-socket');

const fail = (e) => parentPort.postMessage({ type: 'error', message: (e && e.stack) || String(e) });

/**
 * Serves one connection at a time: PGlite has one session, and pglite-socket would otherwise
 * interleave the protocol messages of several connections on it. A connection that arrives while
 * another is open waits (its bytes stay buffered in its socket) until that one closes, rather than
 * being refused: the app's pool replaces a connection after a failed query, and the new one must
 * not race the old one's close.
 */
class OneAtATimeServer extends PGLiteSocketServer {
  constructor(options) {
    // Node's own limit would drop the waiting connections: the gate below replaces it.
    super({ ...options, maxConnections: 1000 });
    this.current = null;
    this.waiting = [];
  }

  handleConnection(socket) {
    if (this.current) {
      this.waiting.push(socket);
      socket.once('close', () => {
        this.waiting = this.waiting.filter((s) => s !== socket);
      });
      return Promise.resolve();
    }
    this.current = socket;
    socket.once('close', () => {
      this.current = null;
      const next = this.waiting.shift();
      if (next) setImmediate(() => this.handleConnection(next));
    });
    return super.handleConnection(socket);
  }

  stop() {
    for (const s of this.waiting) s.destroy();
    this.waiting = [];
    return super.stop();
  }
}

async function main() {
  const db = await PGlite.create({ dataDir: workerData.dataDir });
  const server = new OneAtATimeServer({ db, host: '127.0.0.1', port: 0 });
  try {
    await server.start();
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  parentPort.on('message', (m) => {
    if (m !== 'close') return;
    server
      .stop()
      .then(() => db.close())
      .then(() => parentPort.postMessage({ type: 'closed' }), fail);
  });
  parentPort.postMessage({ type: 'ready', address: server.getServerConn() });
}

main().catch(fail);
