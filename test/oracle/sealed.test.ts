/**
 * Sealed bids (issue 14, item 1): until the resolution, a bid's amount and bidder are seen by the
 * bidder and operators only. A rival's every public view is checked after agent A bids: its prompt
 * (built as the think step builds it), genesis_event_log.read, genesis_ledger.history of hold_oracle
 * and of A, all_balances and balance, wake-ups on bid events, the dashboard's event API, its live
 * stream and its metrics, and a metrics window. A sees its own bid. After a real resolution (the
 * money steps the resolution workflow runs) the results are public.
 */
import { describeAction } from '../../src/agents/actions';
import { agentConfigFrom } from '../../src/agents/config';
import { buildPrompt } from '../../src/agents/prompt';
import { readPromptFacts } from '../../src/agents/promptFacts';
import { firedSubscriptions, subscribe } from '../../src/agents/queries';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { aggregateWindow } from '../../src/metrics/aggregate';
import { finishResolution, openResolution, settleResolution } from '../../src/oracle/resolution';
import { openSse, request, type SseReader } from '../dashboard/support/http';
import { setupOracleWorld, type OracleWorld } from './world';
import { silentLogger } from '../../src/log/logger';

const BID = 4321;
const RIVAL_BID = 1500;
/** What would show A's bid: its amount, a bid event, a movement of the hold. */
const REVEALS_BID = /4321|oracle_bid|hold_oracle/;
/** A public transfer's amount, made after the bid. */
const MARKER = '"amount":77,';

let w: OracleWorld;
let dash: Dashboard;
let stream: SseReader;
const since = new Date(Date.now() - 60_000);

/** The prompt of `agent`'s next think, built as the think activity builds it. */
async function promptOf(agent: string): Promise<string> {
  const facts = await readPromptFacts(w.pool, { agentId: agent, key: `${agent}:probe:${w.key()}`, prompt: w.config.agents.prompt });
  const messages = buildPrompt(facts, w.config, { agentId: agent, iteration: 1, agentConfig: agentConfigFrom(facts.content, w.config), now: new Date() });
  return messages.map((m) => m.content).join('\n');
}

/** The prompt's event sections (the genesis method list describes bidding, by design). */
function eventSections(prompt: string): string {
  return prompt.slice(prompt.indexOf('## Recent events involving you'), prompt.indexOf('## Oracle'));
}

const window = () => aggregateWindow(w.pool, { start: since, end: new Date(Date.now() + 60_000) });

beforeAll(async () => {
  w = await setupOracleWorld({ oracle: { slots: 1, minBid: 1, mintRatio: 10 }, dashboard: { pollIntervalMs: 300, slowPollIntervalMs: 100, minSnapshotGapMs: 50 } });
  for (const a of ['ag_a', 'ag_b', 'ag_c']) await w.agent(a, 10_000);
  await w.tool('ag_a', 'ag_a_tool');
  await w.tool('ag_c', 'ag_c_tool');
  await subscribe(w.pool, { key: 'sleep:ag_b', agentId: 'ag_b', eventType: 'oracle_bid_placed' });
  await subscribe(w.pool, { key: 'sleep:ag_c', agentId: 'ag_c', eventType: 'oracle_bid_placed' });
  dash = await startDashboard({ pool: w.pool, config: w.config, port: 0, logger: silentLogger() });
  stream = await openSse(`${dash.url}api/stream`);
  await stream.until('a first snapshot', (ms) => ms.some((m) => m.event === 'snapshot'));

  await w.ok('ag_a', 'genesis_oracle', 'bid', { artifact_id: 'ag_a_tool', amount: BID });
  // A public transfer after the bid: once the stream shows it, it would have shown the bid.
  await w.ok('ag_b', 'genesis_ledger', 'transfer', { to: 'ag_c', amount: 77 });
});

afterAll(async () => {
  stream?.close();
  await dash?.close();
  await w?.close();
});

