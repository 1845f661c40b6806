/**
 * scripts/start-postgres.sh's own server refuses unauthenticated TCP connections: loopback TCP asks
 * for a password (scram-sha-256) that the script generates into $ECOLOGY_DATA_DIR (mode 0600) and
 * puts in the DATABASE_URL it prints; the Unix socket sits in a folder only the cluster's OS user
 * (and root) can enter. Run on a throw-away data folder and port: the machine's shared server is
 * never touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..');
let dataDir: string;
let port: number;
let url: string;
let clusterBase: string | undefined;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** The scripts with this test's own data folder and port (never the shared server's). */
const script = (name: string, ...args: string[]) => {
  const env: NodeJS.ProcessEnv = { ...process.env, ECOLOGY_DATA_DIR: dataDir, ECOLOGY_PG_PORT: String(port) };
  delete env.DATABASE_URL;
  return spawnSync('bash', [join(ROOT, 'scripts', name), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 150_000 });
};

async function query(connection: string | Record<string, unknown>, sql: string): Promise<Array<Record<string, unknown>>> {
  const c = new Client(typeof connection === 'string' ? { connectionString: connection } : connection);
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pg-auth-'));
  port = await freePort();
  const r = script('start-postgres.sh');
  if (r.status !== 0) throw new Error(`start-postgres.sh failed:\n${r.stderr}`);
  url = r.stdout.trim();
  clusterBase = dirname(String((await query(url, 'SHOW data_directory'))[0]!.data_directory));
}, 180_000);

afterAll(() => {
  if (dataDir) script('stop-services.sh', 'postgres');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  // As root the cluster may live in /var/tmp (when the postgres user cannot enter the data folder).
  if (clusterBase?.startsWith('/var/tmp/ecology-postgres-')) rmSync(clusterBase, { recursive: true, force: true });
}, 90_000);

test('TCP without a password, or with a wrong one, is refused', async () => {
  const tcp = { host: '127.0.0.1', port, user: 'postgres', database: 'ecology' };
  await expect(query(tcp, 'SELECT 1')).rejects.toThrow(/password/i);
  await expect(query({ ...tcp, password: 'not-the-password' }, 'SELECT 1')).rejects.toThrow(/password authentication failed/);
  const rules = await query(url, 'SELECT type, auth_method FROM pg_hba_file_rules WHERE error IS NULL');
  expect(rules.filter((r) => r.type !== 'local' && r.auth_method !== 'scram-sha-256')).toEqual([]);
  expect(rules.some((r) => r.type === 'host')).toBe(true);
});

test('the printed DATABASE_URL works, over the socket and over TCP; the password file and socket folder are private', async () => {
  expect(url).toMatch(new RegExp(`^postgres://postgres:[0-9a-f]{32,}@127\\.0\\.0\\.1:${port}/ecology`));
  expect(await query(url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  const overTcp = url.replace(/\?.*$/, '');
  expect(await query(overTcp, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  expect(statSync(join(dataDir, 'postgres.password')).mode & 0o777).toBe(0o600);
  expect(statSync(join(clusterBase!, 'socket')).mode & 0o777).toBe(0o700);
  // A second run finds the server running and prints the same working URL.
  const again = script('start-postgres.sh');
  expect(again.status).toBe(0);
  expect(again.stdout.trim()).toBe(url);
});
