/**
 * `ecology calibrate` against the real Docker daemon with a short probe, the proposal arithmetic,
 * and the operator's application of the proposed rates at bootstrap.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOperatorPrincipal } from '../../src/artifacts/operator';
import { loadConfig } from '../../src/config/load';
import { proposeRates } from '../../src/ecology/calibrate';
import { applyComputeRates } from '../../src/ecology/computeRates';
import { bootstrapGenesis } from '../../src/genesis/bootstrap';
import { getQuota } from '../../src/rights/quotas';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { BIN, run } from './support';

jest.setTimeout(180_000);

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await bootstrapGenesis(db.pool);
  dir = mkdtempSync(join(tmpdir(), 'ecology-calibrate-'));
});
afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function rate(id: string): Promise<number> {
  const client = await db.pool.connect();
  try {
    return await getQuota(client, id, 'compute_rate');
  } finally {
    client.release();
  }
}

describe('proposeRates', () => {
  it('splits the target share in proportion to the current rates, never above it', () => {
    const p = proposeRates(1900, 75, [
      { id: 'a', rate: 100 },
      { id: 'b', rate: 300 },
      { id: 'c', rate: 0 },
    ]);
    expect(p.total_rate).toBe(1425);
    expect(p.split).toBe('proportional');
    expect(p.per_principal).toEqual({ a: 356, b: 1068, c: 0 });
    expect(Object.values(p.per_principal).reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(p.total_rate);
    expect(p.new_principal_rate).toBe(475);
  });

  it('splits equally when nobody has a rate, and proposes only the new-principal rate for an empty world', () => {
    expect(proposeRates(1000, 80, [{ id: 'a', rate: 0 }, { id: 'b', rate: 0 }, { id: 'c', rate: 0 }]).per_principal).toEqual({ a: 266, b: 266, c: 266 });
    expect(proposeRates(1000, 80, [])).toMatchObject({ split: 'none', per_principal: {}, new_principal_rate: 800 });
  });
});

describe('ecology calibrate', () => {
  it('measures the CPU the sandbox containers deliver and writes a config fragment that merges', async () => {
    const config = loadConfig({ env: {} });
    await createOperatorPrincipal(db.pool, config, { id: 'cal_a', kind: 'agent', scrip: 0, compute: 0 });
    await createOperatorPrincipal(db.pool, config, { id: 'cal_b', kind: 'account', scrip: 0, compute: 0 });
    const configFile = join(dir, 'ecology.config.json');
    writeFileSync(configFile, JSON.stringify({ ecology: { calibration: { seconds: 1, probeMs: 400, targetPercent: 75, out: null } } }));
    const out = join(dir, 'calibration.json');
    const env = { ...process.env, DATABASE_URL: db.url, ECOLOGY_CONFIG: configFile };
    const r = await run(process.execPath, [BIN, 'calibrate', '--json', '--out', out, '--merge'], env, 170_000);
    expect({ code: r.code, stderr: r.stderr.slice(-2000) }).toEqual({ code: 0, stderr: expect.any(String) });
    const { measurement: m, proposal, fragment } = r.json;
    expect(m.containers).toBe(m.docker_cpus);
    expect(m.failed_runs).toBe(0);
    expect(m.runs).toBeGreaterThanOrEqual(m.containers);
    // Busy loops in every container: the pool delivers CPU, and no more than its limits allow.
    expect(m.delivered_cpu_ms_per_s).toBeGreaterThan(0);
    expect(m.delivered_cpu_ms_per_s).toBeLessThanOrEqual(m.limit_cpu_ms_per_s * 1.1);
    expect(proposal.total_rate).toBe(Math.floor((m.delivered_cpu_ms_per_s * 75) / 100));
    expect(Object.keys(proposal.per_principal).sort()).toEqual(['cal_a', 'cal_b']);
    expect(proposal.per_principal.cal_a + proposal.per_principal.cal_b).toBeLessThanOrEqual(proposal.total_rate);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(fragment);
    // --merge wrote it into the configuration file, which still loads.
    const merged = loadConfig({ file: configFile, env: {} });
    expect(merged.ecology.computeRates).toEqual(proposal.per_principal);
    expect(merged.quotas.operatorPrincipal.compute_rate).toBe(proposal.new_principal_rate);
    expect(merged.ecology.calibration.probeMs).toBe(400);

    // The operator applies it at the next bootstrap; only the named principals change.
    const before = await rate('cal_b');
    const applied = await applyComputeRates(db.pool, merged);
    expect(applied.changed.map((c) => c.principal).sort()).toEqual(['cal_a', 'cal_b']);
    expect(await rate('cal_a')).toBe(proposal.per_principal.cal_a);
    expect(before).toBe(config.quotas.operatorPrincipal.compute_rate);
    expect((await applyComputeRates(db.pool, merged)).changed).toEqual([]);
    const events = await db.pool.query(`SELECT subject_id FROM events WHERE type = 'quota_set' ORDER BY seq`);
    expect(events.rows.map((e) => e.subject_id)).toEqual(['cal_a', 'cal_b']);
  });

  it('fails clearly on bad options', async () => {
    const env = { ...process.env, DATABASE_URL: db.url };
    const bad = await run(process.execPath, [BIN, 'calibrate', '--target', '0', '--json'], env);
    expect(bad.code).toBe(1);
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    const unknown = await run(process.execPath, [BIN, 'calibrate', '--fast', '--json'], env);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});
