import { createOperatorPrincipal } from '../src/artifacts/operator';
import { loadConfig } from '../src/config/load';
import { createPool } from '../src/db/pool';
import { bootstrapGenesis } from '../src/genesis/bootstrap';
import { dispatch } from '../src/genesis/dispatch';
import { createBenchDatabase } from './support/db';

void (async () => {
  const db = await createBenchDatabase();
  const pool = createPool(db.url, 2);
  const config = loadConfig();
  await bootstrapGenesis(pool);
  for (let i = 0; i < 50; i++) await createOperatorPrincipal(pool, config, { id: `p${i}`, kind: 'agent', scrip: 1e9, compute: 1e12 });
  for (let i = 0; i < 300; i++) await dispatch({ pool, config }, { caller: `p${i % 50}`, artifactId: 'genesis_ledger', method: 'transfer', args: { to: `p${(i + 1) % 50}`, amount: 1 }, key: `w${i}` });
  const c = await pool.connect();
  // capture statement texts by running a dispatch with query logging
  const texts: Array<{ text: string; values: unknown[] }> = [];
  const orig = c.query.bind(c);
  (c as any).query = (q: any, v?: any) => { if (typeof q === 'object') texts.push({ text: q.text, values: q.values }); else texts.push({ text: q, values: v }); return orig(q, v); };
  (pool as any).connect = async () => c; (c as any).release = () => undefined;
  await dispatch({ pool, config }, { caller: 'p1', artifactId: 'genesis_ledger', method: 'transfer', args: { to: 'p2', amount: 1 }, key: 'x1' });
  (c as any).query = orig;
  for (const t of texts) {
    if (/^(BEGIN|COMMIT|SAVEPOINT)/.test(t.text)) continue;
    await orig('BEGIN');
    const vals = (t.values ?? []).map((v: any) => (typeof v === 'string' && v.startsWith('x1') ? v.replace('x1', 'x2') : v));
    const r = await orig(`EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) ${t.text}`, vals.length ? vals : undefined);
    await orig('ROLLBACK');
    const lines = r.rows.map((x: any) => x['QUERY PLAN']);
    console.log('====', t.text.replace(/\s+/g, ' ').slice(0, 80));
    console.log(lines.filter((l: string) => /Planning Time|Execution Time|Trigger/.test(l)).join('\n'));
  }
  c.release(); await pool.end(); await db.drop();
})();
