import type { PoolClient } from 'pg';
import type { AuditCheck } from '../ledger/audit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';

/**
 * Invariant 4 for the oracle: hold_oracle holds exactly what its bids say it holds. Every bid's
 * `held` is its amount while open, its price while its won slot is being scored, and 0 once
 * refunded, cancelled or paid out; each change of `held` commits with the transfer it describes.
 * Also checks the per-state rules of `held`, so a bid stuck with money it should have returned shows.
 */
export async function oracleHoldCheck(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ balance: string; held: string; open_amounts: string; in_progress: string; stuck: string }>(
    `SELECT (SELECT COALESCE(balance, 0) FROM accounts WHERE principal_id = $1 AND asset = $2)::text AS balance,
            COALESCE(sum(held), 0)::text AS held,
            COALESCE(sum(amount) FILTER (WHERE status = 'open'), 0)::text AS open_amounts,
            COALESCE(sum(held) FILTER (WHERE status <> 'open'), 0)::text AS in_progress,
            count(*) FILTER (WHERE status <> 'open' AND held > 0 AND NOT EXISTS (
              SELECT 1 FROM oracle_slots s WHERE s.bid_id = oracle_bids.id AND s.state = 'pending'))::text AS stuck
     FROM oracle_bids`,
    [SYSTEM_ACCOUNTS.oracleHold, SCRIP],
  );
  const x = r.rows[0];
  const balance = x.balance ?? '0';
  const ok = balance === x.held && x.stuck === '0';
  return {
    name: 'oracle_hold_matches_bids',
    ok,
    detail: ok
      ? `hold_oracle holds ${balance}: ${x.open_amounts} in open bids plus ${x.in_progress} for slots being scored`
      : `hold_oracle balance ${balance}, but bids hold ${x.held} (${x.open_amounts} open, ${x.in_progress} in resolutions); ${x.stuck} closed bid(s) still hold money`,
  };
}
