/**
 * Records the replay fixtures: runs agentWorkflow for real (dev server, a fresh database, the fake
 * LLM) through scenarios that cover its paths, and writes each run's history as JSON to
 * test/histories/agent-<scenario>[-run<n>].json. test/agents/replay.test.ts replays them against
 * the current workflow code. Re-record (and review the diff) after a deliberate, versioned change:
 *
 *   eval "$(scripts/services.sh --env)" && npx tsx test/histories/record.ts
 *
 * pre-local-agent-*.json are not re-recorded: they were recorded before the patch
 * `local-readiness-and-act` (workflows/agent.ts) and prove that agents started by older code still
 * replay after it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { removeUnstartedAgent } from '../../src/agents/compensate';
import { withTransaction } from '../../src/db/tx';
import { emit } from '../../src/events/emit';
import type { AgentState } from '../../src/agents/types';
import { startAgentWorld, type AgentWorld } from '../agents/support/harness';
import { balanceChangedSignal, configChangedSignal, pauseSignal, resumeSignal, stopSignal, wakeSignal } from '../../src/agents/signals';

const DIR = __dirname;
const invoke = (id: string, method: string, args: Record<string, unknown> = {}) => JSON.stringify({ action: 'invoke_artifact', id, method, args });
const NOOP = '{"action":"noop"}';
const LONG = '{"action":"sleep","seconds":3600}';

async function until(w: AgentWorld, id: string, what: string, check: (s: AgentState) => boolean): Promise<AgentState> {
  return w.waitFor(what, async () => {
    const s = await w.state(id);
    return check(s) ? s : undefined;
  });
}

/** Writes every run of `agent-<id>`, oldest first. */
async function save(w: AgentWorld, agentId: string, name: string): Promise<void> {
  const runs: Array<{ runId: string; startTime: Date }> = [];
  for await (const e of w.client.workflow.list({ query: `WorkflowId = 'agent-${agentId}'` })) runs.push({ runId: e.runId, startTime: e.startTime });
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  for (const [i, r] of runs.entries()) {
    const history = await w.client.workflow.getHandle(`agent-${agentId}`, r.runId).fetchHistory();
    const file = join(DIR, `agent-${name}${runs.length > 1 ? `-run${i + 1}` : ''}.json`);
    writeFileSync(file, historyToJSON(history) + '\n');
    process.stdout.write(`wrote ${file} (${history.events?.length} events)\n`);
  }
}

/** think, act, an invalid output, every kind of sleep, wake, pause, resume, configChanged, stop. */
async function life(w: AgentWorld): Promise<void> {
  const a = await w.agent('life', { scrip: 100 });
  const b = await w.agent('other');
  const rich = await w.account('rich', { scrip: 1000 });
  w.script(a, [
    invoke('genesis_ledger', 'transfer', { to: b, amount: 5 }),
    'not json',
    '{"action":"sleep","seconds":1}',
    '{"action":"sleep","until_event":"record_bell","max_seconds":600}',
    '{"action":"sleep","until":{"resource":"scrip","op":">=","value":200},"max_seconds":600}',
    LONG,
    LONG,
  ], NOOP);
  const h = await w.start(a);
  await until(w, a, 'the event sleep', (s) => s.waitingFor === 'event record_bell');
  await withTransaction(w.pool, (c) => emit(c, { type: 'record_bell' }));
  await until(w, a, 'the predicate sleep', (s) => s.waitingFor === 'scrip >= 200');
  await w.call(rich, 'genesis_ledger', 'transfer', { to: a, amount: 150 });
  await until(w, a, 'the long sleep', (s) => s.iteration === 6 && s.waitingFor === 'timer');
  await h.signal(wakeSignal);
  await until(w, a, 'the second long sleep', (s) => s.iteration === 7 && s.waitingFor === 'timer');
  await h.signal(pauseSignal);
  await h.signal(wakeSignal);
  await until(w, a, 'the pause', (s) => s.status === 'paused');
  await h.signal(configChangedSignal);
  await h.signal(resumeSignal);
  await w.waitFor('a think after resume', async () => (await w.actions(a)).length >= 8);
  await h.signal(stopSignal);
  await h.result();
  await save(w, a, 'life');
}

/** compute debt: frozen until a rescue transfer. */
async function debt(w: AgentWorld): Promise<void> {
  const a = await w.agent('debtor', { compute: 100 });
  const rescuer = await w.account('rescuer', { compute: 60_000_000 });
  w.script(a, [invoke('genesis_rights_registry', 'all_quotas')], LONG);
  const h = await w.start(a);
  await until(w, a, 'the freeze', (s) => s.status === 'frozen-in-debt');
  await w.call(rescuer, 'genesis_ledger', 'transfer_compute', { to: a, amount: 50_010_000 });
  await until(w, a, 'the sleep after the rescue', (s) => s.iteration === 2 && s.status === 'sleeping');
  await h.signal(stopSignal);
  await h.result();
  await save(w, a, 'debt');
}

/** continue-as-new after two iterations, three runs. */
async function continued(w: AgentWorld): Promise<void> {
  const a = await w.agent('continued', { scrip: 10 });
  w.script(a, [NOOP, NOOP, NOOP, NOOP], LONG);
  const h = await w.start(a);
  await until(w, a, 'the sleep in the third run', (s) => s.iteration === 5 && s.status === 'sleeping');
  await h.signal(stopSignal);
  await h.result();
  await save(w, a, 'continued');
}

