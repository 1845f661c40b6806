/** An activity that logs at three levels through the activity context's logger (test/log/temporal.test.ts). */
import { log } from '@temporalio/activity';

export const loggingActivities = {
  async logFromActivity(tag: string): Promise<string> {
    log.debug('activity debug line', { tag });
    log.info('activity info line', { tag });
    log.warn('activity warn line', { tag });
    return `logged ${tag}`;
  },
};

export type LoggingActivities = typeof loggingActivities;
