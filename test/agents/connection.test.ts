/** When Temporal cannot be reached, the error says where and what to do (the CLI prints it). */
import { loadConfig } from '../../src/config/load';
import { connectClient } from '../../src/temporal/connection';

test('an unreachable Temporal server is a clear UNAVAILABLE error', async () => {
  const config = loadConfig({ env: {}, overrides: { temporal: { address: '127.0.0.1:1' } } });
  const err = await connectClient(config, { connectTimeoutMs: 500 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { service: 'temporal', address: '127.0.0.1:1' } });
  expect((err as Error).message).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1 .*scripts\/services\.sh.*TEMPORAL_ADDRESS/);
});
