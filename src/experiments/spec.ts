/**
 * An experiment's spec (`ecology experiment run <spec>`, docs/experiments.md): the agents, the
 * bounty suite, the limits of each arm and the arms. Checked strictly; a bad spec is one
 * INVALID_ARGUMENT naming every problem.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { quotaSetSchema } from '../config/schema';
import { invalid } from '../errors';
import { newArtifactId, nonNegativeAmount } from '../validation';
import { SUITE_SPONSOR } from './suite';

/** The built-in arms: the full economy, and the same agents each alone with the genesis services. */
export const ARMS = ['society', 'isolated'] as const;
export type Arm = (typeof ARMS)[number];

/** The name goes into database names (`<base>_exp_<name>_<arm>_<n>`): lower case, digits, `_`. */
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

const agentSchema = z.strictObject({
  id: newArtifactId,
  /** null or absent: llm.defaultModel. */
  model: z.string().min(1).max(200).nullable().optional(),
  system_prompt: z.string().min(1),
  endowment: z.strictObject({ scrip: nonNegativeAmount, compute: nonNegativeAmount }),
});

export const specSchema = z.strictObject({
  name: z.string().regex(NAME, { error: 'must be 1-40 characters of a-z 0-9 _, starting with a letter (it names databases)' }),
  description: z.string().max(2000).optional(),
  agents: z
    .array(agentSchema)
    .min(1)
    .refine((a) => new Set(a.map((x) => x.id)).size === a.length, { error: 'agent ids must differ' })
    .refine((a) => !a.some((x) => x.id === SUITE_SPONSOR), { error: `${SUITE_SPONSOR} is the account that posts the suite's bounties; no agent may take its id` }),
  /** Path of a bounty suite file (bounties/suites/<name>.json); relative: from the spec's folder, then the working folder. */
  suite: z.string().min(1),
  /** Each arm stops when its world has spent this many LLM dollars... */
  budget_usd: z.number().positive().max(1_000_000),
  /** ...or after this many minutes, whichever comes first. */
  minutes: z.number().positive().max(7 * 24 * 60),
  arms: z
    .array(z.enum(ARMS))
    .min(1)
    .refine((a) => new Set(a).size === a.length, { error: 'an arm may be named once' })
    .default([...ARMS]),
  repeats: z.number().int().min(1).max(100).default(1),
  /** Rights every agent gets (config quotas.operatorPrincipal), e.g. {"llm_dollars": 2000000}. */
  quotas: quotaSetSchema.partial().optional(),
  llm: z
    .strictObject({
      provider: z.enum(['auto', 'endpoint', 'local']).optional(),
      base_url: z.string().min(1).optional(),
      model: z.string().min(1).optional(),
    })
    .optional(),
  /** Configuration merged over the loaded one for every arm (world.isolation is set by the arm). */
  config: z.record(z.string(), z.unknown()).optional(),
});

export type ExperimentSpec = z.infer<typeof specSchema>;
export type SpecAgent = z.infer<typeof agentSchema>;

/** Checks a parsed spec; throws INVALID_ARGUMENT listing every problem with its path. */
export function parseSpec(raw: unknown, where = 'spec'): ExperimentSpec {
  const r = specSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw invalid(`${where}: ${problems.join('; ')}`, { problems });
  }
  const world = r.data.config?.world as { isolation?: unknown } | undefined;
  if (world?.isolation !== undefined) throw invalid(`${where}: config.world.isolation is set by each arm, not by the spec`);
  return r.data;
}

/** Reads and checks a spec file. */
export function readSpec(path: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw invalid(`cannot read the spec ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw invalid(`the spec ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseSpec(raw, path);
}
