/**
 * Hostile code through the whole saga (hold -> run in Docker -> settle): each attempt ends in a
 * clear failure, the invoker pays the CPU it used (and only that), the price goes back, the owner
 * gets nothing, other containers and the host are unaffected, and the audit passes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setupWorld, show, type World } from './support';
import type { InvokeRequest } from '../../src/invoke/types';

let w: World;
const TIMEOUT_MS = 1500;
const PRICE = 7;

beforeAll(async () => {
  w = await setupWorld({ overrides: { sandbox: { limits: { timeoutMs: TIMEOUT_MS } } } });
  await w.principal('bob');
  await w.principal('mallory');
  await w.principal('victim');
  await w.principal('bystander');
  await w.artifact('bystander', 'calm', { code: 'export function run() { return "calm" }' });
}, 60_000);
afterAll(() => w?.close());

/** Invokes hostile `code` as bob, checks the failure and every ledger effect; returns the outcome. */
async function attack(name: string, code: string, expected: string[], extra?: (message: string) => void, grant?: InvokeRequest['grant']) {
  const id = `hostile-${name}`;
  await w.artifact('mallory', id, { code, price: PRICE });
  const before = { bob: await w.scrip('bob'), mallory: await w.scrip('mallory'), victim: await w.scrip('victim'), bobCpu: await w.compute('bob'), malloryCpu: await w.compute('mallory') };
  const key = w.key();
  const o = await w.invoke('bob', id, 'run', {}, key, grant);
  if (o.ok) throw new Error(`${name}: expected a failure, got ${show(o)}`);
  expect(expected).toContain(o.error.code);
  expect(o.error.message.length).toBeGreaterThan(0);
  extra?.(o.error.message);
  expect(o.compute_charged).toBeGreaterThan(0);
  expect(o.invocation).toMatchObject({ price: PRICE, refunded: true, paid_to: null, payer: 'bob', cpu_ms: o.compute_charged });
  // bob pays this run's CPU, plus whatever its bridge calls cost (nested runs, genesis calls), all under this key.
  const charged = await computeChargedUnder(key, 'bob');
  expect(charged).toBeGreaterThanOrEqual(o.compute_charged);
  expect(await w.compute('bob')).toBe(before.bobCpu - charged);
  expect(await w.scrip('bob')).toBe(before.bob);
  expect(await w.scrip('mallory')).toBe(before.mallory);
  expect(await w.compute('mallory')).toBe(before.malloryCpu);
  expect(await w.scrip('victim')).toBe(before.victim);
  expect(await w.scrip('hold_invoke')).toBe(0);
  await w.expectAuditOk();
  return o;
}

/** Compute charged to `principal` by the invocation `key` and everything it did (effects `${key}:...`). */
async function computeChargedUnder(key: string, principal: string): Promise<number> {
  const r = await w.pool.query<{ total: string }>(
    `SELECT COALESCE(sum((payload->>'amount')::bigint), 0)::text AS total FROM resource_effects
     WHERE kind = 'spend:compute' AND payload->>'principal' = $2 AND starts_with(id, $1 || ':')`,
    [key, principal],
  );
  return Number(r.rows[0].total);
}

let calmContainer: string | undefined;

test('a bystander owner has a warm container before the attacks', async () => {
  expect(await w.invoke('bob', 'calm')).toMatchObject({ ok: true, result: 'calm' });
  calmContainer = w.sandbox!.containers().find((c) => c.owner === 'bystander')?.id;
  expect(calmContainer).toBeDefined();
});

test('an infinite loop: TIMEOUT, charged about the time limit of CPU', async () => {
  const o = await attack('loop', 'export function run() { for (;;) {} }', ['TIMEOUT']);
  expect(o.compute_charged).toBeLessThanOrEqual(TIMEOUT_MS * 1.2);
});

test('a memory bomb: OUT_OF_MEMORY', async () => {
  await attack('memory', 'export function run() { const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1)) }', ['OUT_OF_MEMORY']);
});

test('a process bomb: stopped by the pids limit', async () => {
  const bomb = `import { spawn } from 'node:child_process';
export async function run() {
  for (let i = 0; i < 500; i++) {
    await new Promise((resolve, reject) => {
      let c;
      try { c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }); } catch (e) { return reject(e); }
      c.once('spawn', resolve);
      c.once('error', reject);
    });
  }
  return 'spawned 500 processes';
}`;
  await attack('fork', bomb, ['CODE_THREW', 'OUT_OF_MEMORY', 'CRASHED', 'TIMEOUT'], (m) => {
    if (!/memory|exited|time limit/.test(m)) expect(m).toMatch(/EAGAIN|ENOMEM|spawn/);
  });
});

test('writing to the root filesystem: read-only', async () => {
  await attack('rootfs', "import fs from 'node:fs'; export function run() { fs.writeFileSync('/evil', 'x'); return 'wrote' }", ['CODE_THREW'], (m) => expect(m).toMatch(/EROFS|EACCES/));
});

test('opening a network connection: there is no network', async () => {
  const code = `import net from 'node:net';
export function run() {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '1.1.1.1', port: 80 }, () => resolve('connected'));
    s.once('error', reject);
  });
}`;
  await attack('network', code, ['CODE_THREW'], (m) => expect(m).toMatch(/ENETUNREACH|EHOSTUNREACH|EACCES|ECONNREFUSED|EAI_AGAIN/));
});

