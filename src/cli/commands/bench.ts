import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from '../command';

const ROOT = join(__dirname, '..', '..', '..');

export const benchCommand: Command = {
  name: 'bench',
  usage: 'bench <name>... [--seconds N] [--json] [--no-write]',
  summary: 'run benchmarks (bench/run.ts) and record them in BENCHMARKS.md; the arguments go to it as they are',
  rawArgs: true,
  async run(ctx) {
    const tsx = require.resolve('tsx/cli');
    return new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [tsx, join(ROOT, 'bench', 'run.ts'), ...ctx.positionals], { cwd: ROOT, stdio: 'inherit' });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  },
};
