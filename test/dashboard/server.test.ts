/**
 * The dashboard's HTTP rules: read-only (GET and HEAD only, every other method 405, and nothing in
 * the database changes), loopback by default, a token required beyond loopback and checked on every
 * request, the Host header checked when there is no token, and the JSON endpoints' answers.
 */
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { checkBindRule, isLoopbackHost, MIN_TOKEN_LENGTH, tokenMatches } from '../../src/dashboard/auth';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { dispatch } from '../../src/genesis/dispatch';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { finishSubmission, getSubmission, lockBounty } from '../../src/bounties/queries';
import { closeWithWinner } from '../../src/bounties/settle';
import { withTransaction } from '../../src/db/tx';
import { request } from './support/http';

const TOKEN = 'a-long-enough-test-token-0123456789';

let db: TestDatabase;
let pool: Pool;
let config: EcologyConfig;
const open: Dashboard[] = [];

async function start(opts: Partial<Parameters<typeof startDashboard>[0]> = {}): Promise<Dashboard> {
  const d = await startDashboard({ pool, config, port: 0, log: () => undefined, ...opts });
  open.push(d);
  return d;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = db.pool;
  await bootstrapGenesis(pool);
  config = loadConfig({ env: {}, overrides: { database: { url: db.url } } });
  await createOperatorPrincipal(pool, config, { id: 'ana', kind: 'agent', scrip: 100, compute: 1000 });
  await createOperatorPrincipal(pool, config, { id: 'ben', kind: 'agent', scrip: 50, compute: 1000 });
  await createOperatorPrincipal(pool, config, { id: 'vault', kind: 'account', scrip: 10, compute: 0 });
  const out = await dispatch({ pool, config }, { caller: 'ana', artifactId: 'genesis_ledger', method: 'transfer', args: { to: 'ben', amount: 5 }, key: 'server-test:1' });
  expect(out.ok).toBe(true);
});

afterAll(async () => {
  await Promise.all(open.map((d) => d.close()));
  await db?.drop();
});