test("reading host files: the host's files are not there", async () => {
  const paths = ['/etc/shadow', '/etc/hostname', '/root/.bashrc', `${process.cwd()}/package.json`, '/proc/1/root/etc/hostname', '/var/run/docker.sock', '/proc/1/environ'];
  const code = `import fs from 'node:fs';
export function run() {
  const out = {};
  for (const p of ${JSON.stringify(paths)}) { try { out[p] = fs.readFileSync(p, 'utf8'); } catch (e) { out[p] = e.code; } }
  throw new Error('SEEN ' + JSON.stringify(out));
}`;
  await attack('hostfiles', code, ['CODE_THREW'], (m) => {
    const seen = JSON.parse(m.slice(m.indexOf('SEEN ') + 5, m.lastIndexOf('}') + 1)) as Record<string, string>;
    for (const p of paths) {
      let host: string | null = null;
      try {
        host = readFileSync(p, 'utf8');
      } catch {
        // not readable on the host either
      }
      // Docker gives the container its own /etc/hostname; what it sees must never be the host's file.
      if (host !== null) expect(seen[p]).not.toBe(host);
    }
    expect(seen['/etc/shadow']).toBe('ENOENT');
    expect(seen[`${process.cwd()}/package.json`]).toBe('ENOENT');
  });
});

test('a huge result: OUTPUT_TOO_LARGE', async () => {
  await attack('huge', "export function run() { return 'x'.repeat(8 * 1024 * 1024) }", ['OUTPUT_TOO_LARGE']);
});

test('a result that is not JSON: OUTPUT_NOT_JSON', async () => {
  await attack('notjson', 'export function run() { return { f: () => 1, big: 10n } }', ['OUTPUT_NOT_JSON']);
});

test('throwing: CODE_THREW with the message', async () => {
  await attack('throw', "export function run() { throw new Error('boom from mallory') }", ['CODE_THREW'], (m) => expect(m).toContain('boom from mallory'));
});

test('never returning: TIMEOUT without burning the CPU', async () => {
  const o = await attack('hang', 'export function run() { return new Promise(() => {}) }', ['TIMEOUT']);
  expect(o.compute_charged).toBeLessThan(300);
});

test("forging another caller's identity through the bridge: FORBIDDEN, the victim keeps its scrip", async () => {
  await attack(
    'forge-args',
    "export async function run(a, ctx) { await ctx.invoke('genesis_ledger', 'transfer', { to: 'mallory', amount: 5, from: 'victim' }); return 'stole' }",
    ['CODE_THREW'],
    (m) => expect(m).toContain('FORBIDDEN'),
  );
  // Around ctx: a raw bridge request naming a caller is refused before anything runs.
  const raw = `export function run() {
  return new Promise((resolve, reject) => {
    process.on('message', (m) => { if (m && m.type === 'reply') (m.ok ? resolve : reject)(new Error(JSON.stringify(m))); });
    process.send({ type: 'call', callId: 999, op: 'invoke', payload: { id: 'genesis_ledger', method: 'transfer', args: { to: 'mallory', amount: 5 }, caller: 'victim' } });
  });
}`;
  await attack('forge-raw', raw, ['CODE_THREW'], (m) => expect(m).toMatch(/FORBIDDEN/));
});

test('recursion through the bridge past the depth limit: DEPTH_EXCEEDED, every level refunded and charged to the invoker', async () => {
  // One warm container of mallory per level, so that the chain fits in the time limit on a loaded
  // machine too (a nested run's container start counts against its parent's time).
  const levels = w.config.sandbox.maxDepth + 1;
  await Promise.all(Array.from({ length: levels }, () => w.sandbox!.run({ owner: 'mallory', code: 'export async function run() { await new Promise((r) => setTimeout(r, 300)) }' })));
  // Each level grants the next what its price and run need (by default a nested tool gets nothing).
  const code = "export async function run(a, ctx) { return ctx.invoke('hostile-recurse', 'run', {}, { allowance: { scrip: 1000, compute: 1000000 } }) }";
  const o = await attack('recurse', code, ['DEPTH_EXCEEDED'], undefined, { allowance: { scrip: 1000, compute: 1_000_000 } });
  const rows = await w.pool.query<{ depth: number; status: string; cpu_ms: number; payer_id: string }>(
    `SELECT depth, status, cpu_ms, payer_id FROM invocations WHERE artifact_id = 'hostile-recurse' ORDER BY depth`,
  );
  const max = w.config.sandbox.maxDepth;
  // Levels 0..max ran and were refunded; level max+1 was refused at its hold.
  expect(rows.rows.map((r) => [r.depth, r.status])).toEqual([...Array.from({ length: max + 1 }, (_, d) => [d, 'refunded']), [max + 1, 'rejected']]);
  expect(rows.rows.every((r) => r.status === 'rejected' || r.payer_id === 'bob')).toBe(true);
  // The top-level outcome charges its own run; the nested runs were charged to bob as they settled.
  expect(rows.rows[0].cpu_ms).toBe(o.compute_charged);
});

test('the host and other owners are unaffected', async () => {
  expect(execFileSync(process.execPath, ['-e', 'process.stdout.write("host ok")']).toString()).toBe('host ok');
  expect(await w.invoke('bob', 'calm')).toMatchObject({ ok: true, result: 'calm' });
  expect(w.sandbox!.containers().find((c) => c.owner === 'bystander')?.id).toBe(calmContainer);
  await w.expectAuditOk();
});
