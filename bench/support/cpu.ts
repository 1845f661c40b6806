import { readFileSync } from 'node:fs';
import type { Pool } from 'pg';

/** CPU time used so far by this process, in ms. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * CPU time used so far by the server processes of one database's connections, in ms, read from
 * /proc (the server runs on this machine); null where /proc cannot tell. Clock ticks are 10 ms,
 * plenty over a run of seconds.
 */
export function serverCpu(pool: Pool): () => Promise<number | null> {
  return async () => {
    const r = await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    let ticks = 0;
    for (const { pid } of r.rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        return null;
      }
    }
    return ticks * 10;
  };
}
