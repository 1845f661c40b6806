/**
 * Shared set-up for the invocation tests: a fresh database with the genesis artifacts, a real
 * Docker sandbox, principals with exact buckets (rates 0, so a balance moves only when something is
 * charged), artifacts written directly, and short helpers around invoke() and the audit.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { writeArtifact } from '../../src/artifacts/store';
import { readBucket } from '../../src/buckets/store';
import { deepMerge, loadConfig } from '../../src/config/load';
import type { EcologyConfig } from '../../src/config/schema';
import { withTransaction } from '../../src/db/tx';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { invoke } from '../../src/invoke/invoke';
import { sandboxPoolFromConfig } from '../../src/invoke/sandboxPool';
import type { InvocationOutcome, InvokeDeps, InvokeRequest } from '../../src/invoke/types';
import { audit } from '../../src/audit/audit';
import { getBalance } from '../../src/ledger/queries';
import type { SandboxPool } from '../../src/sandbox';
import { sandboxImage } from '../sandbox/support';
import { createTestDatabase, type TestDatabase } from '../support/testDb';

export const MiB = 1024 * 1024;

/** Exact buckets: nothing accrues during a test. */
const QUOTAS = { compute_rate: 0, compute_capacity: 1_000_000_000, llm_token_rate: 0, llm_token_capacity: 1_000_000_000, disk_bytes: 10_000_000, llm_dollars: 1_000_000_000 };

export const TEST_SANDBOX = {
  limits: { memoryBytes: 192 * MiB, nanoCpus: 1_000_000_000, pids: 48, tmpfsBytes: 4 * MiB, timeoutMs: 3000, maxOutputBytes: 64 * 1024, maxLogBytes: 2048, jsHeapBytes: 0, maxOpenFiles: 256 },
  idleMs: 30_000,
  maxContainers: 8,
  maxDepth: 2,
  contractTimeoutMs: 3000,
};

export interface ArtifactSpec {
  code?: string;
  price?: number;
  has_standing?: boolean;
  access_contract_id?: string;
  type?: string;
  can_execute?: boolean;
  content?: unknown;
}

export interface World {
  db: TestDatabase;
  pool: Pool;
  config: EcologyConfig;
  sandbox: SandboxPool | null;
  deps: InvokeDeps;
  key(): string;
  principal(id: string, spec?: { scrip?: number; compute?: number }): Promise<void>;
  /** Writes an artifact owned by `owner` (no compute charged). */
  artifact(owner: string, id: string, spec: ArtifactSpec): Promise<void>;
  /** `grant`: what code without standing may do in the caller's name (src/invoke/grant.ts); by default only read. */
  invoke(caller: string, artifactId: string, method?: string, args?: unknown, key?: string, grant?: InvokeRequest['grant']): Promise<InvocationOutcome>;
  scrip(id: string): Promise<number>;
  compute(id: string): Promise<number>;
  llmTokens(id: string): Promise<number>;
  expectAuditOk(): Promise<void>;
  close(): Promise<void>;
}

export async function setupWorld(opts: { overrides?: Record<string, unknown>; sandbox?: SandboxPool | null | 'docker' } = {}): Promise<World> {
  const db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  const wantDocker = opts.sandbox === undefined || opts.sandbox === 'docker';
  const image = wantDocker ? await sandboxImage() : null;
  const config = loadConfig({
    overrides: deepMerge(
      { database: { url: db.url }, quotas: { operatorPrincipal: QUOTAS, createdPrincipal: QUOTAS }, sandbox: { ...TEST_SANDBOX, image } },
      opts.overrides ?? {},
    ),
  });
  const sandbox = wantDocker ? sandboxPoolFromConfig(config) : (opts.sandbox as SandboxPool | null);
  const deps: InvokeDeps = { pool: db.pool, config, sandbox };
  const prefix = randomBytes(3).toString('hex');
  let n = 0;
  const key = () => `t-${prefix}-${++n}`;

  const w: World = {
    db,
    pool: db.pool,
    config,
    sandbox,
    deps,
    key,
    async principal(id, spec = {}) {
      await createOperatorPrincipal(db.pool, config, { id, kind: 'agent', scrip: spec.scrip ?? 1000, compute: spec.compute ?? 100_000 });
    },
    async artifact(owner, id, spec) {
      await withTransaction(db.pool, (client) =>
        writeArtifact(
          { client, caller: owner, config, key: key() },
          {
            id,
            type: spec.type ?? 'tool',
            content: spec.content ?? {},
            ...(spec.code !== undefined ? { code: spec.code } : {}),
            can_execute: spec.can_execute ?? spec.code !== undefined,
            price: spec.price ?? 0,
            has_standing: spec.has_standing ?? false,
            ...(spec.access_contract_id ? { access_contract_id: spec.access_contract_id } : {}),
          },
        ),
      );
    },
    invoke: (caller, artifactId, method = 'run', args = {}, k = key(), grant = undefined) =>
      invoke(deps, { caller, artifactId, method, args, key: k, ...(grant === undefined ? {} : { grant }) }),
    async scrip(id) {
      const client = await db.pool.connect();
      try {
        return (await getBalance(client, id, 'scrip')) ?? 0;
      } finally {
        client.release();
      }
    },
    async compute(id) {
      const client = await db.pool.connect();
      try {
        return (await readBucket(client, id, 'compute')).available;
      } finally {
        client.release();
      }
    },
    async llmTokens(id) {
      const client = await db.pool.connect();
      try {
        return (await readBucket(client, id, 'llm_tokens')).available;
      } finally {
        client.release();
      }
    },
    async expectAuditOk() {
      const report = await audit(db.pool);
      const bad = report.checks.filter((c) => !c.ok);
      expect(bad).toEqual([]);
      expect(report.checks.map((c) => c.name)).toContain('invoke_hold_matches_invocations');
    },
    async close() {
      await sandbox?.close();
      await db.drop();
    },
  };
  return w;
}

/** Compact message for a failed expectation on an outcome. */
export function show(o: unknown): string {
  return JSON.stringify(o).slice(0, 1500);
}
