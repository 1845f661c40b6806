import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { actionLine, actionsAfter, type FeedCursor, type FinishedAction } from '../../agents/actionFeed';
import type { EcologyConfig } from '../../config/schema';
import { writeWorldFile } from '../../config/worldFile';
import { embeddedDataDir } from '../../db/embedded';
import { bootstrapWorld } from '../../ecology/bootstrap';
import { startRootWorkflow } from '../../ecology/root';
import type { EcologySummary } from '../../ecology/types';
import { cachedWorkflowBundle } from '../../ecology/workflowBundle';
import { EcologyError } from '../../errors';
import { usesLocalModel, withLlmProvider, type LlmProviderChoice } from '../../config/provider';
import { describeProvider, NO_ENDPOINT_MESSAGE } from '../../llm/client';
import { stopLocalModel } from '../../llm/local/child';
import { processLogger, type Logger } from '../../log/logger';
import { probeLlmEndpoint, type ProbeResult } from '../../llm/preflight';
import type { Command, CommandContext } from '../command';
import { summaryQuery } from '../../ecology/signals';

const LLM_CHOICES: readonly LlmProviderChoice[] = ['auto', 'endpoint', 'local'];
const ROOT = join(__dirname, '..', '..', '..');

/** Stops at once, before anything starts, when the endpoint is chosen (llm.provider 'endpoint') but none is configured. */
export function requireLlmEndpoint(config: EcologyConfig): void {
  if (usesLocalModel(config.llm) || config.llm.baseUrl || config.llm.apiKey) return;
  throw new EcologyError(
    'UNAVAILABLE',
    `${NO_ENDPOINT_MESSAGE}. For example:\n` +
      '  export OPENAI_API_KEY=sk-...                          # OpenAI\n' +
      '  export OPENAI_BASE_URL=http://127.0.0.1:8000/v1       # any OpenAI-compatible server (vLLM, Ollama, LM Studio...)\n' +
      'or set llm.apiKey / llm.baseUrl in ecology.config.json; the model is llm.defaultModel. Or think with the bundled local model: --llm local.',
    { reason: 'no_llm_endpoint' },
  );
}

