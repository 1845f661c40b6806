/**
 * invokeArtifactWorkflow's branches on the time-skipping test server, its activities mocked (plain
 * functions recording their calls): the settle path, the refund path, a run no sandbox worker takes
 * within runScheduleToStartMs, a run another world's worker refuses, a refused hold, and a
 * cancellation while the hold or the run is under way. Neither PostgreSQL nor Docker is needed; the
 * same saga against the real services is in temporal.test.ts. (The time-skipping server
 * skips timers and retry backoffs.)
 */
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SettleInput } from '../../src/invoke/settle';
import type { HoldResult, InvocationSummary, InvokeWorkflowInput, RunSummary } from '../../src/invoke/types';
import { startTimeSkipping, uniqueQueue, withWorkers } from '../support/timeSkipping';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows', 'invoke.ts');

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTimeSkipping();
});
afterAll(async () => {
  await env?.teardown();
});

const HELD: HoldResult = { ok: true, key: 'k', price: 5, payer: 'bob', payee: 'alice', owner: 'alice', replayed: false };
const RAN: RunSummary = { ok: true, cpuMs: 4, wallMs: 5, replayed: false };

/** The saga's three steps as mocks; each call is recorded as [step, input]. */
function mockSaga(opts: { hold?: () => Promise<HoldResult>; run?: () => Promise<RunSummary> } = {}) {
  const calls: Array<[string, unknown]> = [];
  return {
    calls,
    steps: (name: string) => calls.filter(([n]) => n === name).map(([, input]) => input),
    ledger: {
      async holdInvocation(input: unknown): Promise<HoldResult> {
        calls.push(['hold', input]);
        return opts.hold ? opts.hold() : HELD;
      },
      async settleInvocation(input: SettleInput): Promise<InvocationSummary> {
        calls.push(['settle', input]);
        return input.failure
          ? { ok: false, error: input.failure, replayed: false, compute_charged: 0, invocation: { refunded: true } as never }
          : { ok: true, replayed: false, compute_charged: 4 };
      },
    },
    sandbox: {
      async runInvocation(input: unknown): Promise<RunSummary> {
        calls.push(['run', input]);
        return opts.run ? opts.run() : RAN;
      },
    },
  };
}

function sagaInput(taskQueue: string, sandboxTaskQueue: string, activities: Partial<InvokeWorkflowInput['activities']> = {}): InvokeWorkflowInput {
  const input: InvokeWorkflowInput = {
    request: { caller: 'bob', artifactId: 'adder', method: 'run', args: { x: 1 }, key: uniqueQueue('key'), depth: 0 },
    sandboxTaskQueue,
    activities: { timeoutMs: 10_000, initialIntervalMs: 100, maximumIntervalMs: 1000, runScheduleToStartMs: 60_000, runTimeoutMs: 30_000, runMaximumAttempts: 2 },
    world: 'world-a',
  };
  return { ...input, activities: { ...input.activities, ...activities } };
}

