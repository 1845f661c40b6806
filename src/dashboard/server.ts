/**
 * The economy dashboard: a read-only web page and JSON API over a running ecology, served by
 * node:http. Every endpoint is GET (or HEAD); the database is only read, inside READ ONLY
 * transactions. Live updates go out as server-sent events from one shared hub (live.ts).
 *
 *   const d = await startDashboard({ pool, config, temporalClient });
 *   console.log(d.url);  ...  await d.close();
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { EcologyError } from '../errors';
import { checkBindRule, hostHeaderAllowed, requestAuthorized, sessionCookieHeader } from './auth';
import { QueryCounter, type QueryCounts } from './counter';
import { LiveHub, streamEvent, type LiveStats } from './live';
import { bountyBoard, escrowListings, eventsAfter, metricsPoints, oracleResolutions, type Db } from './queries';
import { openStream } from './sse';
import * as views from './views';

export interface DashboardOptions {
  pool: Pool;
  config: EcologyConfig;
  /** For the agents' status (the `state` query); without it every status is 'unknown'. */
  temporalClient?: Client;
  /** Override config.dashboard.host / port / token. */
  host?: string;
  port?: number;
  token?: string | null;
  log?: (message: string) => void;
}

export interface DashboardStats extends LiveStats {
  queries: QueryCounts;
}

export interface Dashboard {
  /** e.g. http://127.0.0.1:8340/ (without the token). */
  url: string;
  host: string;
  port: number;
  /** Whether requests must carry the token. */
  tokenRequired: boolean;
  stats(): DashboardStats;
  close(): Promise<void>;
}

