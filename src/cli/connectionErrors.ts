import type { EcologyConfig } from '../config/schema';

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '3D000', '28P01', '28000']);

/** Turns "cannot reach PostgreSQL" into an error that says where and what to do. */
export function describeConnectionError(e: unknown, config: EcologyConfig | undefined): { code: string; message: string } | undefined {
  const code = (e as { code?: string })?.code;
  if (code === '42P01') {
    return { code: 'NOT_MIGRATED', message: `the database has no ecology tables yet (${(e as Error).message}); run "ecology migrate"` };
  }
  if (!code || !CONNECTION_CODES.has(code)) return undefined;
  const where = config ? redact(config.database.url) : 'DATABASE_URL';
  return {
    code: 'DATABASE_UNREACHABLE',
    message: `cannot reach PostgreSQL at ${where} (${code}: ${(e as Error).message}). Start it with "bash scripts/services.sh" or set DATABASE_URL.`,
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
