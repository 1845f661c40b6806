import { readdirSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/** CPU time (user + system) a process has used so far, in ms, from /proc (10 ms ticks); null when gone. */
export function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The first process whose command line contains every one of `words` (read-only look-up in /proc). */
export function findProcess(words: string[]): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (words.every((w) => cmd.includes(w))) return Number(name);
    } catch {
      // exited meanwhile
    }
  }
  return null;
}

/**
 * CPU used by the server processes of one database's connections over a window, ms. Connections
 * come and go (pools close idle ones), so each backend is sampled every `everyMs` from the first
 * time it is seen to the last; what a backend used between two samples before it exited is lost.
 */
export function trackPostgresCpu(pool: Pool, everyMs = 1000): { stop(): Promise<number> } {
  const seen = new Map<number, { first: number; last: number }>();
  const sample = async () => {
    const r = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    for (const { pid } of r.rows) {
      const cpu = processCpuMs(pid);
      if (cpu === null) continue;
      const s = seen.get(pid);
      if (s) s.last = cpu;
      else seen.set(pid, { first: cpu, last: cpu });
    }
  };
  const first = sample();
  const timer = setInterval(() => void sample().catch(() => undefined), everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await first;
      await sample();
      let total = 0;
      for (const s of seen.values()) total += s.last - s.first;
      return total;
    },
  };
}
