/**
 * Creating an agent through genesis_store.create starts its workflow (a saga). The new agent has
 * no rights until its creator funds it: it waits, and the creator's quota transfers wake it. If the
 * start fails, the creation is compensated away: the artifact and its principal rows are removed in
 * one transaction and the action fails; a compensation refuses once something depends on the agent.
 */
import { act } from '../../src/agents/act';
import type { AgentControl } from '../../src/agents/types';
import { removeUnstartedAgent } from '../../src/agents/compensate';
import { beginThink, finishThink } from '../../src/agents/queries';
import { withTransaction } from '../../src/db/tx';
import { emit } from '../../src/events/emit';
import { startAllAgentWorkflows } from '../../src/temporal/agentWorkflows';
import { SETTLE, startAgentWorld, type AgentWorld } from './support/harness';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld();
});
afterAll(() => w?.close());

const invoke = (id: string, method: string, args: Record<string, unknown>) => JSON.stringify({ action: 'invoke_artifact', id, method, args });

test('an agent creates and funds another agent, whose workflow starts and thinks', async () => {
  const parent = await w.agent('parent', { scrip: 50 });
  const child = w.id('child');
  w.script(parent, [
    invoke('genesis_store', 'create', { id: child, type: 'agent', has_standing: true, can_execute: true, content: { system_prompt: 'I was made by my parent.' } }),
    JSON.stringify({ action: 'sleep', until_event: 'test_fund_it', max_seconds: 600 }),
    invoke('genesis_rights_registry', 'transfer_quota', { to: child, resource: 'llm_dollars', amount: 100_000_000 }),
    invoke('genesis_rights_registry', 'transfer_quota', { to: child, resource: 'llm_token_rate', amount: 500_000 }),
    invoke('genesis_rights_registry', 'transfer_quota', { to: child, resource: 'llm_token_capacity', amount: 5_000_000 }),
  ]);
  w.script(child, ['{"action":"noop"}'], SETTLE);
  await w.start(parent);

  const created = await w.waitFor('the creation', async () => (await w.actions(parent)).find((r) => r.iteration === 0 && r.status === 'done'));
  expect(created.result).toMatchObject({ id: child, created: true, workflow: 'started' });
  const description = await w.handle(child).describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.taskQueue).toBe(w.taskQueue);

  // born with no rights: its think is refused for want of an LLM dollar allowance, and it waits
  const waiting = await w.waitFor('the child to wait for money', async () => {
    const s = await w.state(child);
    return s.status === 'waiting-for-funding' ? s : undefined;
  });
  expect(waiting.waitingFor).toMatch(/^its LLM dollar allowance/);
  expect((await w.actions(child)).filter((r) => r.status !== 'thinking')).toEqual([]);
  await w.waitFor('the parent to sleep', async () => (await w.state(parent)).waitingFor === 'event test_fund_it');
  await withTransaction(w.pool, (c) => emit(c, { type: 'test_fund_it' }));

  // the parent's quota transfers wake it (balanceChanged from the relay)
  const settled = await w.waitFor('the child to think and settle', async () => {
    const s = await w.state(child);
    return s.iteration === 2 && s.status === 'sleeping' ? s : undefined;
  });
  expect(settled.memory.map((m) => m.action)).toEqual(['noop', 'sleep']);
  expect(w.calls(child)[0].body.messages[0].content).toContain('I was made by my parent.');
  const childCalls = await w.pool.query(`SELECT key, status FROM llm_calls WHERE payer_id = $1 AND status = 'succeeded' ORDER BY key`, [child]);
  // the refused attempts charged nothing; the think that ran is keyed by its attempt
  expect(childCalls.rows.map((r) => r.key)).toEqual([expect.stringMatching(new RegExp(`^${child}:0:think\\d+$`)), `${child}:1`]);
  await w.expectAuditOk();
});

async function storedAction(agentId: string, iteration: number, action: Record<string, unknown>): Promise<void> {
  const key = `${agentId}:${iteration}`;
  await beginThink(w.pool, { key, agentId, iteration, attempt: 0, prompt: {} });
  await finishThink(w.pool, {
    key, status: 'ready', llmKey: key, actionType: String(action.action), action, reasoning: null, rawOutput: null, error: null,
    summary: 'test', costMicros: 0, tokens: 0, keepPrompt: false,
  });
}

