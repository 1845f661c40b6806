/**
 * The README is true: its command examples run as written, in order, against a fresh world (the
 * one `npm start` bootstraps: the default initial agents), with `ecology` on the PATH as `npm link`
 * puts it; every configuration key it names exists; it links a specification inside the repository.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { configSchema } from '../../src/config/schema';
import { bootstrapWorld } from '../../src/ecology/bootstrap';
import { connectClient } from '../../src/temporal/connection';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { BIN, ROOT, run } from './support';

jest.setTimeout(180_000);

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const suffix = Math.random().toString(36).slice(2, 8);
// The default world (alice, bob and carol), with schedules and queues of its own on the shared dev server.
const overrides = {
  temporal: { taskQueue: `readme-${suffix}` },
  oracle: { scheduleId: `oracle-readme-${suffix}`, enabled: false },
  metrics: { scheduleId: `metrics-readme-${suffix}`, enabled: false },
  ecology: { workflowId: `ecology-readme-${suffix}`, agentQueryTimeoutMs: 1000 },
};
let db: TestDatabase;
let dir: string;
let env: NodeJS.ProcessEnv;

/** The lines of the first ```sh block after `marker`. */
function shBlockAfter(marker: string): string[] {
  const at = README.indexOf(marker);
  expect(at).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(README.slice(at))![1]!;
  return block.split('\n').filter((l) => l.trim() !== '');
}

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  dir = mkdtempSync(join(tmpdir(), 'ecology-readme-'));
  const file = join(dir, 'ecology.config.json');
  writeFileSync(file, JSON.stringify(overrides));
  // What `npm link` gives: an `ecology` command on the PATH.
  const shim = join(dir, 'ecology');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  env = { ...process.env, DATABASE_URL: db.url, ECOLOGY_CONFIG: file, ECOLOGY_DATA_DIR: dir, PATH: `${dir}:${process.env.PATH}` };
  const config = loadConfig({ file, env: { DATABASE_URL: db.url, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' } });
  const client = await connectClient(config);
  try {
    await bootstrapWorld({ pool: db.pool, config, temporal: client });
  } finally {
    await client.connection.close();
  }
});

afterAll(async () => {
  const config = loadConfig({ overrides, env: { TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '' } });
  const client = await connectClient(config);
  for (const id of [overrides.oracle.scheduleId, overrides.metrics.scheduleId]) await client.schedule.getHandle(id).delete().catch(() => undefined);
  await client.connection.close();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Whether the configuration schema has this key (optional and nullable keys included). */
function inSchema(path: string[]): boolean {
  let s: any = configSchema;
  for (const part of path) {
    while (s && !s.shape && typeof s.unwrap === 'function') s = s.unwrap();
    if (!s?.shape || !(part in s.shape)) return false;
    s = s.shape[part];
  }
  return true;
}

test("the README's command examples run as written, in order, after npm start", async () => {
  const lines = shBlockAfter('For example, after `npm start`');
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) {
    const r = await run('bash', ['-c', line], env);
    expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: expect.any(String) });
  }
});

test('every configuration key the README names exists, and the specification it links is in the repository', () => {
  const sections = Object.keys(configSchema.shape);
  const named = [...README.matchAll(/`([a-z][A-Za-z]*(?:\.[A-Za-z_]+)+)`/g)].map((m) => m[1]!)
    .filter((k) => sections.includes(k.split('.')[0]!) && !/\.(json|md|ts|js|cjs|sh|yml|sql)$/.test(k));
  expect(named.length).toBeGreaterThan(10);
  expect(named.filter((k) => !inSchema(k.split('.')))).toEqual([]);
  const links = [...README.matchAll(/\]\(([^)#]+\.md)\)/g)].map((m) => m[1]!);
  expect(links).toContain('docs/spec.md');
  for (const l of links) expect([l, existsSync(join(ROOT, l))]).toEqual([l, true]);
  expect(README).not.toContain('../shared/SPEC.md');
  expect(README).toMatch(/npx ecology/);
});
