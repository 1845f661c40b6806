import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { ScenarioResult } from './types';

const HEADER = `# Benchmarks

Written by \`npm run bench -- <name>\` (bench/run.ts). Each benchmark owns one section below and
replaces it in place with its latest run; the other sections are left as they are.
`;

export function machine(): string {
  const cpu = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const load = loadavg().map((l) => l.toFixed(1)).join(' / ');
  return `${availableParallelism()} CPUs (nproc; ${cpu}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}; load average ${load} (1/5/15 min) when written`;
}

const round = (n: number | undefined, digits: number): string => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(digits));

const cpu = (client: number | undefined, server: number | undefined): string =>
  client === undefined ? '—' : `${round(client, 3)} + ${round(server, 3)}`;

/** A scenario's other figures as `name value` pairs. */
const figures = (r: ScenarioResult): string =>
  Object.entries(r.figures ?? {})
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`)
    .join(', ');

export function table(results: ScenarioResult[]): string {
  // The last column only when some scenario has other figures, so other sections keep their shape.
  const more = results.some((r) => r.figures && Object.keys(r.figures).length > 0);
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${round(r.ops_per_s, 0)} | ${round(r.baseline_ops_per_s, 0)} | ${round(r.ratio, 2)} | ${round(r.p50_ms, 2)} | ${round(r.p99_ms, 2)} | ` +
      `${round(r.baseline_p50_ms, 2)} / ${round(r.baseline_p99_ms, 2)} | ${cpu(r.client_cpu_ms, r.server_cpu_ms)} | ${cpu(r.baseline_client_cpu_ms, r.baseline_server_cpu_ms)} | ` +
      `${r.target ? `${r.target}: ${r.target_met ? 'met' : '**not met**'}` : ''} |${more ? ` ${figures(r)} |` : ''}`,
  );
  return [
    `| scenario | ops/s | baseline ops/s | ratio | p50 ms | p99 ms | baseline p50 / p99 ms | CPU ms/op client + server | baseline CPU ms/op | target |${more ? ' other figures |' : ''}`,
    `|---|---:|---:|---:|---:|---:|---:|---:|---:|---|${more ? '---|' : ''}`,
    ...rows,
  ].join('\n');
}

function markers(name: string): [string, string] {
  return [`<!-- bench:${name} start -->`, `<!-- bench:${name} end -->`];
}

/** Replaces (or appends) the section of benchmark `name` in the markdown file, keeping the rest. */
export function writeSection(file: string, name: string, body: string): void {
  const [start, end] = markers(name);
  const section = `${start}\n## ${name}\n\n${body.trim()}\n${end}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  const next = from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
}

export function sectionBody(opts: { description: string; command: string; results: ScenarioResult[]; notes: string }): string {
  return [
    opts.description,
    '',
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${machine()}`,
    `- Command: \`${opts.command}\``,
    '',
    table(opts.results),
    '',
    opts.notes,
  ].join('\n');
}
