/**
 * Per-key debounce of a signal: the first request of a key goes out at once, later ones within
 * `intervalMs` of the last send are folded into one send when the interval ends. Nothing is lost
 * (the last request is always followed by a send) and a key is sent at most once per interval, so
 * a burst of transfers costs a sleeping agent's history one or two signals.
 */
export interface SignalDebounce {
  /** Splits `keys` into those to send now (marked sent) and those deferred to `onDue`. */
  admit(keys: string[]): string[];
  /** A send that failed: the key may be sent again at once. */
  forget(key: string): void;
  stop(): void;
}

export function signalDebounce(intervalMs: number, onDue: (key: string) => void): SignalDebounce {
  const lastSent = new Map<string, number>();
  const deferred = new Map<string, NodeJS.Timeout>();
  return {
    admit(keys) {
      const now = Date.now();
      for (const [k, t] of lastSent) if (now - t >= intervalMs && !deferred.has(k)) lastSent.delete(k);
      const send: string[] = [];
      for (const k of keys) {
        if (deferred.has(k)) continue; // a send is already due at the end of the interval
        const last = lastSent.get(k);
        if (last === undefined || now - last >= intervalMs) {
          lastSent.set(k, now);
          send.push(k);
          continue;
        }
        const timer = setTimeout(() => {
          deferred.delete(k);
          onDue(k);
        }, last + intervalMs - now);
        timer.unref();
        deferred.set(k, timer);
      }
      return send;
    },
    forget(key) {
      lastSent.delete(key);
    },
    stop() {
      for (const t of deferred.values()) clearTimeout(t);
      deferred.clear();
      lastSent.clear();
    },
  };
}
