/**
 * docker-compose.yml cannot be run here (no image registry), so it is checked in two ways: a real
 * compose implementation must accept it (`docker compose config`, or Debian's `docker-compose`,
 * which scripts/install-deps.sh installs), and the configuration it resolves must keep the stack's
 * invariants: health checks, restart policies, the data volume, the one-shot migration gating the
 * workers, the one-shot bootstrap that starts the root workflow (so `docker compose up` gives a
 * running world), and workers that can be scaled and reach a Docker daemon.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { bootstrapCommand } from '../../src/cli/commands/bootstrap';
import { PREBUILT_BUNDLE_ENV } from '../../src/ecology/workflowBundle';

const ROOT = join(__dirname, '..', '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

/** The compose implementation to validate with: the docker CLI's plugin, else docker-compose v1. */
function validator(): string[] {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  throw new Error('neither `docker compose` nor `docker-compose` is installed; run scripts/install-deps.sh (Debian package docker-compose)');
}

/** The host environment compose interpolates, made deterministic; the LLM settings are markers. */
function composeEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(OPENAI_|POSTGRES_|TEMPORAL_|COMPOSE_|DOCKER_)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function runCompose(file: string, args: string[], env: NodeJS.ProcessEnv) {
  const [cmd, ...pre] = validator();
  return spawnSync(cmd!, [...pre, '-f', file, ...args], { cwd: ROOT, env, encoding: 'utf8' });
}

type Service = Record<string, unknown> & {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
  ports?: unknown[];
  volumes?: unknown[];
  restart?: string;
};

/** Mounts as {source, target}, from either short syntax (v1 prints "src:dst:mode") or long (v2). */
function mounts(s: Service): Array<{ source: string; target: string }> {
  return (s.volumes ?? []).map((v) => {
    if (typeof v === 'string') {
      const [source, target] = v.split(':');
      return { source: source!, target: target! };
    }
    const o = v as { source: string; target: string };
    return { source: o.source, target: o.target };
  });
}

/** Published ports as {published, target} numbers, from short ("8233:8080") or long syntax. */
function ports(s: Service): Array<{ published: number; target: number }> {
  return bindings(s).map(({ published, target }) => ({ published, target }));
}

/** Published ports with the host address they bind to ('' when all interfaces). */
function bindings(s: Service): Array<{ hostIp: string; published: number; target: number }> {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'string') {
      const parts = p.replace(/\/(tcp|udp)$/, '').split(':'); // v1 prints "127.0.0.1:8233:8080/tcp"
      return { hostIp: parts.length > 2 ? parts.slice(0, -2).join(':') : '', published: Number(parts[parts.length - 2]), target: Number(parts[parts.length - 1]) };
    }
    const o = p as { host_ip?: string; published: string | number; target: string | number };
    return { hostIp: o.host_ip ?? '', published: Number(o.published), target: Number(o.target) };
  });
}

function commandOf(s: Service): string {
  return Array.isArray(s.command) ? s.command.join(' ') : String(s.command ?? '');
}

