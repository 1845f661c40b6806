/**
 * Shared set-up for the foundation tests: a fresh migrated database with the genesis artifacts, the
 * configuration pointing at it, and short helpers around dispatch() and the tables.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { readBucket, type BucketView } from '../../src/buckets/store';
import { deepMerge, loadConfig } from '../../src/config/load';
import type { EcologyConfig, QuotaSet } from '../../src/config/schema';
import { dispatch, type Outcome } from '../../src/genesis/dispatch';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { audit } from '../../src/audit/audit';
import type { AuditReport } from '../../src/ledger/audit';
import { createTestDatabase, type TestDatabase } from './testDb';

export interface PrincipalSpec {
  scrip?: number;
  compute?: number;
  kind?: 'agent' | 'account';
  /** Replaces some of the configured operator quotas for this principal only. */
  quotas?: Partial<QuotaSet>;
}

/** What "nothing changed" compares: every table that holds state an actor owns. */
export interface Snapshot {
  accounts: unknown[];
  journal: number;
  artifacts: unknown[];
  quotas: unknown[];
  listings: unknown[];
  debts: unknown[];
  lastEvent: number;
}

export interface Foundation {
  db: TestDatabase;
  pool: Pool;
  config: EcologyConfig;
  key(): string;
  call(caller: string, artifactId: string, method: string, args?: unknown, key?: string): Promise<Outcome>;
  /** Calls and expects success; returns the result. */
  ok<T = any>(caller: string, artifactId: string, method: string, args?: unknown, key?: string): Promise<T>;
  /** Calls and expects a failure with `code`; returns the outcome. */
  fails(code: string, caller: string, artifactId: string, method: string, args?: unknown, key?: string): Promise<Outcome & { ok: false }>;
  principal(id: string, spec?: PrincipalSpec): Promise<void>;
  scrip(id: string): Promise<number>;
  bucket(id: string, resource?: 'compute' | 'llm_tokens'): Promise<BucketView>;
  snapshot(): Promise<Snapshot>;
  audit(): Promise<AuditReport>;
  /** Asserts every audit check passes (printing the failing ones otherwise). */
  expectAuditOk(): Promise<void>;
  close(): Promise<void>;
}

export async function setupFoundation(overrides: Record<string, unknown> = {}): Promise<Foundation> {
  const db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  const config = loadConfig({ overrides: deepMerge({ database: { url: db.url } }, overrides) });
  const prefix = randomBytes(3).toString('hex');
  let n = 0;
  const key = () => `k-${prefix}-${++n}`;
  const pool = db.pool;

  const call = (caller: string, artifactId: string, method: string, args: unknown = {}, k = key()) =>
    dispatch({ pool, config }, { caller, artifactId, method, args, key: k });

  const f: Foundation = {
    db,
    pool,
    config,
    key,
    call,
    async ok(caller, artifactId, method, args, k) {
      const o = await call(caller, artifactId, method, args, k);
      if (!o.ok) throw new Error(`${artifactId}.${method} as ${caller} failed: ${o.error.code}: ${o.error.message}`);
      return o.result as any;
    },
    async fails(code, caller, artifactId, method, args, k) {
      const o = await call(caller, artifactId, method, args, k);
      if (o.ok) throw new Error(`${artifactId}.${method} as ${caller} succeeded, expected ${code}: ${JSON.stringify(o.result)}`);
      expect(o.error.code).toBe(code);
      expect(typeof o.error.message).toBe('string');
      expect(o.error.message.length).toBeGreaterThan(0);
      return o;
    },
    async principal(id, spec = {}) {
      const cfg = spec.quotas
        ? { ...config, quotas: { ...config.quotas, operatorPrincipal: { ...config.quotas.operatorPrincipal, ...spec.quotas } } }
        : config;
      await createOperatorPrincipal(pool, cfg, { id, kind: spec.kind ?? 'agent', scrip: spec.scrip ?? 0, compute: spec.compute ?? 0 });
    },
    async scrip(id) {
      const r = await pool.query<{ balance: string }>(`SELECT balance::text FROM accounts WHERE principal_id = $1 AND asset = 'scrip'`, [id]);
      if (r.rowCount === 0) throw new Error(`no scrip account for ${id}`);
      return Number(r.rows[0].balance);
    },
    async bucket(id, resource = 'compute') {
      const client = await pool.connect();
      try {
        return await readBucket(client, id, resource);
      } finally {
        client.release();
      }
    },
    async snapshot() {
      const q = async (sql: string) => (await pool.query(sql)).rows;
      return {
        accounts: await q(`SELECT principal_id, asset, balance::text FROM accounts ORDER BY principal_id, asset`),
        journal: Number((await q(`SELECT count(*)::int AS n FROM journal`))[0].n),
        artifacts: await q(
          `SELECT id, type, content, code, owner_id, access_contract_id, has_standing, can_execute, price::text, size_bytes::text,
                  managed_by, updated_at FROM artifacts ORDER BY id`,
        ),
        quotas: await q(`SELECT principal_id, resource, amount::text FROM quotas ORDER BY principal_id, resource`),
        listings: await q(`SELECT id::text, artifact_id, seller_id, price::text, buyer_id, status, purchaser_id FROM escrow_listings ORDER BY id`),
        debts: await q(`SELECT id, debtor_id, creditor_id, amount::text, repaid::text, status FROM debts ORDER BY id`),
        lastEvent: Number((await q(`SELECT COALESCE(max(seq), 0)::int AS n FROM events`))[0].n),
      };
    },
    audit: () => audit(pool),
    async expectAuditOk() {
      const report = await audit(pool);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.ok).toBe(true);
      // The five core invariants (later parts may register more).
      expect(report.checks.map((c) => c.name)).toEqual(
        expect.arrayContaining(['asset_sums_to_zero', 'balances_match_journal', 'no_negative_balances', 'holdings_match_open_positions', 'idempotency_records_complete']),
      );
    },
    close: () => db.drop(),
  };
  return f;
}

/** Events of some types after a sequence number, oldest first. */
export async function eventsSince(pool: Pool, after: number, types?: string[]): Promise<Array<{ seq: number; type: string; actor_id: string | null; subject_id: string | null; data: any }>> {
  const r = await pool.query(
    `SELECT seq::int, type, actor_id, subject_id, data FROM events WHERE seq > $1 AND ($2::text[] IS NULL OR type = ANY($2)) ORDER BY seq`,
    [after, types ?? null],
  );
  return r.rows;
}

/** A date this many days from now, as ISO. */
export function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}