describe('before the resolution, a rival sees neither the amount nor that A bid', () => {
  test("B's prompt", async () => {
    const prompt = await promptOf('ag_b');
    expect(prompt).toContain(MARKER);
    expect(eventSections(prompt)).not.toMatch(REVEALS_BID);
    expect(prompt).not.toContain(String(BID));
    // The oracle's status gives the number of open bids, never whose.
    expect(prompt).toContain('"open_bids":1');
  });

  test("B's genesis_event_log.read", async () => {
    const events = await w.ok<unknown[]>('ag_b', 'genesis_event_log', 'read', { limit: 1000 });
    expect(JSON.stringify(events)).toContain(MARKER);
    expect(JSON.stringify(events)).not.toMatch(REVEALS_BID);
    expect(await w.ok('ag_b', 'genesis_event_log', 'read', { types: ['oracle_bid_placed'] })).toEqual([]);
  });

  test("B's genesis_ledger.history of hold_oracle and of A", async () => {
    expect(await w.ok('ag_b', 'genesis_ledger', 'history', { principal: 'hold_oracle' })).toEqual([]);
    const ofA = await w.ok<Array<{ to: string; kind: string }>>('ag_b', 'genesis_ledger', 'history', { principal: 'ag_a' });
    expect(ofA.length).toBeGreaterThan(0); // the issuance is public
    expect(JSON.stringify(ofA)).not.toMatch(REVEALS_BID);
  });

  test('all_balances and balance do not show the hold', async () => {
    const all = await w.ok<Array<{ principal: string; scrip: number }>>('ag_b', 'genesis_ledger', 'all_balances', {});
    expect(all.map((r) => r.principal)).toContain('ag_a');
    expect(JSON.stringify(all)).not.toMatch(REVEALS_BID);
    await w.fails('FORBIDDEN', 'ag_b', 'genesis_ledger', 'balance', { principal: 'hold_oracle' });
    // A's balance as others see it counts its sealed hold, else the drop would show the amount.
    expect(all.find((r) => r.principal === 'ag_a')?.scrip).toBe(10_000);
    expect(await w.ok('ag_b', 'genesis_ledger', 'balance', { principal: 'ag_a' })).toMatchObject({ scrip: 10_000 });
    const agents = (await request(`${dash.url}api/agents`)).json<Array<{ id: string; scrip: number }>>();
    expect(agents.find((a) => a.id === 'ag_a')?.scrip).toBe(10_000);
    // ...and agrees with A's history as others see it.
    const seen = await w.ok<Array<{ from: string; to: string; amount: number }>>('ag_b', 'genesis_ledger', 'history', { principal: 'ag_a' });
    expect(seen.reduce((n, t) => n + (t.to === 'ag_a' ? t.amount : -t.amount), 0)).toBe(10_000);
    // A itself sees what it can spend.
    expect(await w.ok('ag_a', 'genesis_ledger', 'balance', {})).toMatchObject({ scrip: 10_000 - BID });
  });

  test('a rival sleeping until a bid event is not woken by it; the bidder would be', async () => {
    const fired = await firedSubscriptions(w.pool, null, 100);
    expect(fired.map((s) => s.agent_id)).toEqual([]);
    await subscribe(w.pool, { key: 'sleep:ag_a', agentId: 'ag_a', eventType: 'oracle_bid_placed' });
    await w.pool.query(`UPDATE agent_subscriptions SET after_seq = 0 WHERE key = 'sleep:ag_a'`);
    expect((await firedSubscriptions(w.pool, null, 100)).map((s) => s.agent_id)).toEqual(['ag_a']);
  });

  test("the dashboard's event API, live stream and metrics", async () => {
    const api = await request(`${dash.url}api/events?limit=1000`);
    expect(api.body).toContain(MARKER);
    expect(api.body).not.toMatch(REVEALS_BID);

    await stream.until('the marker transfer', (ms) => ms.some((m) => m.event === 'events' && m.data.includes(MARKER)));
    const streamed = stream.messages.filter((m) => m.event === 'events').map((m) => m.data).join('\n');
    expect(streamed).not.toMatch(REVEALS_BID);

    const win = await window();
    expect(JSON.stringify(win.data.transfers)).not.toMatch(REVEALS_BID);
    // The three issuances and the marker: the bid is not counted.
    expect(win.transfer_volume).toBe(3 * 10_000 + 77);
    const metrics = await request(`${dash.url}api/metrics`);
    expect(metrics.body).not.toMatch(REVEALS_BID);
  });

  test("an action's public summary leaves a bid's arguments out", () => {
    const summary = describeAction({ action: 'invoke_artifact', id: 'genesis_oracle', method: 'bid', args: { artifact_id: 'ag_a_tool', amount: BID } });
    expect(summary).not.toContain(String(BID));
    expect(describeAction({ action: 'invoke_artifact', id: 'genesis_ledger', method: 'transfer', args: { to: 'ag_b', amount: 7 } })).toContain('"amount":7');
  });
});