describe('docker-compose.yml', () => {
  const env = composeEnv({ OPENAI_API_KEY: 'sk-compose-test-marker', OPENAI_BASE_URL: 'http://llm.internal:8080/v1' });
  let config: { services: Record<string, Service>; volumes?: Record<string, unknown> };

  beforeAll(() => {
    const r = runCompose(COMPOSE_FILE, ['config'], env);
    if (r.status !== 0) throw new Error(`${validator().join(' ')} config rejected docker-compose.yml:\n${r.stderr}`);
    config = parse(r.stdout);
  });

  it('is accepted by a real compose implementation (config -q exits 0)', () => {
    const r = runCompose(COMPOSE_FILE, ['config', '-q'], env);
    expect(r.stderr).not.toMatch(/error|invalid/i);
    expect(r.status).toBe(0);
  });

  it('the validator rejects a broken file (so acceptance means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      const broken = readFileSync(COMPOSE_FILE, 'utf8').replace('condition: service_completed_successfully', 'condition: when_it_feels_like_it');
      expect(broken).not.toBe(readFileSync(COMPOSE_FILE, 'utf8'));
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, broken);
      const r = runCompose(file, ['config', '-q'], env);
      expect(r.status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has the eight services on the expected images', () => {
    const s = config.services;
    expect(Object.keys(s).sort()).toEqual(['bootstrap', 'migrate', 'postgres', 'temporal', 'temporal-admin-tools', 'temporal-create-namespace', 'temporal-ui', 'worker']);
    expect(s.postgres!.image).toBe('postgres:15');
    // Temporal's supported images, pinned to a version (temporalio/auto-setup is deprecated).
    expect(s.temporal!.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(s['temporal-admin-tools']!.image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
    expect(s['temporal-create-namespace']!.image).toBe(s['temporal-admin-tools']!.image);
    expect(s['temporal-ui']!.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    for (const [name, svc] of Object.entries(s)) {
      if (!svc.build) expect([name, svc.image]).not.toEqual([name, expect.stringMatching(/auto-setup|:latest$/)]);
    }
    // migrate, bootstrap and worker are the project's own image, built from the Dockerfile.
    for (const name of ['migrate', 'bootstrap', 'worker']) {
      expect(s[name]!.build).toBeDefined();
      expect(s[name]!.image).toBe(s.worker!.image);
    }
  });

  it('keeps PostgreSQL data in a named volume and checks its health', () => {
    const pg = config.services.postgres!;
    const data = mounts(pg).find((m) => m.target === '/var/lib/postgresql/data');
    expect(data).toBeDefined();
    expect(Object.keys(config.volumes ?? {})).toContain(data!.source);
    expect(JSON.stringify(pg.healthcheck?.test)).toContain('pg_isready');
  });

  it('runs Temporal on that PostgreSQL, healthy before anything depends on it', () => {
    const t = config.services.temporal!;
    expect(t.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(t.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(t.healthcheck?.test).toBeDefined();
    // Its schema is set up first, by admin-tools' temporal-sql-tool, on both of its databases.
    const setup = config.services['temporal-admin-tools']!;
    expect(t.depends_on?.['temporal-admin-tools']?.condition).toBe('service_completed_successfully');
    expect(setup.depends_on?.postgres?.condition).toBe('service_healthy');
    const script = commandOf(setup);
    for (const step of ['temporal-sql-tool --plugin postgres12 --ep postgres', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/$$db/versioned', 'temporal_visibility']) {
      expect(script).toContain(step);
    }
    // The namespace the ecology uses is registered once Temporal is healthy, before anything uses it.
    const ns = config.services['temporal-create-namespace']!;
    expect(ns.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(commandOf(ns)).toContain('temporal operator namespace create -n default');
    for (const name of ['bootstrap', 'worker']) {
      expect([name, config.services[name]!.depends_on?.['temporal-create-namespace']?.condition]).toEqual([name, 'service_completed_successfully']);
    }
    expect(config.services.worker!.environment?.TEMPORAL_NAMESPACE).toBe('default');
    const ui = config.services['temporal-ui']!;
    expect(ui.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(ports(ui)).toContainEqual({ published: 8233, target: 8080 });
  });

  it('migrates once before any worker starts', () => {
    const m = config.services.migrate!;
    expect(commandOf(m)).toBe('node bin/ecology.cjs migrate');
    expect(m.restart ?? 'no').toBe('no');
    expect(m.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(config.services.worker!.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(config.services.worker!.depends_on?.temporal?.condition).toBe('service_healthy');
  });

  it('starts the root workflow once, after the migration, when PostgreSQL and Temporal are healthy', () => {
    const b = config.services.bootstrap!;
    expect(commandOf(b)).toBe('node bin/ecology.cjs bootstrap --root');
    expect(b.restart ?? 'no').toBe('no');
    expect(b.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(b.depends_on?.temporal?.condition).toBe('service_healthy');
    expect(b.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    // The same database and Temporal as the workers, so the root lands on the queue they serve.
    const w = config.services.worker!;
    expect(b.environment).toMatchObject({ DATABASE_URL: w.environment?.DATABASE_URL, TEMPORAL_ADDRESS: w.environment?.TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: w.environment?.TEMPORAL_NAMESPACE });
    // The command names a real option of the CLI: the bootstrap command declares --root.
    expect(bootstrapCommand.flagOptions).toContain('root');
  });

  it('gives the worker its connections, the LLM settings from the host, and the Docker daemon', () => {
    const w = config.services.worker!;
    expect(commandOf(w)).toBe('node bin/ecology.cjs worker');
    expect(w.environment).toMatchObject({
      DATABASE_URL: 'postgres://ecology:ecology@postgres:5432/ecology',
      TEMPORAL_ADDRESS: 'temporal:7233',
      OPENAI_API_KEY: 'sk-compose-test-marker',
      OPENAI_BASE_URL: 'http://llm.internal:8080/v1',
    });
    expect(mounts(w)).toContainEqual({ source: '/var/run/docker.sock', target: '/var/run/docker.sock' });
    // The migrate service reaches the same database.
    expect(config.services.migrate!.environment?.DATABASE_URL).toBe(w.environment?.DATABASE_URL);
  });

  it('lets the worker scale: no fixed container name, no host ports', () => {
    const w = config.services.worker!;
    expect(w.container_name).toBeUndefined();
    expect(w.ports ?? []).toEqual([]);
  });

  it('publishes Temporal and its Web UI on loopback only, unless the operator says otherwise', () => {
    // Both have no authentication: whoever reaches the frontend can start workflows or terminate agents.
    expect(bindings(config.services.temporal!)).toEqual([{ hostIp: '127.0.0.1', published: 7233, target: 7233 }]);
    expect(bindings(config.services['temporal-ui']!)).toEqual([{ hostIp: '127.0.0.1', published: 8233, target: 8080 }]);
    for (const name of ['postgres', 'migrate', 'bootstrap', 'worker']) expect([name, config.services[name]!.ports ?? []]).toEqual([name, []]);
    const r = runCompose(COMPOSE_FILE, ['config'], { ...env, TEMPORAL_BIND_ADDRESS: '10.0.0.5' });
    expect(r.status).toBe(0);
    const overridden: { services: Record<string, Service> } = parse(r.stdout);
    expect(bindings(overridden.services.temporal!)).toEqual([{ hostIp: '10.0.0.5', published: 7233, target: 7233 }]);
    expect(bindings(overridden.services['temporal-ui']!)).toEqual([{ hostIp: '10.0.0.5', published: 8233, target: 8080 }]);
  });

  it('reaches the Docker daemon as a non-root user through the group of its socket', () => {
    const w = config.services.worker! as Service & { user?: string; group_add?: Array<string | number> };
    expect(w.user ?? '').not.toMatch(/^(root|0)(:|$)/);
    expect((w.group_add ?? []).map(String)).toEqual(['999']);
    const r = runCompose(COMPOSE_FILE, ['config'], { ...env, DOCKER_GID: '131' });
    expect(((parse(r.stdout) as { services: Record<string, { group_add?: unknown[] }> }).services.worker!.group_add ?? []).map(String)).toEqual(['131']);
  });

  it('restarts every long-running service unless stopped', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'worker']) expect([name, config.services[name]!.restart]).toEqual([name, 'unless-stopped']);
  });
});

describe('the worker image', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };

  it('installs production dependencies only, which include everything the CLI runs on', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    // bin/ecology.cjs runs the TypeScript through tsx, so tsx must be a runtime dependency.
    expect(readFileSync(join(ROOT, 'bin', 'ecology.cjs'), 'utf8')).toContain("require('tsx/cjs')");
    expect(pkg.dependencies.tsx).toBeDefined();
    expect(pkg.dependencies['@temporalio/worker']).toBeDefined();
  });

  it('limits glibc malloc arenas as the run command and the agents benchmark\'s worker do', () => {
    // One arena per thread left the worker holding ~40 MB of freed memory (BENCHMARKS.md, agents).
    expect(dockerfile).toMatch(/^ENV MALLOC_ARENA_MAX=2$/m);
    expect(readFileSync(join(ROOT, 'scripts', 'run.sh'), 'utf8')).toMatch(/^export MALLOC_ARENA_MAX="\$\{MALLOC_ARENA_MAX:-2\}"\nexec node bin\/ecology\.cjs up/m);
    expect(readFileSync(join(ROOT, 'bench', 'support', 'childWorker.ts'), 'utf8')).toMatch(/WORKER_PROCESS_ENV = \{ MALLOC_ARENA_MAX: '2' \}/);
  });

  it('runs as an unprivileged user, not root', () => {
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)\s*$/gm)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).toBe('node');
  });

  it('builds the workflow bundle into the image and names it for the worker', () => {
    expect(pkg.scripts['workflows:bundle']).toBe('tsx scripts/bundle-workflows.ts');
    const build = dockerfile.match(/^RUN npm run --silent workflows:bundle -- (\S+)$/m);
    expect(build).not.toBeNull();
    // Built after the sources are copied in, and named by the variable the worker reads.
    expect(dockerfile.indexOf(build![0])).toBeGreaterThan(dockerfile.indexOf('COPY . .'));
    expect(dockerfile).toMatch(new RegExp(`^ENV ${PREBUILT_BUNDLE_ENV}=/app/${build![1]!.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('starts the worker by default', () => {
    expect(dockerfile).toMatch(/^CMD \["node", "bin\/ecology\.cjs", "worker"\]$/m);
  });

  it('leaves local state and installed modules out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', '.data', '.git']) expect(ignored).toContain(p);
  });
});
