/**
 * scripts/stop-services.sh says what it means: a service these scripts did not start (no pidfile in
 * the data folder) is "not started by these scripts", not "not running". Run against a data folder
 * of its own, so it never touches the shared services.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from './support';

test('stop-services.sh names services it did not start as such, and a stale pidfile as not running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ecology-stop-'));
  try {
    writeFileSync(join(dir, 'temporal.pid'), '999999999\n');
    const r = await run('bash', [join(ROOT, 'scripts', 'stop-services.sh')], { ...process.env, ECOLOGY_DATA_DIR: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`dockerd: not started by these scripts (no ${dir}/dockerd.pid)`);
    expect(r.stderr).toContain('temporal: not running any more (removed its stale pidfile)');
    expect(r.stderr).toMatch(/postgres: not started by these scripts/);
    expect(r.stderr).not.toMatch(/dockerd: not running/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
