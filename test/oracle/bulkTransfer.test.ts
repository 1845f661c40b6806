/** bulkTransfer (src/ledger/bulk.ts), the set-based transfers the oracle's refunds and UBI use. */
import { withTransaction } from '../../src/db/tx';
import { bulkTransfer, type BulkLeg } from '../../src/ledger/bulk';
import { eventsSince } from '../support/harness';
import { setupOracleWorld, type OracleWorld } from './world';

let w: OracleWorld;
const run = (legs: BulkLeg[]) => withTransaction(w.pool, (c) => bulkTransfer(c, 'scrip', legs));

beforeAll(async () => {
  w = await setupOracleWorld();
  await w.agent('p1', 100);
  await w.agent('p2', 0);
  await w.agent('p3', 0);
});
afterAll(() => w.close());

it('applies every leg with its journal row, balances and transfer event', async () => {
  const mark = (await w.snapshot()).lastEvent;
  const r = await run([
    { id: 'b:1', from: 'p1', to: 'p2', amount: 30, kind: 'test' },
    { id: 'b:2', from: 'p1', to: 'p3', amount: 20, kind: 'test', reference: 'ref' },
    { id: 'b:3', from: 'p2', to: 'p3', amount: 5, kind: 'test' },
  ]);
  expect(r).toEqual({ applied: 3, replayed: 0 });
  expect([await w.scrip('p1'), await w.scrip('p2'), await w.scrip('p3')]).toEqual([50, 25, 25]);
  const events = await eventsSince(w.pool, mark, ['transfer']);
  expect(events.map((e) => [e.data.transfer_id, e.actor_id, e.subject_id, e.data.amount])).toEqual([
    ['b:1', 'p1', 'p2', 30],
    ['b:2', 'p1', 'p3', 20],
    ['b:3', 'p2', 'p3', 5],
  ]);
  await w.expectAuditOk();
});

it('replays legs already journaled and applies only the new ones', async () => {
  const r = await run([
    { id: 'b:1', from: 'p1', to: 'p2', amount: 30, kind: 'test' },
    { id: 'b:4', from: 'p1', to: 'p2', amount: 1, kind: 'test' },
  ]);
  expect(r).toEqual({ applied: 1, replayed: 1 });
  expect([await w.scrip('p1'), await w.scrip('p2')]).toEqual([49, 26]);
});

it('refuses an id reused for another transfer, an overdraft and bad legs, changing nothing', async () => {
  const before = await w.snapshot();
  await expect(run([{ id: 'b:5', from: 'p1', to: 'p2', amount: 1, kind: 'test' }, { id: 'b:1', from: 'p1', to: 'p2', amount: 31, kind: 'test' }])).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
  await expect(run([{ id: 'b:6', from: 'p3', to: 'p1', amount: 1000, kind: 'test' }])).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
  await expect(run([{ id: 'b:7', from: 'p1', to: 'p1', amount: 1, kind: 'test' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(run([{ id: 'b:8', from: 'p1', to: 'p2', amount: 0, kind: 'test' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(run([{ id: 'b:9', from: 'p1', to: 'p2', amount: 1, kind: 'test' }, { id: 'b:9', from: 'p1', to: 'p2', amount: 1, kind: 'test' }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  await expect(run([{ id: 'b:10', from: 'p1', to: 'nobody', amount: 1, kind: 'test' }])).rejects.toMatchObject({ code: 'NOT_FOUND' });
  const after = await w.snapshot();
  expect(after.accounts).toEqual(before.accounts);
  expect(after.journal).toBe(before.journal);
  await w.expectAuditOk();
});
