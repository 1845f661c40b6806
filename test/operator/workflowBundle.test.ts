/**
 * The worker image's prebuilt workflow bundle: `npm run workflows:bundle` writes it at `docker build`,
 * the image names it in ECOLOGY_WORKFLOW_BUNDLE, and the worker loads that file instead of bundling
 * workflows/index.ts at start-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/config/load';
import { prebuiltWorkflowBundle, PREBUILT_BUNDLE_ENV, writeWorkflowBundle } from '../../src/ecology/workflowBundle';
import { connectClient } from '../../src/temporal/connection';
import { startEcologyWorker, workflowSource, WORKFLOWS_PATH, type RunningWorker } from '../../workers/worker';
import { createTestDatabase, type TestDatabase } from '../support/testDb';
import { silentLogger } from '../../src/log/logger';

const dir = mkdtempSync(join(tmpdir(), 'prebuilt-bundle-'));
const bundleFile = join(dir, 'dist', 'workflow-bundle.js');

// The production writer (what the image's build step runs), on a workflows file of the test's own.
beforeAll(() => writeWorkflowBundle(bundleFile, join(__dirname, 'fixtures', 'prebuiltMarkerWorkflows.ts')), 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('choosing the workflow code', () => {
  it('uses the file $ECOLOGY_WORKFLOW_BUNDLE names, by path', () => {
    expect(prebuiltWorkflowBundle({ [PREBUILT_BUNDLE_ENV]: bundleFile })).toEqual({ codePath: bundleFile });
    expect(workflowSource(undefined, { [PREBUILT_BUNDLE_ENV]: bundleFile })).toEqual({ workflowBundle: { codePath: bundleFile } });
  });

  it('bundles workflows/index.ts at start-up when no bundle is named, and prefers one given in code', () => {
    expect(prebuiltWorkflowBundle({})).toBeUndefined();
    expect(workflowSource(undefined, {})).toEqual({ workflowsPath: WORKFLOWS_PATH });
    expect(workflowSource({ code: 'x' }, { [PREBUILT_BUNDLE_ENV]: bundleFile })).toEqual({ workflowBundle: { code: 'x' } });
  });

  it('refuses a variable naming no file (rather than bundling silently)', () => {
    expect(() => prebuiltWorkflowBundle({ [PREBUILT_BUNDLE_ENV]: join(dir, 'missing.js') })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('a worker started with a prebuilt bundle file', () => {
  let db: TestDatabase;
  let worker: RunningWorker | undefined;
  let client: Client | undefined;
  const saved = process.env[PREBUILT_BUNDLE_ENV];

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // installed already
    }
    db = await createTestDatabase();
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env[PREBUILT_BUNDLE_ENV];
    else process.env[PREBUILT_BUNDLE_ENV] = saved;
    await worker?.shutdown();
    await client?.connection.close().catch(() => undefined);
    await db?.drop();
  });

  it('runs the workflows of that file', async () => {
    const taskQueue = `prebuilt-bundle-${randomBytes(4).toString('hex')}`;
    const config = loadConfig({ env: { ...process.env, DATABASE_URL: db.url }, overrides: { temporal: { taskQueue } } });
    process.env[PREBUILT_BUNDLE_ENV] = bundleFile;
    worker = await startEcologyWorker({ config, pool: db.pool, sandbox: null, logger: silentLogger() });
    client = await connectClient(config);
    // Only the fixture's bundle has this workflow; workflows/index.ts does not.
    const result = await client.workflow.execute('prebuiltMarkerWorkflow', { taskQueue, workflowId: `${taskQueue}-marker`, workflowExecutionTimeout: '60s' });
    expect(result).toBe('served from the prebuilt bundle');
  }, 120_000);
});
