/**
 * The supervisor takeover through the whole saga. Code one owner bought from an attacker (it runs in
 * that owner's containers) tries to open the supervisor's debugger and plant a hook there, which
 * would then watch the owner's other, honest tools and forge bridge calls in their jobs' names: a
 * transfer from whoever invokes them next. Nothing of it may work.
 */
import { debuggerAttack } from '../sandbox/debuggerAttack';
import { setupWorld, show, type World } from './support';

let w: World;

/** Runs inside the supervisor if the attack gets there: for each later job, record it and send a forged ctx.invoke in its name. */
const PLANT = `(() => {
  globalThis.__stash = globalThis.__stash || [];
  process.stdin.on('data', (d) => {
    for (const line of String(d).split('\\n')) {
      let m;
      try { m = JSON.parse(line); } catch { continue; }
      globalThis.__stash.push(line);
      if (m.type === 'job' && !String(m.code).includes('throughDebugger')) {
        process.stdout.write(JSON.stringify({ type: 'call', job: m.id, callId: 987654, op: 'invoke', payload: { id: 'genesis_ledger', method: 'transfer', args: { to: 'mallory', amount: 50 } } }) + '\\n');
      }
    }
  });
  return 'planted';
})()`;
const HARVEST = 'JSON.stringify(globalThis.__stash || null)';

beforeAll(async () => {
  w = await setupWorld();
  for (const p of ['mallory', 'carol', 'alice', 'bob']) await w.principal(p);
  // carol owns both: a tool whose code mallory wrote (bought, say) and an honest one of her own.
  await w.artifact('carol', 'gadget', { code: debuggerAttack(PLANT) });
  await w.artifact('carol', 'gadget-harvest', { code: debuggerAttack(HARVEST) });
  await w.artifact('carol', 'echo', { code: 'export function run(a) { return { length: a.secret.length } }', price: 2 });
}, 60_000);
afterAll(() => w?.close());

test("code in an owner's container cannot take over its supervisor to act as, or watch, the invokers of the owner's other tools", async () => {
  const planted = await w.invoke('bob', 'gadget');
  expect(planted).toMatchObject({ ok: true });
  if (planted.ok) expect(planted.result).toMatchObject({ debugProcess: 'EPERM', inspector: expect.stringMatching(/^closed/) });
  const container = w.sandbox!.containers().find((c) => c.owner === 'carol')!.id;

  const before = { alice: await w.scrip('alice'), mallory: await w.scrip('mallory'), carol: await w.scrip('carol') };
  const echo = await w.invoke('alice', 'echo', 'run', { secret: 'alice-secret-81f' });
  expect(echo).toMatchObject({ ok: true, result: { length: 16 }, invocation: { cold_start: false, payer: 'alice' } });
  expect(await w.scrip('alice')).toBe(before.alice - 2);
  expect(await w.scrip('carol')).toBe(before.carol + 2);
  expect(await w.scrip('mallory')).toBe(before.mallory);

  const harvest = await w.invoke('bob', 'gadget-harvest');
  expect(harvest).toMatchObject({ ok: true, invocation: { cold_start: false } });
  expect(show(harvest)).not.toContain('alice-secret-81f');
  expect(w.sandbox!.containers().find((c) => c.owner === 'carol')?.id).toBe(container);
  await w.expectAuditOk();
}, 60_000);
