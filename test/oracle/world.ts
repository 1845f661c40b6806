/**
 * Set-up shared by the oracle tests: the foundation harness plus agents that own executable tools,
 * and short readers of the oracle's tables.
 */
import { checkReadiness } from '../../src/agents/readiness';
import type { EcologyConfig } from '../../src/config/schema';
import { dispatch, type Outcome } from '../../src/genesis/dispatch';
import { setupFoundation, type Foundation } from '../support/harness';

export const TOOL_CODE = 'export function run(args) { return (args.a ?? 0) + (args.b ?? 0); }';

export interface OracleWorld extends Foundation {
  /** An agent with scrip and plenty of compute, marked running as its workflow's readiness check would (UBI goes to running agents). */
  agent(id: string, scrip: number): Promise<void>;
  /** An executable tool (or a data artifact with executable false) owned by `owner`. */
  tool(owner: string, id: string, opts?: { executable?: boolean; content?: unknown }): Promise<void>;
  /** dispatch with a modified oracle configuration. */
  callWith(oracle: Partial<EcologyConfig['oracle']>, caller: string, method: string, args: unknown): Promise<Outcome>;
  hold(): Promise<number>;
  supply(): Promise<number>;
  bids(): Promise<Array<{ id: number; bidder_id: string; artifact_id: string; amount: number; held: number; status: string; price: number | null; rank: number | null }>>;
  journalIds(like: string): Promise<string[]>;
}

export async function setupOracleWorld(overrides: Record<string, unknown> = {}): Promise<OracleWorld> {
  const f = await setupFoundation(overrides);
  const w: OracleWorld = Object.assign(f, {
    async agent(id: string, scrip: number) {
      await f.principal(id, { scrip, compute: 1_000_000 });
      await checkReadiness(f.pool, f.config, id);
    },
    async tool(owner: string, id: string, opts: { executable?: boolean; content?: unknown } = {}) {
      const executable = opts.executable ?? true;
      await f.ok(owner, 'genesis_store', 'create', {
        id,
        type: executable ? 'tool' : 'data',
        content: opts.content ?? { doc: `${id} adds two numbers` },
        ...(executable ? { code: TOOL_CODE, can_execute: true } : {}),
      });
    },
    callWith(oracle: Partial<EcologyConfig['oracle']>, caller: string, method: string, args: unknown) {
      const config = { ...f.config, oracle: { ...f.config.oracle, ...oracle } };
      return dispatch({ pool: f.pool, config }, { caller, artifactId: 'genesis_oracle', method, args, key: f.key() });
    },
    hold: () => f.scrip('hold_oracle'),
    async supply() {
      return -(await f.scrip('mint'));
    },
    async bids() {
      const r = await f.pool.query(
        'SELECT id::int, bidder_id, artifact_id, amount::int, held::int, status, price::int, rank FROM oracle_bids ORDER BY id',
      );
      return r.rows;
    },
    async journalIds(like: string) {
      const r = await f.pool.query<{ id: string }>('SELECT id FROM journal WHERE id LIKE $1 ORDER BY seq', [like]);
      return r.rows.map((x) => x.id);
    },
  });
  return w;
}