describe('the token rule', () => {
  test('loopback addresses and names are recognised', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', 'api.localhost', '::ffff:127.0.0.1']) expect([h, isLoopbackHost(h)]).toEqual([h, true]);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.5', 'example.com', 'localhost.example.com', '128.0.0.1']) expect([h, isLoopbackHost(h)]).toEqual([h, false]);
  });

  test('beyond loopback a token is required, and a token must be long enough', () => {
    expect(checkBindRule('127.0.0.1', null)).toBeNull();
    expect(checkBindRule('localhost', undefined)).toBeNull();
    expect(checkBindRule('0.0.0.0', TOKEN)).toBe(TOKEN);
    expect(() => checkBindRule('0.0.0.0', null)).toThrow(/needs a token/);
    expect(() => checkBindRule('::', undefined)).toThrow(/needs a token/);
    expect(() => checkBindRule('127.0.0.1', 'x'.repeat(MIN_TOKEN_LENGTH - 1))).toThrow(/at least 16/);
  });

  test('tokens are compared whole', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches(`${TOKEN}x`, TOKEN)).toBe(false);
  });

  test('the server refuses to start beyond loopback without a token', async () => {
    await expect(start({ host: '0.0.0.0', token: null })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // The configured token counts too.
    const withConfigToken = { ...config, dashboard: { ...config.dashboard, token: TOKEN } };
    const d = await start({ config: withConfigToken, host: '0.0.0.0' });
    expect(d.tokenRequired).toBe(true);
    const url = `http://127.0.0.1:${d.port}/api/summary`;
    expect((await request(url)).status).toBe(401);
    expect((await request(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  test('with a token every data request needs it, by bearer header or the session cookie; never from the URL', async () => {
    const d = await start({ token: TOKEN });
    expect(d.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const noToken = await request(`${d.url}api/agents`);
    expect(noToken.status).toBe(401);
    expect(noToken.headers['www-authenticate']).toBe('Bearer');
    expect(noToken.body).not.toContain('ana');
    expect((await request(`${d.url}api/agents`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    expect((await request(`${d.url}api/agents`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    // A token in the query string (logged, kept in history, sent as Referer) is not accepted.
    expect((await request(`${d.url}api/agents?token=${TOKEN}`)).status).toBe(401);
    expect((await request(`${d.url}api/stream?token=${TOKEN}`, { method: 'HEAD' })).status).toBe(401);

    // The page and its files hold no data: they load without the token and never refer to it.
    const page = await request(d.url);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('token=');
    expect((await request(`${d.url}static/app.js`)).status).toBe(200);
    expect((await request(`${d.url}static/app.js`)).body).not.toMatch(/[?&]token=/);

    // The page's login: the token once, in a header, for an HttpOnly cookie that is not the token.
    expect((await request(`${d.url}api/session`)).status).toBe(401);
    const login = await request(`${d.url}api/session`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(';')[0]!;
    expect((await request(`${d.url}api/agents`, { headers: { cookie: session } })).status).toBe(200);
    expect((await request(`${d.url}api/stream`, { method: 'HEAD', headers: { cookie: session } })).status).toBe(200);
    expect((await request(`${d.url}api/agents`, { headers: { cookie: `${session.split('=')[0]}=forged` } })).status).toBe(401);
    // Another token's session opens nothing here.
    const other = await start({ token: `${TOKEN}-other` });
    expect((await request(`${other.url}api/agents`, { headers: { cookie: session } })).status).toBe(401);
  });

  test('without a token, the Host header must name loopback', async () => {
    const d = await start();
    expect((await request(`${d.url}api/summary`)).status).toBe(200);
    expect((await request(`${d.url}api/summary`, { headers: { host: `localhost:${d.port}` } })).status).toBe(200);
    const rebound = await request(`${d.url}api/summary`, { headers: { host: 'attacker.example' } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('scrip_supply');
  });
});

describe('read-only', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await start();
  });

  test('every method but GET and HEAD is refused with 405, and the database is unchanged', async () => {
    const fingerprint = async () =>
      (
        await pool.query(
          `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM operations) AS ops, (SELECT count(*) FROM journal) AS journal,
                  (SELECT count(*) FROM artifacts) AS artifacts, (SELECT json_agg(balance ORDER BY principal_id, asset) FROM accounts) AS balances`,
        )
      ).rows[0];
    const before = await fingerprint();
    for (const path of ['', 'api/agents', 'api/events', 'api/stream', 'api/summary', 'static/app.js', 'nowhere']) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const r = await request(`${d.url}${path}`, { method, body: '{"to":"ben","amount":1}', headers: { 'content-type': 'application/json' } });
        expect([method, path, r.status]).toEqual([method, path, 405]);
        expect(r.headers.allow).toBe('GET, HEAD');
        expect(r.json()).toMatchObject({ ok: false, error: { code: 'HTTP_405' } });
      }
    }
    expect(await fingerprint()).toEqual(before);
    expect(d.stats().queries.api).toBe(0);
  });

  test('HEAD answers the headers without a body', async () => {
    const r = await request(d.url, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toBe('');
  });

  test('the page is served with a strict content policy and no referrer', async () => {
    const r = await request(d.url);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Agent Ecology</title>');
    expect(r.body).toContain('src="/static/app.js"');
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  test('only the page\'s own files are served', async () => {
    for (const f of ['style.css', 'format.js', 'charts.js', 'graph.js', 'app.js']) expect((await request(`${d.url}static/${f}`)).status).toBe(200);
    for (const p of ['static/index.html', 'static/../server.ts', 'static/%2e%2e/server.ts', 'static/', 'package.json', 'api/nothing']) {
      expect([p, (await request(`${d.url}${p}`)).status]).toEqual([p, 404]);
    }
  });
});

describe('the JSON endpoints', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await start();
  });
  const get = async <T>(path: string): Promise<T> => {
    const r = await request(`${d.url}${path}`);
    expect([path, r.status]).toEqual([path, 200]);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    return r.json<T>();
  };

  test('summary and agents', async () => {
    const s = await get<Record<string, unknown>>('api/summary');
    expect(s).toMatchObject({ scrip_supply: 160, agents: 2, principals: 3, agents_by_status: { unknown: 2 }, principals_in_debt: 0 });
    expect(s.llm).toEqual({ budget_micros: config.llm.systemBudgetMicros, spent_micros: 0, reserved_micros: 0, remaining_micros: config.llm.systemBudgetMicros, exhausted: false });
    const agents = await get<Array<Record<string, any>>>('api/agents');
    expect(agents.map((a) => [a.id, a.scrip])).toEqual([['ana', 95], ['ben', 55]]);
    expect(agents[0]!.compute).toMatchObject({ principal: 'ana', resource: 'compute', in_debt: false, rate: config.quotas.operatorPrincipal.compute_rate });
    expect(agents[0]!.workflow_url).toBe('http://127.0.0.1:8233/namespaces/default/workflows/agent-ana');
    expect(agents[0]!.state).toEqual({ status: 'unknown', reason: 'no Temporal client' });
  });

  test('events page by seq', async () => {
    const all = await get<Array<{ seq: number; type: string }>>('api/events?limit=1000');
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => a - b));
    expect(all.some((e) => e.type === 'transfer')).toBe(true);
    const page = await get<Array<{ seq: number }>>(`api/events?after=${all[1]!.seq}&limit=2`);
    expect(page.map((e) => e.seq)).toEqual(all.slice(2, 4).map((e) => e.seq));
    for (const bad of ['limit=0', 'limit=abc', `limit=${config.dashboard.events.maxPageLimit + 1}`, 'after=-1']) {
      expect([bad, (await request(`${d.url}api/events?${bad}`)).status]).toEqual([bad, 400]);
    }
  });

  test('metrics, escrow, oracle and graph', async () => {
    expect(await get('api/metrics')).toMatchObject({ window_seconds: config.metrics.windowSeconds, windows: [] });
    expect(await get('api/escrow')).toEqual({ open: [], closed: [] });
    expect(await get('api/oracle')).toMatchObject({ enabled: true, open_bids: 0, resolutions: [] });
    const graph = await get<{ nodes: Array<{ id: string; kind: string }> }>('api/graph');
    expect(graph.nodes.map((n) => [n.id, n.kind])).toEqual([['ana', 'agent'], ['ben', 'agent'], ['vault', 'account']]);
    expect(d.stats().queries.api).toBeGreaterThan(0);
  });
});

describe('bounties', () => {
  test('the dashboard shows open and solved bounties (never a checker\'s code)', async () => {
    const d = await start();
    const call = async (caller: string, artifactId: string, method: string, args: unknown) => {
      const o = await dispatch({ pool, config }, { caller, artifactId, method, args, key: `server-test:${caller}:${method}:${JSON.stringify(args).length}:${Math.random()}` });
      expect(o).toMatchObject({ ok: true });
      return o as { result: Record<string, unknown> };
    };
    await call('ana', 'genesis_store', 'create', { id: 'ana_check', type: 'checker', code: 'export function run() { return { pass: true, score: 77 } } // SECRET', can_execute: true });
    await call('ben', 'genesis_store', 'create', { id: 'ben_answer', type: 'tool', code: 'export function run() { return 1 }', can_execute: true });
    await call('ana', 'genesis_bounty', 'post', { id: 'still_open', description: 'Open for answers', checker: 'ana_check', reward: 10, deadline_seconds: 3600 });
    await call('ana', 'genesis_bounty', 'post', { id: 'won', description: 'Already won', checker: 'ana_check', reward: 20, deadline_seconds: 3600 });
    const sub = await call('ben', 'genesis_bounty', 'submit', { bounty_id: 'won', artifact_id: 'ben_answer' });
    // The verdict as a check records it (the check's own run is tested in test/bounties).
    await withTransaction(pool, async (client) => {
      const b = (await lockBounty(client, 'won', 'update'))!;
      const s = (await getSubmission(client, sub.result.submission_id as number, true))!;
      await finishSubmission(client, s.id, { status: 'passed', score: 77, cpuMs: 3, errorCode: null });
      await closeWithWinner(client, b, s, 77);
    });
    const r = await request(`${d.url}api/bounties`);
    expect(r.status).toBe(200);
    const board = r.json<{ open: Array<Record<string, unknown>>; closed: Array<Record<string, unknown>> }>();
    expect(board.open).toEqual([expect.objectContaining({ id: 'still_open', poster: 'ana', reward: 10, status: 'open', submissions: 0, description: 'Open for answers' })]);
    expect(board.closed).toEqual([expect.objectContaining({ id: 'won', status: 'solved', winner: 'ben', winning_artifact: 'ben_answer', score: 77, reward: 20, submissions: 1 })]);
    expect(r.body).not.toContain('SECRET');
  });
});
