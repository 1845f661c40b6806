/**
 * The local model's line (src/llm/local/queue.ts): one inference at a time, in arrival order; a
 * full line and a long wait are refused; a caller that goes away leaves the line.
 */
import { FifoQueue, QueueRefusal } from '../../src/llm/local/queue';

const never = new AbortController().signal;

function gate(): { open: () => void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

test('jobs run one at a time, in the order they arrived', async () => {
  const q = new FifoQueue(10, 60_000);
  const first = gate();
  const order: number[] = [];
  let running = 0;
  let most = 0;
  const job = (n: number, wait?: Promise<void>) => async () => {
    running++;
    most = Math.max(most, running);
    await wait;
    order.push(n);
    running--;
    return n;
  };
  const all = [q.run(job(0, first.wait), never), q.run(job(1), never), q.run(job(2), never), q.run(job(3), never)];
  expect(q.length).toBe(3);
  first.open();
  expect(await Promise.all(all)).toEqual([0, 1, 2, 3]);
  expect(order).toEqual([0, 1, 2, 3]);
  expect(most).toBe(1);
});

test('a full line refuses at once; a long wait is refused; the line goes on', async () => {
  const q = new FifoQueue(1, 50);
  const busy = gate();
  const running = q.run(() => busy.wait, never);
  const waiting = q.run(async () => 'late', never);
  await expect(q.run(async () => 'full', never)).rejects.toThrow(QueueRefusal);
  await expect(waiting).rejects.toThrow(/waited 50 ms/);
  busy.open();
  await running;
  expect(await q.run(async () => 'next', never)).toBe('next');
});

test('a caller that goes away leaves the line, and the next one takes its turn', async () => {
  const q = new FifoQueue(10, 60_000);
  const busy = gate();
  const running = q.run(() => busy.wait, never);
  const gone = new AbortController();
  let ran = false;
  const leaving = q.run(async () => void (ran = true), gone.signal);
  const staying = q.run(async () => 'stayed', never);
  gone.abort();
  await expect(leaving).rejects.toThrow(/cancelled/);
  busy.open();
  await running;
  expect(await staying).toBe('stayed');
  expect(ran).toBe(false);
});
