import type { Command } from '../command';
import { stringOption } from '../parse';

export const workerCommand: Command = {
  name: 'worker',
  usage: 'worker [--task-queue <name>]',
  summary: 'serve the workflows and activities (TEMPORAL_ADDRESS, DATABASE_URL, OPENAI_*) until SIGINT/SIGTERM',
  valueOptions: ['task-queue'],
  async run(ctx) {
    // Loaded lazily: the worker brings in Temporal's native bridge, which other commands don't need.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runWorkerUntilSignalled } = require('../../../workers/worker') as typeof import('../../../workers/worker');
    const config = ctx.config();
    const taskQueue = stringOption(ctx.options['task-queue'], 'task-queue') ?? config.temporal.taskQueue;
    await runWorkerUntilSignalled({ config, taskQueue, pool: await ctx.pool() });
    ctx.print({ ok: true, stopped: true, taskQueue }, `worker on ${taskQueue} stopped`);
    return 0;
  },
};
