import { readdirSync, readFileSync } from 'node:fs';

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
