/**
 * Sybils do not capture the UBI (SPEC section 9): principals made by the dozen through
 * genesis_store.create (dispatch, what the bridge and agents reach) and through the operator CLI
 * start no agent workflow, so a real resolution on Temporal shares the prices paid only among the
 * agents whose workflows run. And a principal costs its creator genesis.principalFee.
 */
import { main } from '../../src/cli/main';
import { agentIds } from '../../src/oracle/queries';
import { RESOLUTION_WORKFLOW, resolutionInput } from '../../src/oracle/schedule';
import { SETTLE, startAgentWorld, type AgentWorld } from '../agents/support/harness';
import { isScorerRequest } from './temporal';
import { TOOL_CODE } from './world';
import { stopSignal } from '../../src/agents/signals';

let w: AgentWorld;
beforeAll(async () => {
  w = await startAgentWorld({ oracle: { slots: 1, minBid: 1, mintRatio: 10 } });
}, 60_000);
afterAll(() => w?.close());

async function cli(args: string[]): Promise<number> {
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = w.db.url;
  try {
    return await main(args);
  } finally {
    process.env.DATABASE_URL = saved;
    out.mockRestore();
    err.mockRestore();
  }
}

test('20 sybil principals made through the store and the CLI get no UBI from a resolution; the running agents share it', async () => {
  const fee = w.config.genesis.principalFee;
  expect(fee).toBeGreaterThan(0);
  // Two real agents: their workflows run (they think once, then sleep).
  const runners = [await w.agent('run_a', { scrip: 1000 }), await w.agent('run_b', { scrip: 1000 })];
  for (const r of runners) {
    w.script(r, [], SETTLE);
    await w.start(r);
  }
  await w.waitFor('both agents asleep', async () => (await Promise.all(runners.map((r) => w.state(r)))).every((s) => s.status === 'sleeping'));

  // The sybil farm: ten through genesis_store.create (paying the fee each), ten through the CLI.
  const farmer = await w.account('farmer', { scrip: 10 * fee + 5 });
  const sybils: string[] = [];
  for (let i = 0; i < 10; i++) {
    const id = w.id(`sybil_store_${i}`);
    const o = await w.call(farmer, 'genesis_store', 'create', { id, type: 'agent', has_standing: true, can_execute: true });
    expect(o).toMatchObject({ ok: true });
    sybils.push(id);
  }
  expect(await w.scrip(farmer)).toBe(5);
  // The eleventh is more than the farmer can pay for.
  expect(await w.call(farmer, 'genesis_store', 'create', { id: w.id('sybil_store_x'), type: 'agent', has_standing: true, can_execute: true })).toMatchObject({
    ok: false,
    error: { code: 'INSUFFICIENT_FUNDS' },
  });
  for (let i = 0; i < 10; i++) {
    const id = w.id(`sybil_cli_${i}`);
    expect(await cli(['principal', 'create', id, '--kind', 'agent', '--json'])).toBe(0);
    sybils.push(id);
  }

  // Two bids; the winner pays the second price, 400, which is shared as UBI.
  for (const [r, amount] of [[runners[0], 500], [runners[1], 400]] as const) {
    expect(await w.call(r, 'genesis_store', 'create', { id: `${r}_tool`, type: 'tool', code: TOOL_CODE, can_execute: true })).toMatchObject({ ok: true });
    expect(await w.call(r, 'genesis_oracle', 'bid', { artifact_id: `${r}_tool`, amount })).toMatchObject({ ok: true });
  }
  w.fake.respond((body) => (isScorerRequest(body) ? { content: '{"score": 50, "reason": "adds"}' } : { content: SETTLE }));

  const scheduledTime = new Date(Math.floor(Date.now() / 1000) * 1000 + 1000).toISOString();
  await new Promise((r) => setTimeout(r, 1100)); // the bids are before the cutoff
  const handle = await w.client.workflow.start(RESOLUTION_WORKFLOW, {
    taskQueue: w.taskQueue,
    workflowId: `${w.prefix}-resolution`,
    args: [resolutionInput(w.config, scheduledTime)],
  });
  await handle.result();
  const resolved = (await w.pool.query(`SELECT results FROM oracle_resolutions WHERE status = 'resolved'`)).rows[0].results;

  expect(resolved.winners).toEqual([expect.objectContaining({ bidder: runners[0], price: 400, outcome: 'minted', minted: 5 })]);
  expect(resolved.ubi).toEqual({ total: 400, agents: 2, per_agent: 200, remainder: 0 });
  for (const s of sybils) expect(await w.scrip(s)).toBe(0);
  expect(await w.scrip(runners[0])).toBe(1000 - 400 + 5 + 200);
  expect(await w.scrip(runners[1])).toBe(1000 + 200);
  await w.expectAuditOk();

  // An agent whose workflow stopped no longer shares the UBI of later resolutions.
  await w.handle(runners[1]).signal(stopSignal);
  expect(await w.handle(runners[1]).result()).toMatchObject({ reason: 'stopped' });
  const client = await w.pool.connect();
  try {
    expect(await agentIds(client)).toEqual([runners[0]]);
  } finally {
    client.release();
  }
}, 120_000);
