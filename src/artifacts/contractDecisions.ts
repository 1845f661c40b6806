import type { PoolClient } from 'pg';
import { spend } from '../buckets/store';
import type { ErrorInfo } from '../errors';

/** What a custom access contract decided about one request, and the CPU its check took. */
export interface ContractDecision {
  /** contractCheckId(operation key, contract, action, target): see src/invoke/contract.ts. */
  id: string;
  contractId: string;
  requester: string;
  action: string;
  targetId: string;
  allowed: boolean;
  cpuMs: number;
  error: ErrorInfo | null;
}

/**
 * The decisions of one operation's custom-contract checks, held in memory until the operation
 * records them on its own connection (no check ever asks the pool for a second one while the
 * operation holds the first). They outlive the operation's attempts: a denial rolls back the
 * attempt that asked, and the attempt that records the failure (dispatch's guarded run, the hold's
 * rejection) finds the decision here instead of running the contract again, then records it and
 * charges the requester. Recording is idempotent (the check id, and the charge `${id}:cpu`).
 */
export class ContractDecisions {
  private readonly made = new Map<string, ContractDecision>();

  get(id: string): ContractDecision | undefined {
    return this.made.get(id);
  }

  add(d: ContractDecision): void {
    if (!this.made.has(d.id)) this.made.set(d.id, d);
  }

  /** Writes every decision (and its CPU charge) in the caller's transaction; repeats are no-ops. */
  async record(client: PoolClient): Promise<void> {
    for (const d of this.made.values()) await recordDecision(client, d);
  }
}

/** One decision and its charge, in `client`'s transaction; an existing record of the same check wins. */
export async function recordDecision(client: PoolClient, d: ContractDecision): Promise<boolean> {
  const ins = await client.query<{ allowed: boolean }>(
    `INSERT INTO contract_checks (id, contract_id, requester_id, action, target_id, allowed, cpu_ms, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (id) DO NOTHING RETURNING allowed`,
    [d.id, d.contractId, d.requester, d.action, d.targetId, d.allowed, d.cpuMs, d.error === null ? null : JSON.stringify(d.error)],
  );
  if (ins.rowCount === 0) return (await client.query<{ allowed: boolean }>('SELECT allowed FROM contract_checks WHERE id = $1', [d.id])).rows[0].allowed;
  if (d.cpuMs > 0) await spend(client, { id: `${d.id}:cpu`, principal: d.requester, resource: 'compute', amount: d.cpuMs, kind: 'contract_check' });
  return d.allowed;
}
