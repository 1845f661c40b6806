/** The Temporal SDK's logger over the process logger (src/temporal/runtimeLog.ts), line by line. */
import { PinoSdkLogger } from '../../src/temporal/runtimeLog';
import { captureLog } from '../support/logCapture';

test("the SDK's own info lines are debug; workflow and activity lines keep their level", () => {
  const info = captureLog({ level: 'info' });
  const sdk = new PinoSdkLogger(() => info.logger);
  sdk.info('Worker state changed', { sdkComponent: 'worker', taskQueue: 'q', state: 'RUNNING' });
  sdk.info('from workflow code', { sdkComponent: 'workflow', workflowId: 'w' });
  sdk.warn('Activity failed', { sdkComponent: 'worker', activityId: '1' });
  expect(info.lines.map((l) => [l.level, l.msg])).toEqual([
    ['info', 'from workflow code'],
    ['warn', 'Activity failed'],
  ]);
  const debug = captureLog({ level: 'debug' });
  new PinoSdkLogger(() => debug.logger).info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
  expect(debug.lines).toMatchObject([{ level: 'debug', msg: 'Worker state changed', state: 'RUNNING' }]);
});

test('an error is its first line, the task token is left out, intended warnings are dropped', () => {
  const c = captureLog({ level: 'debug' });
  const sdk = new PinoSdkLogger(() => c.logger);
  const error = new Error('cannot reach http://127.0.0.1:9/v1\n    at somewhere (file.ts:1:1)');
  sdk.warn('Activity failed', { sdkComponent: 'worker', error, taskToken: 'Q2lRM...', activityId: '7', workflowId: 'agent-a' });
  sdk.warn('No workflows registered, not polling for workflow tasks', { sdkComponent: 'worker' });
  expect(c.lines).toHaveLength(1);
  expect(c.lines[0]).toEqual(expect.objectContaining({ level: 'warn', msg: 'Activity failed', error: 'cannot reach http://127.0.0.1:9/v1', activityId: '7', workflowId: 'agent-a' }));
  expect(c.lines[0]).not.toHaveProperty('taskToken');
});