describe('the bidder sees its own bid', () => {
  test('in its prompt, its event log, its history and the hold', async () => {
    expect(eventSections(await promptOf('ag_a'))).toContain(`"amount":${BID}`);
    const events = await w.ok<Array<{ type: string; data: { amount?: number } }>>('ag_a', 'genesis_event_log', 'read', { limit: 1000 });
    expect(events.map((e) => e.type)).toContain('oracle_bid_placed');
    expect(events.some((e) => e.type === 'transfer' && e.data.amount === BID)).toBe(true);
    const own = await w.ok<Array<{ to: string; amount: number; kind: string }>>('ag_a', 'genesis_ledger', 'history', {});
    expect(own[0]).toMatchObject({ to: 'hold_oracle', amount: BID, kind: 'oracle_bid' });
    expect(await w.ok('ag_a', 'genesis_ledger', 'history', { principal: 'hold_oracle' })).toEqual([expect.objectContaining({ from: 'ag_a', amount: BID })]);
    expect(await w.ok('ag_a', 'genesis_oracle', 'check', { artifact_id: 'ag_a_tool' })).toMatchObject({ amount: BID, status: 'open' });
  });
});

describe('after the resolution the results are public', () => {
  test('the winner and its price are in every public view; the amounts bid stay sealed', async () => {
    await w.ok('ag_c', 'genesis_oracle', 'bid', { artifact_id: 'ag_c_tool', amount: RIVAL_BID });
    const scheduled = new Date(Date.now() + 1000).toISOString();
    const opened = await openResolution(w.pool, w.config, scheduled);
    expect(opened.slots).toEqual([1]);
    await settleResolution(w.pool, w.config, opened.resolution_id, [{ slot: 1, outcome: { ok: true, score: 80, reason: 'adds' } }]);
    await finishResolution(w.pool, w.config, opened.resolution_id, null);

    const winner = { bidder: 'ag_a', artifact_id: 'ag_a_tool', price: RIVAL_BID };
    const history = await w.ok<Array<{ winners: unknown[] }>>('ag_b', 'genesis_oracle', 'history', {});
    expect(history[0]!.winners).toEqual([expect.objectContaining(winner)]);
    const events = await w.ok<Array<{ type: string; data: { winners: unknown[] } }>>('ag_b', 'genesis_event_log', 'read', { types: ['oracle_resolved'] });
    expect(events[0]!.data.winners).toEqual([expect.objectContaining(winner)]);
    const prompt = eventSections(await promptOf('ag_b'));
    expect(prompt).toContain('oracle_resolved');
    expect(prompt).toContain('"bidder":"ag_a"');
    const api = await request(`${dash.url}api/events?limit=1000`);
    expect(api.body).toContain('oracle_resolved');
    // Vickrey: the winner's own amount is never part of the results.
    expect(api.body).not.toContain(String(BID));
    await w.expectAuditOk();
  });
});
