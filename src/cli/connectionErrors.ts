import type { EcologyConfig } from '../config/schema';
import type { ErrorInfo } from '../errors';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOENT', '3D000', '28P01', '28000']);

/** Where the CLI took each server's address from, said in errors so a wrong world is obvious. */
export interface ConnectionSources {
  database: string;
  temporal: string;
}

/** Names the layer that set the database URL and the Temporal address (see src/config/load.ts). */
export function connectionSources(env: NodeJS.ProcessEnv, world: { path: string; layer: Record<string, unknown> } | undefined, config: EcologyConfig | undefined): ConnectionSources {
  const layer = world?.layer as { database?: { url?: string }; temporal?: { address?: string } } | undefined;
  const from = (explicit: string, port: string, fromWorld: boolean) =>
    env[explicit]
      ? explicit
      : env[port]
        ? port
        : fromWorld
          ? `the world file ${world!.path} (written by "ecology up")`
          : `the configuration${world ? '' : ' (no world file: has "ecology up" run with this ECOLOGY_DATA_DIR?)'}`;
  return {
    database: from('DATABASE_URL', 'ECOLOGY_PG_PORT', !!config && layer?.database?.url === config.database.url),
    temporal: from('TEMPORAL_ADDRESS', 'ECOLOGY_TEMPORAL_PORT', !!config && layer?.temporal?.address === config.temporal.address),
  };
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Turns "cannot reach PostgreSQL" into an error that says where, why that server, and what to do. */
export function describeConnectionError(e: unknown, config: EcologyConfig | undefined, sources?: ConnectionSources): ErrorInfo | undefined {
  const code = (e as { code?: string })?.code;
  const where = config ? redactUrl(config.database.url) : 'DATABASE_URL';
  const why = sources ? ` (address from ${sources.database})` : '';
  if (code === '42P01') {
    return { code: 'NOT_MIGRATED', message: `the database at ${where}${why} has no ecology tables yet (${(e as Error).message}); if this is the world you meant, run "ecology migrate"` };
  }
  if (!code || !CONNECTION_CODES.has(code)) return undefined;
  return {
    code: 'DATABASE_UNREACHABLE',
    message: `cannot reach PostgreSQL at ${where}${why} (${code}: ${(e as Error).message}). Start it with "bash scripts/services.sh" or set DATABASE_URL.`,
  };
}

/**
 * A failure of a Temporal call (a gRPC ServiceError, a query that failed) gets the server it went
 * to; anything else is left alone.
 */
export function describeTemporalError(e: unknown, config: EcologyConfig | undefined, sources?: ConnectionSources): ErrorInfo | undefined {
  if (!config) return undefined;
  const err = e as { name?: string; message?: string; code?: unknown };
  const temporalish = /ServiceError|QueryNotRegistered|WorkflowNotFound|WorkflowFailed|Grpc/i.test(err?.name ?? '') || typeof err?.code === 'number';
  if (!temporalish) return undefined;
  const why = sources ? `, address from ${sources.temporal}` : '';
  return { code: 'UNAVAILABLE', message: `${err.message ?? String(e)} (Temporal at ${config.temporal.address}, namespace ${config.temporal.namespace}${why})` };
}
