/**
 * A small live ecology for the dashboard tests, made through the real functions: operator
 * principals, genesis calls (transfers, artifacts, escrow, invocations, oracle bids, a quota
 * transfer that leaves one agent in debt for good), an oracle resolution, metrics windows over the
 * phases of the seeding, and agents running on Temporal with the fake LLM.
 */
import type { AgentState } from '../../../src/agents/types';
import { createOperatorPrincipal } from '../../../src/artifacts/operator';
import { invoke } from '../../../src/invoke';
import { aggregateWindow } from '../../../src/metrics/aggregate';
import { finishResolution, openResolution, resolutionIdFor, settleResolution } from '../../../src/oracle/resolution';
import { SETTLE, startAgentWorld, type AgentWorld } from '../../agents/support/harness';

export const IDS = { ada: 'ada', basil: 'basil', cleo: 'cleo', dmitri: 'dmitri', esme: 'esme', fund: 'commons_fund' } as const;
export const AGENTS = [IDS.ada, IDS.basil, IDS.cleo, IDS.dmitri, IDS.esme];

const TOOL = 'export function run(args) { return (args.a ?? 0) + (args.b ?? 0); }';
const invokeAction = (id: string, method: string, args: Record<string, unknown>) => JSON.stringify({ action: 'invoke_artifact', id, method, args });

export interface SeededEcology {
  w: AgentWorld;
  resolutionId: string;
  close(): Promise<void>;
}

