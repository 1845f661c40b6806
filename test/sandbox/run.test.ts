/** Ordinary runs: values, async code, other exports, the error codes a caller can cause, logs. */
import type { SandboxPool } from '../../src/sandbox';
import { expectResult, hostQuiet, makePool, sandboxImage, show, waitIdle } from './support';

let pool: SandboxPool;

beforeAll(async () => {
  pool = makePool(await sandboxImage());
});
afterAll(() => pool?.close());

const ADDER = `
export function run(args) { return args.a + args.b }
export async function later(args) { await new Promise((r) => setTimeout(r, 20)); return { doubled: args.n * 2, at: 'later' } }
export const notAFunction = 42;
export default function () { return 'default export' }
`;

test('a trivial function returns its value; the warm second call is much faster', async () => {
  const owner = `run-basic-${Date.now()}`;
  const t0 = performance.now();
  const cold = await pool.run({ owner, code: ADDER, args: { a: 2, b: 3 } });
  const coldLatency = performance.now() - t0;
  expectResult(cold, { ok: true, value: 5, coldStart: true });
  expect(cold.cpuMs).toBeGreaterThanOrEqual(1);
  await waitIdle(pool, owner); // the usual case: the next job comes after the last one's clean-up
  const t1 = performance.now();
  const warm = await pool.run({ owner, code: ADDER, args: { a: 40, b: 2 } });
  const warmLatency = performance.now() - t1;
  expectResult(warm, { ok: true, value: 42, coldStart: false });
  expect(Number.isInteger(warm.cpuMs) && warm.cpuMs >= 1).toBe(true);
  // Cold start creates and starts a container (hundreds of ms); a warm job takes a few ms.
  expect(warmLatency).toBeLessThan(coldLatency / 2);
  if (hostQuiet()) expect(warmLatency).toBeLessThan(100);
});

test('async functions and other exported functions', async () => {
  const r = await pool.run({ owner: 'run-async', code: ADDER, fn: 'later', args: { n: 21 } });
  expectResult(r, { ok: true, value: { doubled: 42, at: 'later' } });
  expect(r.wallMs).toBeGreaterThanOrEqual(20);
  const d = await pool.run({ owner: 'run-async', code: ADDER, fn: 'default' });
  expectResult(d, { ok: true, value: 'default export' });
});

test('a missing export, or one that is not a function, is NO_SUCH_FUNCTION', async () => {
  const missing = await pool.run({ owner: 'run-errors', code: ADDER, fn: 'nope' });
  expectResult(missing, { ok: false, error: { code: 'NO_SUCH_FUNCTION' } });
  if (!missing.ok) expect(missing.error.message).toContain('later');
  const notFn = await pool.run({ owner: 'run-errors', code: ADDER, fn: 'notAFunction' });
  expectResult(notFn, { ok: false, error: { code: 'NO_SUCH_FUNCTION' } });
});

test('a throw is CODE_THREW with the message; a syntax error is INVALID_CODE', async () => {
  const threw = await pool.run({ owner: 'run-errors', code: 'export function run() { throw new RangeError("bad input 7") }' });
  expectResult(threw, { ok: false, error: { code: 'CODE_THREW' } });
  if (!threw.ok) expect(threw.error.message).toContain('RangeError: bad input 7');
  const rejected = await pool.run({ owner: 'run-errors', code: 'export async function run() { throw { reason: "plain object" } }' });
  expectResult(rejected, { ok: false, error: { code: 'CODE_THREW' } });
  if (!rejected.ok) expect(rejected.error.message).toContain('plain object');
  const timerThrow = await pool.run({ owner: 'run-errors', code: 'export function run() { setTimeout(() => { throw new Error("in a timer") }, 5); return new Promise(() => {}) }' });
  expectResult(timerThrow, { ok: false, error: { code: 'CODE_THREW' } });
  const syntax = await pool.run({ owner: 'run-errors', code: 'export function run( { return 1 }' });
  expectResult(syntax, { ok: false, error: { code: 'INVALID_CODE' } });
  const topLevel = await pool.run({ owner: 'run-errors', code: 'throw new Error("at load"); export function run() {}' });
  expectResult(topLevel, { ok: false, error: { code: 'CODE_THREW' } });
});

test('results must be JSON: functions, BigInt, NaN, Maps and cycles are OUTPUT_NOT_JSON', async () => {
  const cases = [
    'return () => 1',
    'return 10n',
    'return { n: NaN }',
    'return new Map([[1, 2]])',
    'const o = {}; o.self = o; return o',
    'return { nested: [1, { fn() {} }] }',
    'return Symbol("s")',
  ];
  for (const body of cases) {
    const r = await pool.run({ owner: 'run-json', code: `export function run() { ${body} }` });
    expect({ body, r }).toMatchObject({ body, r: { ok: false, error: { code: 'OUTPUT_NOT_JSON' } } });
  }
  const fine = await pool.run({ owner: 'run-json', code: 'export function run() { return { d: new Date(0), u: undefined, arr: [1, "x", null, true] } }' });
  expectResult(fine, { ok: true, value: { d: '1970-01-01T00:00:00.000Z', arr: [1, 'x', null, true] } });
  const nothing = await pool.run({ owner: 'run-json', code: 'export function run() {}' });
  expectResult(nothing, { ok: true, value: null });
});