test('a failed workflow start undoes the creation; the action fails and a retry replays that', async () => {
  const maker = await w.agent('maker', { scrip: 10 });
  const orphan = w.id('orphan');
  const failing: AgentControl = { start: () => Promise.reject(new Error('temporal is down')), signal: async () => false };
  await storedAction(maker, 0, { action: 'invoke_artifact', id: 'genesis_store', method: 'create', args: { id: orphan, type: 'agent', has_standing: true, can_execute: true } });

  const out = await act({ pool: w.pool, config: w.config, control: failing }, { agentId: maker, iteration: 0 });
  expect(out).toMatchObject({ ok: false, action: 'invoke_artifact', error: { code: 'UNAVAILABLE' } });
  expect(out.error!.message).toMatch(/temporal is down.*undone/);
  for (const table of ['artifacts WHERE id', 'accounts WHERE principal_id', 'buckets WHERE principal_id', 'quotas WHERE principal_id']) {
    const r = await w.pool.query(`SELECT count(*)::int AS n FROM ${table} = $1`, [orphan]);
    expect(r.rows[0].n).toBe(0);
  }
  const undone = await w.pool.query(`SELECT data FROM events WHERE type = 'artifact_deleted' AND subject_id = $1`, [orphan]);
  expect(undone.rows[0].data).toMatchObject({ compensation: true, owner_id: maker });
  const row = (await w.actions(maker))[0];
  expect(row.status).toBe('failed');
  // the creator paid the compute of the create it asked for
  const charged = await w.pool.query(`SELECT count(*)::int AS n FROM resource_effects WHERE id = $1`, [`${maker}:0:compute`]);
  expect(charged.rows[0].n).toBe(1);

  // a retried activity replays the recorded failure and starts nothing
  let started = 0;
  const counting: AgentControl = { start: async () => void started++, signal: async () => false };
  expect(await act({ pool: w.pool, config: w.config, control: counting }, { agentId: maker, iteration: 0 })).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  expect(started).toBe(0);
  await w.expectAuditOk();
});

test('the compensation refuses once something depends on the new agent', async () => {
  // Each principal it makes costs the maker genesis.principalFee.
  const maker = await w.agent('maker2', { scrip: 10 + 2 * w.config.genesis.principalFee });
  const funded = w.id('funded');
  const created = await w.call(maker, 'genesis_store', 'create', { id: funded, type: 'agent', has_standing: true, can_execute: true });
  expect(created.ok).toBe(true);
  expect((await w.call(maker, 'genesis_ledger', 'transfer', { to: funded, amount: 3 })).ok).toBe(true);
  await expect(removeUnstartedAgent(w.pool, funded, 'test')).rejects.toMatchObject({ code: 'CONFLICT' });
  expect((await w.pool.query('SELECT count(*)::int AS n FROM artifacts WHERE id = $1', [funded])).rows[0].n).toBe(1);

  const bare = w.id('bare');
  expect((await w.call(maker, 'genesis_store', 'create', { id: bare, type: 'agent', has_standing: true, can_execute: true })).ok).toBe(true);
  expect(await removeUnstartedAgent(w.pool, bare, 'test')).toBe(true);
  expect(await removeUnstartedAgent(w.pool, bare, 'test')).toBe(false);
  await w.expectAuditOk();
});

test('startAllAgentWorkflows starts operator-made agents, and a second call changes nothing', async () => {
  const made = await w.agent('operator_made');
  w.script(made, [], SETTLE);
  const first = await startAllAgentWorkflows(w.pool, w.client, w.config);
  expect(first).toContain(made);
  const run = (await w.handle(made).describe()).runId;
  await startAllAgentWorkflows(w.pool, w.client, w.config);
  expect((await w.handle(made).describe()).runId).toBe(run);
  await w.waitFor('its first think', async () => (await w.actions(made)).length === 1);
  // clean up every agent this test started (the harness only knows its own)
  await Promise.all(first.map((id) => w.handle(id).terminate('test over').catch(() => undefined)));
});
