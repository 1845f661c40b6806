/**
 * A worker in a child process, for the kill test: serves the resolution workflow (prebuilt bundle
 * from $ORACLE_WORKFLOW_BUNDLE) and the oracle activities with the configuration in
 * $ORACLE_TEST_CONFIG (JSON). Prints "ready" once polling. Run with `node -r tsx/cjs`.
 */
import { readFileSync } from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createOracleActivities } from '../../activities/oracle';
import { loadConfig } from '../../src/config/load';
import { createPool } from '../../src/db/pool';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = loadConfig({ overrides: JSON.parse(process.env.ORACLE_TEST_CONFIG ?? '{}') });
  const pool = createPool(config.database.url, 5);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowBundle: { code: readFileSync(process.env.ORACLE_WORKFLOW_BUNDLE as string, 'utf8') },
    activities: createOracleActivities({ pool, config }),
  });
  const running = worker.run();
  process.stdout.write('ready\n');
  await running;
}

main().catch((e: unknown) => {
  process.stderr.write(`oracle worker process: ${String(e)}\n`);
  process.exit(1);
});