test('a result over maxOutputBytes is OUTPUT_TOO_LARGE; the cap is configurable per run', async () => {
  const code = 'export function run(args) { return "x".repeat(args.n) }';
  const huge = await pool.run({ owner: 'run-size', code, args: { n: 10_000_000 } });
  expectResult(huge, { ok: false, error: { code: 'OUTPUT_TOO_LARGE' } });
  const manySmall = await pool.run({ owner: 'run-size', code: 'export function run() { return Array.from({ length: 100000 }, (_, i) => ({ i })) }' });
  expectResult(manySmall, { ok: false, error: { code: 'OUTPUT_TOO_LARGE' } });
  const small = await pool.run({ owner: 'run-size', code, args: { n: 1000 } });
  expectResult(small, { ok: true });
  const capped = await pool.run({ owner: 'run-size', code, args: { n: 1000 }, maxOutputBytes: 500 });
  expectResult(capped, { ok: false, error: { code: 'OUTPUT_TOO_LARGE' } });
});

test('args that are not JSON are refused before anything runs', async () => {
  const r = await pool.run({ owner: 'run-args', code: ADDER, args: { big: 1n } });
  expectResult(r, { ok: false, error: { code: 'INVALID_INPUT' }, cpuMs: 0 });
});

test('console output comes back as logs, capped', async () => {
  const r = await pool.run({ owner: 'run-logs', code: 'export function run() { console.log("hello from the sandbox"); return 1 }' });
  expectResult(r, { ok: true, logs: 'hello from the sandbox\n' });
  const long = await pool.run({ owner: 'run-logs', code: 'export function run() { console.error("x".repeat(20000)); console.log("the end"); return 1 }' });
  expect(long.logs).toContain('the end'); // the tail is kept
  expect(long.logs!.length).toBeLessThanOrEqual(4096 + 10);
  const crashLogs = await pool.run({ owner: 'run-logs', code: 'export function run() { console.log("before the throw"); throw new Error("boom") }' });
  expect(crashLogs.logs ?? '').toContain('before the throw');
  const exited = await pool.run({ owner: 'run-logs', code: 'export function run() { console.log("before the exit"); process.exit(3) }' });
  expectResult(exited, { ok: false, error: { code: 'CRASHED' } });
  expect(exited.logs ?? '').toContain('before the exit');
});

test('output written just before returning is all there, even more than a pipe holds', async () => {
  // The result does not wait for the job process to exit, only for the bytes it says it wrote.
  // One stream only: stdout and stderr are two pipes, read in no guaranteed order.
  const code = 'export function run() { process.stdout.write("o".repeat(300000)); console.log("last line"); return 1 }';
  for (let i = 0; i < 3; i++) {
    const r = await pool.run({ owner: 'run-logs-big', code });
    expectResult(r, { ok: true, value: 1 });
    expect(r.logs ?? '').toMatch(/last line\n$/);
  }
});

test('the module is loaded without a file: /tmp is empty, and errors name code.mjs with line and column', async () => {
  const code = `import fs from 'node:fs';
export function run() { return fs.readdirSync('/tmp') }
export function fails() {
  return helper();
}
function helper() { throw new RangeError('bad input 7') }`;
  const listing = await pool.run({ owner: 'run-module', code });
  expectResult(listing, { ok: true, value: [] });
  const threw = await pool.run({ owner: 'run-module', code, fn: 'fails' });
  expectResult(threw, { ok: false, error: { code: 'CODE_THREW' } });
  if (!threw.ok) {
    expect(threw.error.message).toContain('at helper (code.mjs:6:27)');
    expect(threw.error.message).toContain('at fails (code.mjs:4:10)');
  }
  const relative = await pool.run({ owner: 'run-module', code: 'import x from "./other.mjs"; export function run() { return x }' });
  expectResult(relative, { ok: false, error: { code: 'CODE_THREW' } });
  if (!relative.ok) {
    expect(relative.error.message).toContain('code.mjs');
    expect(relative.error.message).not.toContain('data:'); // the module's URL would spell out the whole source
  }
});

test('state does not leak between jobs: globals, module state, /tmp files', async () => {
  const owner = `run-leak-${Date.now()}`;
  const code = `
import fs from 'node:fs';
let counter = 0;
export function run() {
  counter++;
  const seen = { global: globalThis.leaked ?? null, counter, file: fs.existsSync('/tmp/leak.txt') };
  globalThis.leaked = 'from an earlier job';
  fs.writeFileSync('/tmp/leak.txt', 'x');
  return seen;
}`;
  const first = await pool.run({ owner, code });
  const second = await pool.run({ owner, code });
  expectResult(first, { ok: true, value: { global: null, counter: 1, file: false } });
  expectResult(second, { ok: true, value: { global: null, counter: 1, file: false }, coldStart: false });
});

test('different owners never share a container', async () => {
  const code = "import os from 'node:os'; export function run() { return os.hostname() }";
  const [a1, b1] = await Promise.all([pool.run({ owner: 'owner-a', code }), pool.run({ owner: 'owner-b', code })]);
  const a2 = await pool.run({ owner: 'owner-a', code });
  expect(a1.ok && b1.ok && a2.ok).toBe(true);
  if (a1.ok && b1.ok && a2.ok) {
    expect(a1.value).not.toEqual(b1.value); // the hostname is the container id
    expect(a2.value).toEqual(a1.value);
  }
  const owners = pool.containers().filter((c) => c.owner === 'owner-a' || c.owner === 'owner-b');
  const byId = new Map(owners.map((c) => [c.id, c.owner]));
  expect(new Set(byId.values()).size).toBe(2);
  expect(byId.size).toBe(owners.length);
});

test('concurrent runs for one owner each get a container of their own', async () => {
  const code = 'export async function run(args) { await new Promise((r) => setTimeout(r, 200)); return args.i }';
  const results = await Promise.all([0, 1, 2].map((i) => pool.run({ owner: 'owner-concurrent', code, args: { i } })));
  expect(results.map((r) => (r.ok ? r.value : show(r)))).toEqual([0, 1, 2]);
});
