import { z } from 'zod';
import type { EcologyConfig } from '../config/schema';
import { invalid } from '../errors';
import { newArtifactId, nonNegativeAmount } from '../validation';
import type { AgentSpec } from './types';

/** An agent spec as it arrives from a workflow input, a signal or the CLI: checked strictly. */
const agentSpecSchema = z.strictObject({
  id: newArtifactId,
  system_prompt: z.string().min(1).nullable().optional(),
  model: z.string().min(1).max(200).nullable().optional(),
  scrip: nonNegativeAmount.nullable().optional(),
  compute: nonNegativeAmount.nullable().optional(),
});

export interface ResolvedAgent {
  id: string;
  /** The agent artifact's content: its configuration (SPEC section 8); only the fields given. */
  content: Record<string, string>;
  scrip: number;
  compute: number;
}

/** Checks a spec and fills scrip and compute from `defaults`; throws INVALID_ARGUMENT. */
export function resolveAgentSpec(spec: unknown, defaults: { scrip: number; compute: number }, what = 'agent'): ResolvedAgent {
  const r = agentSpecSchema.safeParse(spec);
  if (!r.success) throw invalid(`${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const s = r.data;
  const content: Record<string, string> = {};
  if (s.system_prompt) content.system_prompt = s.system_prompt;
  if (s.model) content.model = s.model;
  return { id: s.id, content, scrip: s.scrip ?? defaults.scrip, compute: s.compute ?? defaults.compute };
}

/** The agents a bootstrap creates: those of the input when it names any, else the configured ones. */
export function initialAgents(config: EcologyConfig, given: AgentSpec[] | null | undefined): ResolvedAgent[] {
  const specs: unknown[] = given && given.length > 0 ? given : config.ecology.initialAgents;
  const seen = new Set<string>();
  return specs.map((spec, i) => {
    // Initial agents without amounts get the spawn defaults' amounts (but minted, not from the treasury).
    const a = resolveAgentSpec(spec, config.ecology.spawnDefaults, `agents[${i}]`);
    if (seen.has(a.id)) throw invalid(`agents[${i}]: the id ${a.id} is given twice`);
    seen.add(a.id);
    return a;
  });
}
