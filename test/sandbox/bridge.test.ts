/** The host bridge: ctx.read / ctx.invoke / ctx.llm reach onCall and come back into the code. */
import type { SandboxPool } from '../../src/sandbox';
import { expectResult, makePool, sandboxImage } from './support';

let pool: SandboxPool;

beforeAll(async () => {
  pool = makePool(await sandboxImage());
});
afterAll(() => pool?.close());

test('ctx.read, ctx.invoke and ctx.llm reach onCall and get the reply', async () => {
  const calls: Array<[string, unknown]> = [];
  const code = `
export async function run(args, ctx) {
  const doc = await ctx.read('notes');
  const sum = await ctx.invoke('adder', 'run', { a: 1, b: 2 });
  const [x, y] = await Promise.all([ctx.read('x'), ctx.read('y')]);
  const answer = await ctx.llm([{ role: 'user', content: 'hi' }], { max_tokens: 5 });
  return { doc, sum, x, y, answer };
}`;
  const r = await pool.run({
    owner: 'bridge',
    code,
    onCall: async (op, payload) => {
      calls.push([op, payload]);
      const p = payload as Record<string, unknown>;
      if (op === 'read') return { id: p.id, content: `content of ${String(p.id)}` };
      if (op === 'invoke') return (p.args as { a: number; b: number }).a + (p.args as { a: number; b: number }).b;
      return { text: 'hello' };
    },
  });
  expectResult(r, {
    ok: true,
    value: {
      doc: { id: 'notes', content: 'content of notes' },
      sum: 3,
      x: { id: 'x' },
      y: { id: 'y' },
      answer: { text: 'hello' },
    },
  });
  expect(calls).toEqual(
    expect.arrayContaining([
      ['read', { id: 'notes' }],
      ['invoke', { id: 'adder', method: 'run', args: { a: 1, b: 2 } }],
      ['llm', { messages: [{ role: 'user', content: 'hi' }], options: { max_tokens: 5 } }],
    ]),
  );
  expect(calls).toHaveLength(5);
});

test("ctx.invoke's fourth argument carries the grant for the invoked code; without it the payload has none", async () => {
  const calls: unknown[] = [];
  const code = `
export async function run(args, ctx) {
  await ctx.invoke('t', 'run', {}, { allowance: { scrip: 3 }, max_price: 1 });
  await ctx.invoke('t');
  return 'ok';
}`;
  const r = await pool.run({ owner: 'bridge', code, onCall: async (_op, payload) => {
      calls.push(payload);
      return null;
    },
  });
  expectResult(r, { ok: true, value: 'ok' });
  expect(calls).toEqual([
    { id: 't', method: 'run', args: {}, grant: { allowance: { scrip: 3 }, max_price: 1 } },
    { id: 't', method: 'run', args: {} },
  ]);
});

test('an error reply is thrown inside the code with its code and message', async () => {
  const code = `
export async function run(args, ctx) {
  try {
    await ctx.invoke('vault', 'withdraw', { amount: 5 });
    return 'no error';
  } catch (e) {
    return { caught: true, code: e.code, message: e.message, isError: e instanceof Error };
  }
}
export async function uncaught(args, ctx) { await ctx.read('secret'); }`;
  const onCall = async () => {
    throw Object.assign(new Error('you may not invoke vault'), { code: 'FORBIDDEN' });
  };
  const r = await pool.run({ owner: 'bridge', code, onCall });
  expectResult(r, { ok: true, value: { caught: true, code: 'FORBIDDEN', message: 'you may not invoke vault', isError: true } });
  const u = await pool.run({ owner: 'bridge', code, fn: 'uncaught', onCall });
  expectResult(u, { ok: false, error: { code: 'CODE_THREW' } });
  if (!u.ok) expect(u.error.message).toContain('you may not invoke vault');
});

test("a host error whose code is not one of ours (a Node or driver code) reaches the code as CALL_FAILED", async () => {
  const code = 'export async function run(args, ctx) { return ctx.read("x").then(() => "no error", (e) => ({ code: e.code, message: e.message })) }';
  const onCall = async () => {
    throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  };
  const r = await pool.run({ owner: 'bridge', code, onCall });
  expectResult(r, { ok: true, value: { code: 'CALL_FAILED', message: 'read ECONNRESET' } });
});

test('without onCall the bridge answers NOT_SUPPORTED; non-JSON requests are refused in the code', async () => {
  const code = `
export async function run(args, ctx) {
  const out = {};
  try { await ctx.read('a') } catch (e) { out.noBridge = e.code }
  try { await ctx.invoke('a', 'run', { f: () => 1 }) } catch (e) { out.badArgs = e.code }
  return out;
}`;
  const r = await pool.run({ owner: 'bridge', code });
  expectResult(r, { ok: true, value: { noBridge: 'NOT_SUPPORTED', badArgs: 'INVALID_ARGUMENT' } });
});

test('a reply arriving after the job ended is dropped and does not disturb the next job', async () => {
  let release: () => void = () => undefined;
  const slow = new Promise<void>((resolve) => {
    release = resolve;
  });
  const first = await pool.run({
    owner: 'bridge-late',
    code: 'export async function run(a, ctx) { ctx.read("slow").catch(() => {}); return "did not wait" }',
    onCall: async () => {
      await slow;
      return 'late';
    },
  });
  expectResult(first, { ok: true, value: 'did not wait' });
  release();
  const second = await pool.run({ owner: 'bridge-late', code: 'export async function run(a, ctx) { return await ctx.read("now") }', onCall: async () => 'fresh' });
  expectResult(second, { ok: true, value: 'fresh' });
});

test('time spent waiting on the host counts against the wall-clock limit', async () => {
  const r = await pool.run({
    owner: 'bridge-wait',
    code: 'export async function run(a, ctx) { return await ctx.read("forever") }',
    onCall: () => new Promise(() => undefined),
    timeoutMs: 500,
  });
  expectResult(r, { ok: false, error: { code: 'TIMEOUT' } });
  expect(r.cpuMs).toBeLessThan(100); // waiting burns no CPU
});
