/** When Temporal cannot be reached, the error says where and what to do (the CLI prints it). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';
import { connectClient } from '../../src/temporal/connection';
import { temporalTls } from '../../src/temporal/tls';
import { connectWorkerConnection } from '../../src/temporal/workerConnection';

test('an unreachable Temporal server is a clear UNAVAILABLE error', async () => {
  const config = loadConfig({ env: {}, overrides: { temporal: { address: '127.0.0.1:1' } } });
  const err = await connectClient(config, { connectTimeoutMs: 500 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'temporal', address: '127.0.0.1:1' } });
  expect((err as Error).message).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1 .*scripts\/services\.sh.*TEMPORAL_ADDRESS/);
});

describe('TLS to the Temporal frontend (TEMPORAL_TLS_CERT, _KEY, _CA)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  const cert = join(dir, 'client.pem');
  const key = join(dir, 'client.key');
  beforeAll(() => {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=ecology-worker'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the variables become the SDK tls options; a certificate without its key is refused', () => {
    expect(temporalTls(loadConfig({ env: {} }))).toBeUndefined();
    const tls = temporalTls(loadConfig({ env: { TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: cert, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' } }));
    expect(tls).toEqual({
      clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) },
      serverRootCACertificate: readFileSync(cert),
      serverNameOverride: 'temporal.internal',
    });
    expect(() => temporalTls(loadConfig({ env: { TEMPORAL_TLS_CERT: cert } }))).toThrow(/go together/);
    expect(() => temporalTls(loadConfig({ env: { TEMPORAL_TLS_CA: join(dir, 'missing.pem') } }))).toThrow(/cannot read the Temporal TLS CA certificate/);
  });

  test('client and worker connections use them: TLS to the plaintext dev server fails, plaintext connects', async () => {
    const plain = loadConfig({ env: { TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' } });
    const client = await connectClient(plain, { connectTimeoutMs: 5000 });
    await client.connection.close();
    const withTls = loadConfig({ env: { TEMPORAL_ADDRESS: plain.temporal.address, TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: cert } });
    await expect(connectClient(withTls, { connectTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(connectWorkerConnection(withTls)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
