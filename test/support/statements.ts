import { Client } from 'pg';

/** How many statements `fn` sends to the server (every client of every pool): tests of round trips and the benchmarks' reports. */
export async function countStatements(fn: () => Promise<unknown>): Promise<number> {
  const original = Client.prototype.query;
  let n = 0;
  Client.prototype.query = function (this: Client, ...args: unknown[]) {
    n++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof Client.prototype.query;
  try {
    await fn();
  } finally {
    Client.prototype.query = original;
  }
  return n;
}
