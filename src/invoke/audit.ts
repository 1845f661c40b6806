import type { PoolClient } from 'pg';
import type { AuditCheck } from '../ledger/audit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../ids';

/**
 * Invariant 4 for invocations: hold_invoke holds exactly the prices of the invocations not yet
 * settled. `held` is the price while an invocation is held and 0 once paid, refunded or refused;
 * each change of it commits with the transfer it describes.
 */
export async function invocationHoldCheck(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ balance: string; held: string; open: string }>(
    `SELECT (SELECT COALESCE(balance, 0) FROM accounts WHERE principal_id = $1 AND asset = $2)::text AS balance,
            COALESCE(sum(held), 0)::text AS held,
            count(*) FILTER (WHERE held > 0)::text AS open
     FROM invocations WHERE status = 'held'`,
    [SYSTEM_ACCOUNTS.invokeHold, SCRIP],
  );
  const x = r.rows[0];
  const balance = x.balance ?? '0';
  const ok = balance === x.held;
  return {
    name: 'invoke_hold_matches_invocations',
    ok,
    detail: ok
      ? `hold_invoke holds ${balance}, the prices of ${x.open} invocation(s) not yet settled`
      : `hold_invoke balance ${balance}, but the ${x.open} unsettled invocation(s) hold ${x.held}`,
  };
}