/** Runs the saga with `saga`'s mocks: hold and settle on the workflow's queue, the run on the sandbox queue unless `noSandbox`. */
async function runSaga(
  saga: ReturnType<typeof mockSaga>,
  opts: { noSandbox?: boolean; activities?: Partial<InvokeWorkflowInput['activities']>; during?: (h: { cancel(): Promise<unknown> }) => Promise<void> } = {},
) {
  const taskQueue = uniqueQueue('saga');
  const sandboxQueue = uniqueQueue('saga-sandbox');
  const input = sagaInput(taskQueue, sandboxQueue, opts.activities);
  const more = opts.noSandbox ? [] : [{ taskQueue: sandboxQueue, activities: saga.sandbox }];
  return withWorkers(env, { workflowsPath: WORKFLOWS, taskQueue, activities: saga.ledger, more }, async () => {
    const handle = await env.client.workflow.start('invokeArtifactWorkflow', { taskQueue, workflowId: uniqueQueue('invoke'), args: [input] });
    if (opts.during) await opts.during(handle);
    const result = await handle.result().then(
      (r) => ({ ok: true as const, summary: r as InvocationSummary }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
    return { input, result };
  });
}

/** A promise and its resolver. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

test('the settle path: hold, run, settle with no failure; the settlement is the result', async () => {
  const saga = mockSaga();
  const { input, result } = await runSaga(saga);
  expect(result).toEqual({ ok: true, summary: { ok: true, replayed: false, compute_charged: 4 } });
  expect(saga.calls.map(([n]) => n)).toEqual(['hold', 'run', 'settle']);
  expect(saga.steps('hold')).toEqual([{ ...input.request, world: 'world-a' }]);
  expect(saga.steps('run')).toEqual([{ key: input.request.key, world: 'world-a' }]);
  expect(saga.steps('settle')).toEqual([{ key: input.request.key, world: 'world-a' }]);
});

test('the refund path: a run that fails every attempt is settled once with its failure (refunded)', async () => {
  const saga = mockSaga({
    run: async () => {
      throw ApplicationFailure.create({ type: 'SANDBOX_UNAVAILABLE', message: 'the container died' });
    },
  });
  const { input, result } = await runSaga(saga);
  expect(saga.steps('run')).toHaveLength(input.activities.runMaximumAttempts);
  expect(saga.steps('settle')).toEqual([{ key: input.request.key, world: 'world-a', failure: { code: 'SANDBOX_UNAVAILABLE', message: 'the container died' } }]);
  expect(result).toMatchObject({ ok: true, summary: { ok: false, error: { code: 'SANDBOX_UNAVAILABLE' }, compute_charged: 0 } });
});

test('no sandbox worker: the run is given up after its schedule-to-start timeout and refunded', async () => {
  const saga = mockSaga();
  // The test server does not skip time while an activity task waits on a queue nobody polls: a short
  // timeout, passing in real time.
  const { input, result } = await runSaga(saga, { noSandbox: true, activities: { runScheduleToStartMs: 1000 } });
  expect(saga.calls.map(([n]) => n)).toEqual(['hold', 'settle']);
  const [settle] = saga.steps('settle') as SettleInput[];
  expect(settle!.failure).toEqual({ code: 'SANDBOX_UNAVAILABLE', message: expect.stringContaining(input.sandboxTaskQueue) });
  expect(result).toMatchObject({ ok: true, summary: { ok: false, error: { code: 'SANDBOX_UNAVAILABLE' } } });
});

test("a run another world's worker refused is asked again after a pause, then settled as usual", async () => {
  let refusals = 0;
  const saga = mockSaga({
    run: async () => {
      if (refusals++ === 0) throw ApplicationFailure.create({ type: 'WORLD_MISMATCH', message: 'this worker serves world b', nonRetryable: true });
      return RAN;
    },
  });
  const { result } = await runSaga(saga);
  expect(saga.calls.map(([n]) => n)).toEqual(['hold', 'run', 'run', 'settle']);
  expect((saga.steps('settle')[0] as SettleInput).failure).toBeUndefined();
  expect(result).toMatchObject({ ok: true, summary: { ok: true } });
});

test('a refused hold ends the saga: nothing runs, nothing is settled', async () => {
  const refused: HoldResult = { ok: false, key: 'k', error: { code: 'INSUFFICIENT_FUNDS', message: 'bob has 1 scrip' }, replayed: false };
  const saga = mockSaga({ hold: async () => refused });
  const { result } = await runSaga(saga);
  expect(saga.calls.map(([n]) => n)).toEqual(['hold']);
  expect(result).toEqual({ ok: true, summary: { ok: false, error: refused.error, replayed: false, compute_charged: 0 } });
});

test('cancelled while the code runs: settled (refunded) exactly once, then the workflow ends cancelled', async () => {
  const started = gate();
  const saga = mockSaga({
    run: async () => {
      started.open();
      // Runs until cancelled (heartbeats carry the cancellation to the activity).
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(50);
      }
    },
  });
  const { input, result } = await runSaga(saga, {
    during: async (h) => {
      await started.wait;
      await h.cancel();
    },
  });
  expect(saga.steps('hold')).toHaveLength(1);
  expect(saga.steps('settle')).toEqual([
    { key: input.request.key, world: 'world-a', failure: { code: 'CANCELLED', message: 'the invocation was cancelled before its run reported' } },
  ]);
  expect(result.ok).toBe(false);
  const error = (result as { error: unknown }).error;
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
});

test('cancelled while the price is being held: the hold finishes, the run never starts, the hold is settled (refunded) once', async () => {
  const holding = gate();
  const release = gate();
  const saga = mockSaga({
    hold: async () => {
      holding.open();
      await release.wait;
      return HELD;
    },
  });
  const { input, result } = await runSaga(saga, {
    during: async (h) => {
      await holding.wait;
      await h.cancel();
      release.open();
    },
  });
  expect(saga.calls.map(([n]) => n)).toEqual(['hold', 'settle']);
  expect(result.ok).toBe(false);
  expect((result as { error: WorkflowFailedError }).error.cause).toBeInstanceOf(CancelledFailure);
  expect(saga.steps('settle')).toEqual([{ key: input.request.key, world: 'world-a', failure: expect.objectContaining({ code: 'CANCELLED' }) }]);
});
