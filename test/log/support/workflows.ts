/** A workflow that logs at three levels and runs an activity that does too (test/log/temporal.test.ts). */
import { log, proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LoggingActivities } from './activities';

const LOGGING_ACTIVITY_OPTIONS: ActivityOptions = { startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } };

const { logFromActivity } = proxyActivities<LoggingActivities>(LOGGING_ACTIVITY_OPTIONS);

export async function loggingWorkflow(tag: string): Promise<string> {
  log.debug('workflow debug line', { tag });
  log.info('workflow info line', { tag });
  log.warn('workflow warn line', { tag });
  return logFromActivity(tag);
}