/** The page's files, read once: nothing outside this list is ever served. */
const STATIC: Record<string, string> = {
  'style.css': 'text/css; charset=utf-8',
  'format.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'graph.js': 'text/javascript; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
};
const STATIC_DIR = join(__dirname, 'static');

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': String(buf.length), 'cache-control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function sendJson(res: ServerResponse, req: IncomingMessage, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, req, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

/** A whole-number query parameter within [min, max], or the default. */
function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new HttpError(400, `${name} must be a whole number`);
  const v = Number(raw);
  if (v < min || v > max) throw new HttpError(400, `${name} must be between ${min} and ${max}`);
  return v;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function portInUse(host: string, port: number): EcologyError {
  return new EcologyError(
    'UNAVAILABLE',
    `the dashboard cannot listen on ${host}:${port}: the port is in use (another dashboard or program). Choose another with "ecology dashboard --port N", or dashboard.port in ecology.config.json (0 = any free port)`,
    { reason: 'port_in_use', host, port },
  );
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { pool, config } = opts;
  const cfg = config.dashboard;
  const host = opts.host ?? cfg.host;
  const port = opts.port ?? cfg.port;
  const token = checkBindRule(host, opts.token === undefined ? cfg.token : opts.token);
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const counter = new QueryCounter();
  const hub = new LiveHub({ pool, config, temporal: opts.temporalClient, counter, log });

  const files = new Map(Object.keys(STATIC).map((name) => [name, readFileSync(join(STATIC_DIR, name))]));
  const indexHtml = readFileSync(join(STATIC_DIR, 'index.html'));

  const api = <T>(fn: (db: Db) => Promise<T>) => views.readOnly(pool, counter, 'api', fn);

  /** Agents with their Temporal state, and the header figures, read now (the API, not the stream). */
  const fastNow = async () => {
    const fast = await api((db) => views.readFast(db, config));
    const agents = views.agentViews(config, fast.agents, await views.statusesOf(opts.temporalClient, config, fast.agents));
    return { fast, agents, summary: views.summaryOf(config, fast.figures, agents, new Date()) };
  };

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>> = {
    '/': async (req, res) => send(res, req, 200, 'text/html; charset=utf-8', indexHtml),
    '/api/summary': async (req, res) => sendJson(res, req, 200, (await fastNow()).summary),
    '/api/agents': async (req, res) => sendJson(res, req, 200, (await fastNow()).agents),
    '/api/escrow': async (req, res) => sendJson(res, req, 200, await api((db) => escrowListings(db, config.limits.maxListLimit, cfg.views.escrowRecent))),
    '/api/bounties': async (req, res) => sendJson(res, req, 200, await api((db) => bountyBoard(db, config.limits.maxListLimit, cfg.views.bountiesRecent))),
    '/api/metrics': async (req, res) => {
      const { figures, windows } = await api(async (db) => ({ figures: await views.fastFigures(db), windows: await metricsPoints(db, cfg.views.metricsWindows) }));
      sendJson(res, req, 200, views.metricsView(config, views.summaryOf(config, figures, [], new Date()), windows));
    },
    '/api/oracle': async (req, res) => {
      const { figures, resolutions } = await api(async (db) => ({ figures: await views.fastFigures(db), resolutions: await oracleResolutions(db, cfg.views.oracleResolutions) }));
      sendJson(res, req, 200, views.oracleView(config, views.summaryOf(config, figures, [], new Date()), resolutions));
    },
    '/api/graph': async (req, res) => sendJson(res, req, 200, (await api((db) => views.readSlow(db, config))).graph),
    '/api/events': async (req, res, url) => {
      const e = cfg.events;
      const after = intParam(url, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = intParam(url, 'limit', e.pageLimit, 1, e.maxPageLimit);
      const rows = await api((db) => eventsAfter(db, after, limit));
      sendJson(res, req, 200, rows.map((r) => streamEvent(r, Number.MAX_SAFE_INTEGER)));
    },
    '/api/stats': async (req, res) => sendJson(res, req, 200, stats()),
    // The page's login: reached only with the token (bearer) or a valid cookie; sets the cookie.
    '/api/session': async (req, res) =>
      sendJson(res, req, 200, { ok: true, token_required: token !== null }, token === null ? {} : { 'set-cookie': sessionCookieHeader(token) }),
    '/api/stream': async (req, res) => {
      if (hub.stats().streams >= cfg.maxStreams) throw new HttpError(503, `too many open pages (at most ${cfg.maxStreams})`, { 'retry-after': '10' });
      if (req.method === 'HEAD') {
        send(res, req, 200, 'text/event-stream; charset=utf-8', '');
        return;
      }
      const subscription: { end?: () => void } = {};
      const sub = openStream(res, { heartbeatMs: cfg.heartbeatMs, maxBufferedBytes: cfg.maxBufferedBytes, retryMs: cfg.reconnectMs }, () => subscription.end?.());
      sub.send('hello', JSON.stringify({ poll_interval_ms: cfg.pollIntervalMs, namespace: config.temporal.namespace, temporal_ui_url: cfg.temporalUiUrl }));
      subscription.end = hub.subscribe(sub);
      if (res.destroyed) subscription.end();
    },
  };

  const stats = (): DashboardStats => ({ ...hub.stats(), queries: { ...counter.counts } });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Read-only: nothing here changes state, so nothing but GET and HEAD is served.
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not allowed: the dashboard is read-only`, { allow: 'GET, HEAD' });
    if (token === null && !hostHeaderAllowed(req)) throw new HttpError(403, 'the Host header must name loopback (or start the dashboard with a token)');
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const path = url.pathname;
    // The page and its files hold no data: they load without the token and ask for it (api/session).
    const isPage = path === '/' || path.startsWith('/static/');
    if (token !== null && !isPage && !requestAuthorized(req, token)) {
      throw new HttpError(401, 'a valid token is required (Authorization: Bearer, or log in on the page)', { 'www-authenticate': 'Bearer' });
    }
    const route = routes[path];
    if (route) return route(req, res, url);
    const file = path.startsWith('/static/') ? path.slice('/static/'.length) : undefined;
    if (file !== undefined && files.has(file)) return send(res, req, 200, STATIC[file]!, files.get(file)!, { 'cache-control': 'no-cache' });
    throw new HttpError(404, `no such page: ${path}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!(e instanceof HttpError)) log(`dashboard: ${req.method} ${req.url?.split('?')[0]} failed: ${(e as Error).message}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = e instanceof HttpError ? e.message : `cannot read the ecology: ${(e as Error).message}`;
      sendJson(res, req, status, { ok: false, error: { code: status === 500 ? 'UNAVAILABLE' : `HTTP_${status}`, message } }, e instanceof HttpError ? e.headers : {});
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? portInUse(host, port) : e);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl(host)}:${bound}/`,
    host,
    port: bound,
    tokenRequired: token !== null,
    stats,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await hub.stop();
        await closed;
      })()),
  };
}