async function ok(w: AgentWorld, caller: string, artifact: string, method: string, args: Record<string, unknown>): Promise<unknown> {
  const out = await w.call(caller, artifact, method, args);
  if (!out.ok) throw new Error(`${caller} ${artifact}.${method} failed: ${JSON.stringify(out.error)}`);
  return out.result;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function seedEcology(overrides: Record<string, unknown> = {}): Promise<SeededEcology> {
  const w = await startAgentWorld(overrides);
  // The dev server is shared and these workflow ids are plain names: end any left by an aborted run.
  await Promise.all(AGENTS.map((id) => w.handle(id).terminate('stale from an earlier run').catch(() => undefined)));
  const marks: Date[] = [new Date()];
  const phase = async (fn: () => Promise<void>) => {
    await fn();
    // Metrics windows are whole phases; the pause spreads them over the time axis.
    await pause(1100);
    marks.push(new Date());
  };

  await phase(async () => {
    const scrip: Record<string, number> = { ada: 500, basil: 350, cleo: 200, dmitri: 120, esme: 60 };
    for (const id of AGENTS) {
      await createOperatorPrincipal(w.pool, w.config, { id, kind: 'agent', scrip: scrip[id]!, compute: id === IDS.esme ? 10 : 10000, content: { model: 'gpt-4o-mini' } });
    }
    await createOperatorPrincipal(w.pool, w.config, { id: IDS.fund, kind: 'account', scrip: 1000, compute: 1000 });
    const rate = w.config.quotas.operatorPrincipal.compute_rate;
    await ok(w, IDS.esme, 'genesis_rights_registry', 'transfer_quota', { to: IDS.fund, resource: 'compute_rate', amount: rate });
  });

  await phase(async () => {
    await ok(w, IDS.ada, 'genesis_store', 'create', { id: 'ada_adder', type: 'tool', content: { doc: 'adds two numbers' }, code: TOOL, can_execute: true, price: 2 });
    await ok(w, IDS.basil, 'genesis_store', 'create', { id: 'basil_summarizer', type: 'tool', content: { doc: 'summarises text' }, code: TOOL, can_execute: true, price: 3 });
    await ok(w, IDS.cleo, 'genesis_store', 'create', { id: 'cleo_poem', type: 'data', content: { text: 'scarcity sings' } });
    await ok(w, IDS.ada, 'genesis_ledger', 'transfer', { to: IDS.basil, amount: 40, memo: 'for the summaries' });
    await ok(w, IDS.fund, 'genesis_ledger', 'transfer', { to: IDS.cleo, amount: 100, memo: 'grant' });
    await ok(w, IDS.basil, 'genesis_ledger', 'transfer', { to: IDS.dmitri, amount: 15 });
  });

  await phase(async () => {
    await ok(w, IDS.cleo, 'genesis_escrow', 'deposit', { artifact_id: 'cleo_poem', price: 30 });
    await ok(w, IDS.dmitri, 'genesis_store', 'create', { id: 'dmitri_map', type: 'data', content: { map: 'where the scrip flows' } });
    await ok(w, IDS.dmitri, 'genesis_escrow', 'deposit', { artifact_id: 'dmitri_map', price: 25 });
    await ok(w, IDS.ada, 'genesis_escrow', 'purchase', { artifact_id: 'dmitri_map' });
    await ok(w, IDS.dmitri, 'genesis_store', 'create', { id: 'dmitri_atlas', type: 'data', content: { atlas: 'every agent and what it sells' } });
    await ok(w, IDS.dmitri, 'genesis_escrow', 'deposit', { artifact_id: 'dmitri_atlas', price: 45, buyer: IDS.cleo });
    // Invocations of agent-written tools through the one entry point. No sandbox here (the test must
    // not need Docker): each saga holds the price, fails to run, and refunds it.
    for (const [caller, tool, n] of [[IDS.basil, 'ada_adder', 3], [IDS.cleo, 'ada_adder', 1], [IDS.dmitri, 'basil_summarizer', 2]] as const) {
      for (let i = 0; i < n; i++) await invoke({ pool: w.pool, config: w.config, sandbox: null }, { caller, artifactId: tool, method: 'run', args: { a: i, b: 1 }, key: `seed:${caller}:${tool}:${i}` });
    }
  });

  let resolutionId = '';
  await phase(async () => {
    await ok(w, IDS.ada, 'genesis_oracle', 'bid', { artifact_id: 'ada_adder', amount: 20 });
    await ok(w, IDS.basil, 'genesis_oracle', 'bid', { artifact_id: 'basil_summarizer', amount: 12 });
    const scheduled = new Date(Date.now() + 1000).toISOString();
    resolutionId = resolutionIdFor(scheduled);
    const opened = await openResolution(w.pool, w.config, scheduled);
    await settleResolution(w.pool, w.config, resolutionId, opened.slots.map((slot) => ({ slot, outcome: { ok: true as const, score: 72, reason: 'a small, correct, reusable tool' } })));
    await finishResolution(w.pool, w.config, resolutionId, new Date(Date.now() + 600_000));
  });

  await phase(async () => {
    // esme spends past zero, having given away her whole compute rate (at once, in the first phase):
    // in debt with nothing to refill it.
    for (let i = 0; i < 100; i++) {
      const out = await w.call(IDS.esme, 'genesis_ledger', 'all_balances', {});
      if (!out.ok && out.error.code === 'IN_DEBT') break;
    }
  });

  // The agents' own loops: each does a thing or two, then settles into a long sleep.
  w.script(IDS.ada, [JSON.stringify({ action: 'write_artifact', id: 'ada_haiku', type: 'data', content: { text: 'tokens fall like rain' }, reasoning: 'make something to sell' })]);
  w.script(IDS.basil, [invokeAction('genesis_ledger', 'transfer', { to: IDS.cleo, amount: 5, memo: 'tip' })]);
  // cleo waits for a sale, then thanks ada (the test makes the sale once the page is open).
  w.script(IDS.cleo, [JSON.stringify({ action: 'sleep', until_event: 'purchase', max_seconds: 3600 }), invokeAction('genesis_ledger', 'transfer', { to: IDS.ada, amount: 3, memo: 'thanks' })]);
  w.script(IDS.dmitri, ['this is not an action', invokeAction('genesis_escrow', 'list_active', {})]);
  w.script(IDS.esme, [], SETTLE);
  await Promise.all(AGENTS.map((id) => w.start(id)));

  const settled = (id: string, check: (s: AgentState) => boolean) => w.waitFor(`${id} to settle`, async () => check(await w.state(id)), 45000);
  const timer = (s: AgentState) => s.status === 'sleeping' && s.waitingFor === 'timer';
  await Promise.all([
    settled(IDS.ada, timer),
    settled(IDS.basil, timer),
    settled(IDS.dmitri, timer),
    settled(IDS.cleo, (s) => s.status === 'sleeping' && (s.waitingFor ?? '').includes('purchase')),
    settled(IDS.esme, (s) => s.status === 'frozen-in-debt'),
  ]);
  marks.push(new Date());
  for (let i = 1; i < marks.length; i++) await aggregateWindow(w.pool, { start: marks[i - 1]!, end: marks[i]! });

  return { w, resolutionId, close: () => w.close() };
}
