import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isPricedModel, unpricedModelMessage } from './prices';
import { configSchema, type EcologyConfig } from './schema';

const DEFAULT_FILE = join(__dirname, '..', '..', 'config', 'default.json');
const USER_FILE = 'ecology.config.json';

type Json = Record<string, unknown>;

function isPlainObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where `over` wins; arrays and scalars replace. */
export function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Json, v) : v;
  }
  return out;
}

function readJson(path: string): Json {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isPlainObject(parsed)) throw new Error('top level must be an object');
    return parsed;
  } catch (e) {
    throw new Error(`cannot read configuration file ${path}: ${(e as Error).message}`);
  }
}

/** Environment variables that override the file, as [variable, path in config]. */
const ENV_OVERRIDES: Array<[string, string[]]> = [
  ['DATABASE_URL', ['database', 'url']],
  ['ECOLOGY_DB', ['database', 'mode']],
  ['TEMPORAL_ADDRESS', ['temporal', 'address']],
  ['TEMPORAL_NAMESPACE', ['temporal', 'namespace']],
  ['TEMPORAL_TLS_CERT', ['temporal', 'tls', 'certFile']],
  ['TEMPORAL_TLS_KEY', ['temporal', 'tls', 'keyFile']],
  ['TEMPORAL_TLS_CA', ['temporal', 'tls', 'caFile']],
  ['TEMPORAL_TLS_SERVER_NAME', ['temporal', 'tls', 'serverName']],
  ['OPENAI_BASE_URL', ['llm', 'baseUrl']],
  ['OPENAI_API_KEY', ['llm', 'apiKey']],
  ['ECOLOGY_SANDBOX_IMAGE', ['sandbox', 'image']],
  ['ECOLOGY_DASHBOARD_TOKEN', ['dashboard', 'token']],
  ['TEMPORAL_UI_URL', ['dashboard', 'temporalUiUrl']],
];

/**
 * The scripts' port variables (scripts/lib.sh), as [variable, path in config, value from the port].
 * They say where the local services run, so a shell that has them finds the same world as
 * `npm start` did; DATABASE_URL, TEMPORAL_ADDRESS and TEMPORAL_UI_URL, when set, win over them.
 */
const PORT_VARIABLES: Array<[string, string[], (port: string) => string]> = [
  ['ECOLOGY_PG_PORT', ['database', 'url'], (p) => `postgres://postgres@127.0.0.1:${p}/ecology`],
  ['ECOLOGY_TEMPORAL_PORT', ['temporal', 'address'], (p) => `127.0.0.1:${p}`],
  ['ECOLOGY_TEMPORAL_UI_PORT', ['dashboard', 'temporalUiUrl'], (p) => `http://127.0.0.1:${p}`],
];

function nest(path: string[], value: unknown): Json {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Json;
}

function envLayer(env: NodeJS.ProcessEnv): Json {
  let layer: Json = {};
  for (const [name, path, url] of PORT_VARIABLES) {
    const port = env[name];
    if (port && /^\d{1,5}$/.test(port)) layer = deepMerge(layer, nest(path, url(port)));
  }
  for (const [name, path] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    layer = deepMerge(layer, nest(path, value));
  }
  return layer;
}

export interface LoadOptions {
  /** Explicit file; else $ECOLOGY_CONFIG; else ./ecology.config.json when it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Connection details of the running world (src/config/worldFile.ts), over the defaults, under the file and the environment. */
  world?: Json;
  /** Extra values merged last (tests use this). */
  overrides?: Json;
}

/** Loads defaults <- world file <- user file <- environment <- overrides, and validates the result. */
export function loadConfig(opts: LoadOptions = {}): EcologyConfig {
  const env = opts.env ?? process.env;
  let merged = readJson(DEFAULT_FILE);
  const userFile = opts.file ?? env.ECOLOGY_CONFIG ?? (existsSync(USER_FILE) ? USER_FILE : undefined);
  // The running world's connection details sit under the file: what a file names explicitly wins.
  if (opts.world) merged = deepMerge(merged, opts.world);
  if (userFile) merged = deepMerge(merged, readJson(resolve(userFile)));
  merged = deepMerge(merged, envLayer(env));
  if (opts.overrides) merged = deepMerge(merged, opts.overrides);
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  const unpriced = unpricedModels(result.data);
  if (unpriced.length > 0) throw new Error(`invalid configuration: ${unpriced.join('; ')}`);
  return result.data;
}

/** The models the configuration names that the price table does not list (they cannot be used). */
function unpricedModels(config: EcologyConfig): string[] {
  const named: Array<[string, string | null]> = [
    ['llm.defaultModel', config.llm.defaultModel],
    ['oracle.scorer.model', config.oracle.scorer.model],
    ...config.ecology.initialAgents.map((a, i): [string, string | null] => [`ecology.initialAgents.${i}.model`, a.model]),
  ];
  return named.filter(([, m]) => m !== null && !isPricedModel(config.llm, m)).map(([path, m]) => `${path}: ${unpricedModelMessage(config.llm, m!)}`);
}