/** Polls the root's summary until its bootstrap is done (or `stopped()` says to give up). */
async function waitForRoot(client: Client, config: EcologyConfig, stopped: () => boolean): Promise<EcologySummary | null> {
  const handle = client.workflow.getHandle(config.ecology.workflowId);
  while (!stopped()) {
    try {
      const s = await handle.query(summaryQuery);
      if (s.status !== 'bootstrapping') return s;
    } catch {
      // the first workflow task may not have run yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

interface Dashboard {
  url: string;
  tokenRequired: boolean;
  close(): Promise<void>;
}

async function startDashboardIfWanted(ctx: CommandContext, client: Client, log: Logger): Promise<Dashboard | null> {
  const config = ctx.config();
  if (ctx.options['no-dashboard'] === true || (config.dashboard as { enabled?: boolean }).enabled === false) return null;
  try {
    // Loaded lazily: only `up` and `dashboard` serve it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startDashboard } = require('../../dashboard/server') as typeof import('../../dashboard/server');
    return await startDashboard({ pool: await ctx.pool(), config, temporalClient: client, logger: log });
  } catch (e) {
    log.warn(`the dashboard did not start (${(e as Error).message}); everything else runs (try "ecology dashboard --port N")`);
    return null;
  }
}

/** `up --follow`: every finished agent action, as it is read (ecology.follow.pollMs), until stop(). */
function followActions(pool: Pool, config: EcologyConfig, out: (a: FinishedAction) => void): { stop(): Promise<void> } {
  let cursor: FeedCursor = { at: new Date(), key: '' };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        for (const a of await actionsAfter(pool, cursor, config.events.batch)) {
          out(a);
          cursor = { at: a.at, key: a.key };
        }
      } catch {
        // A failed read is tried again at the next tick; the world goes on either way.
      }
      await new Promise((r) => setTimeout(r, config.ecology.follow.pollMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

export const upCommand: Command = {
  name: 'up',
  usage: 'up [--llm auto|endpoint|local] [--follow] [--preflight] [--exit-after-bootstrap] [--no-dashboard]',
  summary: 'run the ecology: migrate, bootstrap, a worker in this process, ecologyWorkflow, the dashboard; Ctrl-C stops it (the world stays)',
  flagOptions: ['follow', 'preflight', 'exit-after-bootstrap', 'no-dashboard'],
  valueOptions: ['llm'],
  startsWorld: true,
  async run(ctx) {
    const choice = ctx.options.llm;
    if (choice !== undefined && !LLM_CHOICES.includes(choice as LlmProviderChoice)) {
      throw new EcologyError('INVALID_ARGUMENT', `--llm takes one of ${LLM_CHOICES.join(', ')}`);
    }
    const config = withLlmProvider(ctx.config(), choice as LlmProviderChoice | undefined);
    requireLlmEndpoint(config);
    const provider = { local: usesLocalModel(config.llm), model: config.llm.defaultModel, endpoint: usesLocalModel(config.llm) ? null : (config.llm.baseUrl ?? 'https://api.openai.com/v1') };
    // An endpoint gets one real request (the local model is started with the worker, and checked then).
    const probe: ProbeResult | null = provider.local ? null : await probeLlmEndpoint(config.llm);
    if (ctx.options.preflight === true) {
      if (probe && !probe.ok) throw new EcologyError('UNAVAILABLE', `the LLM endpoint failed the preflight request (model ${probe.model}): ${probe.message}`, { endpoint: probe.endpoint });
      ctx.print(
        { ok: true, preflight: true, llm: provider, ...(probe ? { latency_ms: probe.latencyMs } : {}) },
        probe ? `LLM endpoint ${probe.endpoint} answered (model ${probe.model}, ${probe.latencyMs} ms)` : `agents think with ${describeProvider(config.llm)}`,
      );
      return 0;
    }
    const log = processLogger();
    // The world starts anyway (the endpoint may come back); the agents show think-failing meanwhile.
    if (probe && !probe.ok) log.warn({ endpoint: probe.endpoint, model: probe.model }, `the LLM endpoint failed its start-up request (model ${probe.model}): ${probe.message}`);
    const event = (name: string, value: Record<string, unknown>, human: string) => (ctx.json ? ctx.print({ ok: true, event: name, ...value }) : log.info(human));

    let stopSignal: string | null = null;
    let wake: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (wake = resolve));
    const onSignal = (sig: string) => () => {
      if (stopSignal) return;
      stopSignal = sig;
      log.info({ signal: sig }, `${sig} received: stopping the worker (services and the world stay; scripts/stop-services.sh stops the services)`);
      wake();
    };
    const onInt = onSignal('SIGINT');
    const onTerm = onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    try {
      const pool = await ctx.pool();
      const client = await ctx.temporal();
      const boot = await bootstrapWorld({ pool, config, temporal: client });
      const r = boot.report;
      event('bootstrapped', { report: r }, `database ready (${r.migrationsApplied.length} migrations applied); agents created: ${r.agentsCreated.join(', ') || 'none'}, existing: ${r.agentsExisting.join(', ') || 'none'}`);
      if (stopSignal) return 0;

      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startEcologyWorker } = require('../../../workers/worker') as typeof import('../../../workers/worker');
      const { code } = await cachedWorkflowBundle({ dir: join(process.env.ECOLOGY_DATA_DIR ?? join(ROOT, '.data')), logger: log });
      const worker = await startEcologyWorker({ config, pool, workflowBundle: { code }, logger: log });
      let crashed = null as Error | null;
      worker.done.catch((e: Error) => {
        crashed = e;
        wake();
      });
      try {
        const root = await startRootWorkflow(client, config, boot.worldId);
        const summary = await waitForRoot(client, config, () => stopSignal !== null || crashed !== null);
        const dashboard = stopSignal || crashed ? null : await startDashboardIfWanted(ctx, client, log);
        try {
          const ui = config.dashboard.temporalUiUrl;
          const embedded = config.database.mode === 'embedded' ? embeddedDataDir(config) : null;
          const worldFile = writeWorldFile(config, { dashboardUrl: dashboard?.url ?? null, embeddedDataDir: embedded });
          const ready = {
            root: { workflow_id: config.ecology.workflowId, action: root, status: summary?.status ?? 'unknown' },
            task_queue: worker.taskQueue,
            temporal: config.temporal.address,
            temporal_ui: ui,
            dashboard: dashboard?.url ?? null,
            world_file: worldFile,
            database: embedded ? { mode: 'embedded', data_dir: embedded } : { mode: 'server' },
            agents: summary ? [...summary.children.started, ...summary.children.alreadyRunning] : [],
            llm: provider,
          };
          event('ready', ready, [
            `the ecology runs (${config.ecology.workflowId}: ${root === 'started' ? 'started' : 'resumed, it was already running'}; worker on task queue ${worker.taskQueue})`,
            `  LLM:          agents think with ${describeProvider(config.llm)}`,
            `  Temporal UI:  ${ui}/namespaces/${config.temporal.namespace}/workflows  (workflow ${config.ecology.workflowId}, agents agent-<id>)`,
            ...(dashboard ? [`  dashboard:    ${dashboard.url}`] : []),
            ...(embedded ? [`  database:     embedded PGlite in ${embedded} (one connection; other ecology commands can open it once this one stops)`] : []),
            '  watch:        ecology agents   |   ecology events --follow   |   ecology summary   |   ecology agent <id>',
            `  other shells: every ecology command finds this world through ${worldFile}`,
            '  Ctrl-C stops this worker; the world stays in PostgreSQL and Temporal, and the next "npm start" resumes it.',
          ].join('\n'));
          const feed = ctx.options.follow === true ? followActions(pool, config, (a) => (ctx.json ? ctx.print({ ok: true, event: 'action', action: a }) : log.info(actionLine(a, config.ecology.follow.maxLineChars)))) : null;
          try {
            if (ctx.options['exit-after-bootstrap'] !== true) await stopped;
          } finally {
            await feed?.stop();
          }
        } finally {
          await dashboard?.close().catch(() => undefined);
        }
      } finally {
        await worker.shutdown();
        await stopLocalModel();
      }
      if (crashed) throw crashed;
      event('stopped', { signal: stopSignal }, 'stopped');
      return 0;
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
  },
};