/** the system budget spent: waiting-for-budget, then a wake. */
async function budget(w: AgentWorld): Promise<void> {
  const a = await w.agent('budget');
  w.script(a, [], NOOP);
  const h = await w.start(a);
  await until(w, a, 'the budget wait', (s) => s.status === 'waiting-for-budget');
  await h.signal(wakeSignal);
  await h.signal(stopSignal);
  await h.result();
  await save(w, a, 'budget');
}

/** balanceChanged flooding a predicate sleep: the run continues as new mid-sleep (patch continue-as-new-in-waits), the next finishes it. */
async function flooded(w: AgentWorld): Promise<void> {
  const a = await w.agent('flooded');
  const payer = await w.account('payer', { scrip: 1000 });
  w.script(a, ['{"action":"sleep","until":{"resource":"scrip","op":">=","value":50},"max_seconds":600}'], LONG);
  const h = await w.start(a);
  await until(w, a, 'the predicate sleep', (s) => s.waitingFor === 'scrip >= 50');
  const first = (await h.describe()).runId;
  while ((await h.describe()).runId === first) {
    for (let i = 0; i < 10; i++) await h.signal(balanceChangedSignal);
  }
  await until(w, a, 'the resumed sleep', (s) => s.waitingFor === 'scrip >= 50');
  await w.call(payer, 'genesis_ledger', 'transfer', { to: a, amount: 60 });
  await until(w, a, 'the sleep after it', (s) => s.iteration === 2 && s.waitingFor === 'timer');
  await h.signal(stopSignal);
  await h.result();
  await save(w, a, 'flooded');
}

/** Recorded after the world id and the patch `record-agent-end`: an agent stopped, and one whose artifact is gone. */
async function world(w: AgentWorld): Promise<void> {
  const a = await w.agent('world_stop');
  w.script(a, [NOOP], LONG);
  const h = await w.start(a);
  await until(w, a, 'the long sleep', (s) => s.iteration === 2 && s.status === 'sleeping');
  await h.signal(stopSignal);
  await h.result();
  await save(w, a, 'world-stop');
  const gone = await w.agent('world_gone', { compute: 0 });
  await removeUnstartedAgent(w.pool, gone, 'recording: deleted');
  await (await w.start(gone)).result();
  await save(w, gone, 'world-missing');
}

/** Issue 14 by agents' actions: a parent creates a child with an endowment, whose workflow the creation starts; the child offers a right in escrow and a third agent buys it. */
async function market(w: AgentWorld): Promise<void> {
  const parent = await w.agent('parent', { scrip: 100 });
  const child = w.id('child');
  const buyer = await w.agent('buyer', { scrip: 100 });
  const rights = { llm_dollars: 100_000_000, llm_token_rate: 500_000, llm_token_capacity: 5_000_000, compute_rate: 10, compute_capacity: 5000 };
  const birth = { action: 'write_artifact', id: child, type: 'agent', has_standing: true, can_execute: true, content: { system_prompt: 'endowed child' }, endowment: { scrip: 7, compute: 2000, quotas: rights } };
  w.script(parent, [JSON.stringify(birth)], LONG);
  w.script(child, [invoke('genesis_escrow', 'offer_right', { resource: 'llm_token_rate', amount: 1000, price: 3 })], LONG);
  const sale: { offerId?: number } = {};
  w.script(buyer, [() => ({ content: sale.offerId === undefined ? LONG : invoke('genesis_escrow', 'buy_right', { offer_id: sale.offerId }) })], LONG);
  await w.start(parent);
  await until(w, parent, 'the parent to settle', (s) => s.iteration === 2 && s.status === 'sleeping');
  await until(w, child, 'the child to settle', (s) => s.iteration === 2 && s.status === 'sleeping');
  sale.offerId = ((await w.actions(child))[0].result as { offer_id: number }).offer_id;
  await w.start(buyer);
  await until(w, buyer, 'the buyer to settle', (s) => s.iteration === 2 && s.status === 'sleeping');
  const sold = (await w.actions(buyer))[0];
  if (sold.status !== 'done') throw new Error(`the purchase failed: ${JSON.stringify(sold)}`);
  for (const [id, name] of [[parent, 'market-parent'], [child, 'market-child'], [buyer, 'market-buyer']]) {
    const h = w.handle(id);
    await h.signal(stopSignal);
    await h.result();
    await save(w, id, name);
  }
}

async function main(): Promise<void> {
  const scenarios: Array<[string, (w: AgentWorld) => Promise<void>, Record<string, unknown>]> = [
    ['life', life, {}],
    ['debt', debt, { genesis: { computeCost: { 'genesis_rights_registry.all_quotas': 50_000_000 } } }],
    ['continued', continued, { agents: { maxIterationsPerRun: 2 } }],
    ['flooded', flooded, { agents: { maxHistoryEventsPerRun: 100 } }],
    ['world', world, {}],
    ['market', market, {}],
    ['budget', budget, { llm: { systemBudgetMicros: 8000, defaultModel: 'test-model', prices: { 'test-model': { input: 1_000_000, output: 2_000_000 } } } }],
  ];
  const only = process.argv.slice(2);
  for (const [name, run, overrides] of scenarios) {
    if (only.length && !only.includes(name)) continue;
    const w = await startAgentWorld(overrides);
    try {
      await run(w);
    } finally {
      await w.close();
    }
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
