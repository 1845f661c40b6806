import type { PoolClient } from 'pg';
import { EcologyError } from '../errors';
import { transferAudience } from './sealed';

/** One leg of a bulk transfer; the same fields as transfer() takes, one asset for the batch. */
export interface BulkLeg {
  id: string;
  from: string;
  to: string;
  amount: number;
  kind: string;
  reference?: string | null;
}

export interface BulkResult {
  /** Legs whose journal row this call wrote. */
  applied: number;
  /** Legs whose id was already in the journal with the same payload: nothing was changed. */
  replayed: number;
}

/**
 * Many transfers of one asset in a fixed number of statements, for the set-based steps of the
 * oracle (thousands of refunds and UBI shares): the same rules as transfer() (idempotent by id, an
 * id reused for another payload is IDEMPOTENCY_CONFLICT, non-system balances never negative, one
 * `transfer` event per applied leg), without a round trip per leg. Runs in the caller's transaction.
 * The parties must already be principals with accounts of the asset.
 */
export async function bulkTransfer(client: PoolClient, asset: string, legs: BulkLeg[]): Promise<BulkResult> {
  if (legs.length === 0) return { applied: 0, replayed: 0 };
  for (const l of legs) {
    if (!Number.isSafeInteger(l.amount) || l.amount <= 0) throw new EcologyError('INVALID_ARGUMENT', `transfer ${l.id}: amount must be a positive whole number`);
    if (l.from === l.to) throw new EcologyError('INVALID_ARGUMENT', `transfer ${l.id}: cannot transfer to oneself`);
  }
  if (new Set(legs.map((l) => l.id)).size !== legs.length) throw new EcologyError('INVALID_ARGUMENT', 'bulk transfer ids must be distinct');
  const cols = {
    id: legs.map((l) => l.id),
    from: legs.map((l) => l.from),
    to: legs.map((l) => l.to),
    amount: legs.map((l) => l.amount),
    kind: legs.map((l) => l.kind),
    reference: legs.map((l) => l.reference ?? null),
    audience: legs.map((l) => transferAudience(l.from, l.to)),
  };
  const parties = [...new Set([...cols.from, ...cols.to])];
  // Lock every account touched in one ordered pass, so concurrent transfers cannot deadlock with us.
  const locked = await client.query('SELECT principal_id FROM accounts WHERE principal_id = ANY($1) AND asset = $2 ORDER BY principal_id FOR NO KEY UPDATE', [parties, asset]);
  if (locked.rowCount !== parties.length) {
    const have = new Set(locked.rows.map((r: { principal_id: string }) => r.principal_id));
    throw new EcologyError('NOT_FOUND', `no ${asset} account for ${parties.filter((p) => !have.has(p)).slice(0, 5).join(', ')}`);
  }

  // Journal rows, balances and events in one statement; legs already journaled are skipped.
  const r = await overdrawnAsInsufficientFunds(() => client.query<{ applied: number }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $8::text[]) AS i(id, from_p, to_p, amount, kind, reference, audience)
     ), ins AS (
       INSERT INTO journal (id, debit_principal, credit_principal, asset, amount, kind, reference)
       SELECT id, from_p, to_p, $7, amount, kind, reference FROM input
       ON CONFLICT (id) DO NOTHING
       RETURNING seq, id, debit_principal, credit_principal, amount, kind, reference
     ), deltas AS (
       SELECT principal, sum(delta) AS delta FROM (
         SELECT credit_principal AS principal, amount AS delta FROM ins
         UNION ALL
         SELECT debit_principal, -amount FROM ins
       ) d GROUP BY principal
     ), upd AS (
       UPDATE accounts a SET balance = a.balance + d.delta FROM deltas d
       WHERE a.principal_id = d.principal AND a.asset = $7
       RETURNING a.principal_id
     ), ev AS (
       INSERT INTO events (type, actor_id, subject_id, data, audience)
       SELECT 'transfer', ins.debit_principal, ins.credit_principal,
              jsonb_build_object('transfer_id', ins.id, 'from', ins.debit_principal, 'to', ins.credit_principal, 'asset', $7::text,
                                 'amount', ins.amount, 'kind', ins.kind, 'reference', ins.reference),
              input.audience
       FROM ins JOIN input ON input.id = ins.id ORDER BY ins.seq
       RETURNING seq
     )
     SELECT (SELECT count(*) FROM ins)::int AS applied, (SELECT count(*) FROM upd) AS accounts, (SELECT count(*) FROM ev) AS events`,
    [cols.id, cols.from, cols.to, cols.amount, cols.kind, cols.reference, asset, cols.audience],
  ));
  const applied = r.rows[0].applied;
  // Legs skipped as already journaled must be replays of the same transfer (checked only when
  // some were skipped; a conflict throws, and the caller's transaction rolls back).
  if (applied < legs.length) await checkReplays(client, asset, cols);
  return { applied, replayed: legs.length - applied };
}

/** The balance CHECK of a non-system account, violated: the same error transfer() gives. */
async function overdrawnAsInsufficientFunds<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const pg = e as { code?: string; constraint?: string };
    if (pg.code === '23514' && pg.constraint === 'non_system_balance_non_negative') {
      throw new EcologyError('INSUFFICIENT_FUNDS', 'a bulk transfer would overdraw a non-system account');
    }
    throw e;
  }
}

async function checkReplays(
  client: PoolClient,
  asset: string,
  cols: { id: string[]; from: string[]; to: string[]; amount: number[]; kind: string[] },
): Promise<void> {
  const r = await client.query<{ id: string }>(
    `SELECT j.id FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS i(id, from_p, to_p, amount, kind)
     JOIN journal j ON j.id = i.id
     WHERE (j.debit_principal, j.credit_principal, j.asset, j.amount, j.kind) IS DISTINCT FROM (i.from_p, i.to_p, $6::text, i.amount, i.kind)
     LIMIT 1`,
    [cols.id, cols.from, cols.to, cols.amount, cols.kind, asset],
  );
  if (r.rows[0]) throw new EcologyError('IDEMPOTENCY_CONFLICT', `transfer id ${r.rows[0].id} was already used for a different transfer`);
}
