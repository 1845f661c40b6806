import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EcologyConfig } from './schema';

const REPO_ROOT = join(__dirname, '..', '..');

/**
 * Where `ecology up` leaves the connection details of the world it runs, so that every other
 * `ecology` command, from any shell, finds that world and not whatever the defaults point at:
 * `$ECOLOGY_DATA_DIR/world.json` (default `<repo>/.data/world.json`, next to the services' state).
 */
export function worldFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.ECOLOGY_DATA_DIR || join(REPO_ROOT, '.data'), 'world.json');
}

/** What the file holds: the configuration keys that say where the world is, and what `up` served. */
export interface WorldFile {
  config: {
    database: { url: string; mode: EcologyConfig['database']['mode']; embedded?: { dataDir: string } };
    temporal: { address: string; namespace: string };
    dashboard: { temporalUiUrl: string };
  };
  dashboard_url: string | null;
  written_at: string;
  pid: number;
}

/** Written by `ecology up` once the world runs (readable by its owner only: the URL may hold a password). */
export function writeWorldFile(config: EcologyConfig, extra: { dashboardUrl: string | null; embeddedDataDir: string | null }, env: NodeJS.ProcessEnv = process.env): string {
  const path = worldFilePath(env);
  const file: WorldFile = {
    config: {
      database: { url: config.database.url, mode: config.database.mode, ...(extra.embeddedDataDir ? { embedded: { dataDir: extra.embeddedDataDir } } : {}) },
      temporal: { address: config.temporal.address, namespace: config.temporal.namespace },
      dashboard: { temporalUiUrl: config.dashboard.temporalUiUrl },
    },
    dashboard_url: extra.dashboardUrl,
    written_at: new Date().toISOString(),
    pid: process.pid,
  };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/** The configuration layer of the world file, or undefined when there is none (or it cannot be read). */
export function readWorldLayer(env: NodeJS.ProcessEnv = process.env): { path: string; layer: Record<string, unknown> } | undefined {
  const path = worldFilePath(env);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<WorldFile>;
    if (!parsed || typeof parsed.config !== 'object' || parsed.config === null) return undefined;
    return { path, layer: parsed.config as unknown as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
