import type { Pool } from 'pg';
import type { EcologyConfig } from '../config/schema';
import { isRetryableDbError } from '../db/tx';
import { toTransferResult } from '../ledger/transfer';
import { argsDigestSql } from '../db/argsDigest';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';
import { ledgerService } from './services/ledger';

/** What the fast path returns: an outcome of the same shape as dispatch's. */
export interface FastOutcome {
  ok: true;
  result: unknown;
  replayed: false;
  compute_charged: number;
}

/**
 * What dispatch_transfer() raises when, after writing, it finds the case is not its own: its own
 * hand-over, or a unique violation (the key already taken: as the journal id, the charge's id or
 * the operation's key).
 */
const NOT_MINE = new Set(['EC001', '23505']);

/**
 * A genesis_ledger.transfer in one round trip (dispatch_transfer(): migrations/008_dispatch_transfer.sql,
 * rewritten by 009), for the usual case only: the caller pays from its own account, with no scrip fee configured, valid args and
 * everything in order. Null means "not handled, nothing written": dispatch then runs the operation
 * the general way, which replays, refuses or fails it with the right error, or does the same writes.
 */
export async function tryFastTransfer(
  deps: { pool: Pool; config: EcologyConfig },
  req: { caller: string; artifactId: string; method: string; args?: unknown; key: string },
  computeCharge: number,
): Promise<FastOutcome | null> {
  if (req.artifactId !== 'genesis_ledger' || req.method !== 'transfer') return null;
  if ((deps.config.genesis.scripFee['genesis_ledger.transfer'] ?? 0) > 0) return null;
  const parsed = ledgerService.transfer.args.safeParse(req.args ?? {});
  if (!parsed.success) return null;
  const a = parsed.data as { to: string; amount: number; memo?: string; from?: string };
  if (a.from !== undefined && a.from !== req.caller) return null;

  let seq: number | null;
  try {
    const r = await deps.pool.query<{ seq: number | null }>({
      name: 'dispatch_transfer',
      text: `SELECT dispatch_transfer($1, $2, $3, $4, $5, ${argsDigestSql('$6')}, $7, $8) AS seq`,
      values: [req.key, req.caller, a.to, a.amount, a.memo ?? null, JSON.stringify(req.args ?? {}), computeCharge, SYSTEM_ACCOUNTS.treasury],
    });
    seq = r.rows[0].seq;
  } catch (e) {
    // A hand-over, or a deadlock or serialization failure: the general path retries those.
    if (NOT_MINE.has((e as { code?: string }).code ?? '') || isRetryableDbError(e)) return null;
    throw e;
  }
  if (seq === null) return null;
  const result = toTransferResult({ seq, id: req.key, debit_principal: req.caller, credit_principal: a.to, asset: SCRIP, amount: a.amount }, false);
  return { ok: true, result, replayed: false, compute_charged: computeCharge };
}
