import type { PoolClient } from 'pg';
import type { AuditCheck } from '../ledger/audit';
import { SCRIP, SYSTEM_ACCOUNTS } from '../genesis/ids';

/**
 * hold_bounty holds exactly the rewards of the open bounties: a post moves the reward in, and the
 * transaction that closes a bounty (solved, refunded, cancelled) moves it out.
 */
export async function bountyHoldCheck(c: PoolClient): Promise<AuditCheck> {
  const r = await c.query<{ balance: string; open: string; n: string }>(
    `SELECT (SELECT COALESCE(balance, 0) FROM accounts WHERE principal_id = $1 AND asset = $2)::text AS balance,
            COALESCE(sum(reward), 0)::text AS open, count(*)::text AS n
     FROM bounties WHERE status = 'open'`,
    [SYSTEM_ACCOUNTS.bountyHold, SCRIP],
  );
  const x = r.rows[0];
  const balance = x.balance ?? '0';
  const ok = balance === x.open;
  return {
    name: 'bounty_hold_matches_bounties',
    ok,
    detail: ok ? `hold_bounty holds ${balance}, the rewards of ${x.n} open bounties` : `hold_bounty balance ${balance}, but ${x.n} open bounties hold ${x.open}`,
  };
}
