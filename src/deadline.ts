/**
 * Waiting with a bound, for promises that take no AbortSignal (dockerode's calls, an RPC whose own
 * deadline may not cover a connection that never answers).
 */

/** A deadline `ms` from now: `race(p)` rejects with Error(`message`) once it passes; `clear()` stops its timer. */
export function deadline(ms: number, message: string): { race<T>(p: Promise<T>): Promise<T>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  passed.catch(() => undefined); // it may pass while nothing is raced against it
  return { race: (p) => Promise.race([p, passed]), clear: () => clearTimeout(timer) };
}

/** `p`, or an Error(`message`) once `ms` have passed. */
export async function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  const d = deadline(ms, message);
  try {
    return await d.race(p);
  } finally {
    d.clear();
  }
}
