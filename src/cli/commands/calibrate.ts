import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { deepMerge } from '../../config/load';
import { configFragment, measurePool, principalRates, proposeRates } from '../../ecology/calibrate';
import { processLogger, silentLogger } from '../../log/logger';
import { UsageError, type Command } from '../command';
import { stringOption, wholeOption } from '../parse';

function defaultOut(): string {
  return join(process.env.ECOLOGY_DATA_DIR ?? '.data', 'calibration.json');
}

export const calibrateCommand: Command = {
  name: 'calibrate',
  usage: 'calibrate [--seconds N] [--containers N] [--target PCT] [--out FILE] [--merge]',
  summary: 'measure the CPU the sandbox pool delivers and propose compute rates that use --target % of it (a config fragment; --merge writes it into ecology.config.json)',
  valueOptions: ['seconds', 'containers', 'target', 'out'],
  flagOptions: ['merge'],
  async run(ctx) {
    const config = ctx.config();
    const cal = config.ecology.calibration;
    const seconds = wholeOption(ctx.options.seconds, 'seconds', cal.seconds);
    const target = wholeOption(ctx.options.target, 'target', cal.targetPercent);
    if (seconds < 1) throw new UsageError('--seconds must be at least 1');
    if (target < 1 || target > 100) throw new UsageError('--target must be a percentage between 1 and 100');
    const containers = ctx.options.containers === undefined ? undefined : wholeOption(ctx.options.containers, 'containers', 1);
    if (containers !== undefined && containers < 1) throw new UsageError('--containers must be at least 1');
    const out = resolve(stringOption(ctx.options.out, 'out') ?? cal.out ?? defaultOut());
    const pool = await ctx.pool();
    const logger = ctx.json ? silentLogger() : processLogger().child({ component: 'calibrate' });
    const measurement = await measurePool({ config, seconds, containers, logger });
    const proposal = proposeRates(measurement.delivered_cpu_ms_per_s, target, await principalRates(pool));
    const fragment = configFragment(proposal);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(fragment, null, 2)}\n`);
    let merged: string | null = null;
    if (ctx.options.merge === true) {
      merged = resolve(process.env.ECOLOGY_CONFIG ?? 'ecology.config.json');
      const current = existsSync(merged) ? (JSON.parse(readFileSync(merged, 'utf8')) as Record<string, unknown>) : {};
      writeFileSync(merged, `${JSON.stringify(deepMerge(current, fragment), null, 2)}\n`);
    }
    const m = measurement;
    ctx.print({ ok: true, measurement, proposal, fragment, out, merged_into: merged }, [
      `measured ${m.delivered_cpu_ms_per_s} CPU-ms/s over ${m.containers} container(s) of ${m.cpus_per_container} CPU (${m.docker_cpus} CPUs on the daemon; limits allow ${m.limit_cpu_ms_per_s}), ${m.runs} runs of ${m.probe_ms} ms${m.failed_runs ? `, ${m.failed_runs} failed` : ''}`,
      `per container: ${m.per_container_cpu_ms_per_s.join(', ')} CPU-ms/s`,
      `proposed: compute rates summing to ${proposal.total_rate} CPU-ms/s (${target}% of it), split ${proposal.split}; new principals ${proposal.new_principal_rate}`,
      ...Object.entries(proposal.per_principal).map(([id, r]) => `  ${id.padEnd(28)} ${r}`),
      `wrote ${out}${merged ? `; merged into ${merged} (applied at the next "ecology up" or "ecology bootstrap")` : ' (merge it into ecology.config.json, or rerun with --merge)'}`,
    ].join('\n'));
    return 0;
  },
};
