/** Refused by the queue: full, or waited past its deadline, or its caller went away. */
export class QueueRefusal extends Error {}

interface Waiter {
  start: () => void;
  fail: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One job at a time, in arrival order (FIFO). A job that waits longer than `timeoutMs` for its
 * turn, or arrives when `maxWaiting` wait already, is refused; an aborted job leaves the line.
 */
export class FifoQueue {
  private running = false;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly maxWaiting: number, private readonly timeoutMs: number) {}

  get length(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.turn(signal);
    try {
      return await job();
    } finally {
      this.running = false;
      this.waiting.shift()?.start();
    }
  }

  private turn(signal: AbortSignal): Promise<void> {
    if (!this.running && this.waiting.length === 0) {
      this.running = true;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new QueueRefusal(`the local model is busy: ${this.waiting.length} requests are waiting`));
    return new Promise<void>((resolve, reject) => {
      const leave = (e: Error) => {
        const i = this.waiting.indexOf(w);
        if (i >= 0) this.waiting.splice(i, 1);
        clearTimeout(w.timer);
        signal.removeEventListener('abort', onAbort);
        reject(e);
      };
      const onAbort = () => leave(new QueueRefusal('the request was cancelled while waiting for the local model'));
      const w: Waiter = {
        start: () => {
          clearTimeout(w.timer);
          signal.removeEventListener('abort', onAbort);
          this.running = true;
          resolve();
        },
        fail: leave,
        timer: setTimeout(() => leave(new QueueRefusal(`waited ${this.timeoutMs} ms for the local model`)), this.timeoutMs),
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(w);
    });
  }
}
