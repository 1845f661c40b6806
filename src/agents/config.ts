import type { EcologyConfig } from '../config/schema';

/**
 * SPEC section 8: an agent's configuration is its artifact's content. Known fields are read with
 * the configured defaults (agents.defaults, and llm.defaultModel for the model); a field of the wrong type falls back to the default (and is reported in
 * `problems`, which the prompt shows the agent) rather than stopping the agent.
 */
export interface AgentConfig {
  model: string;
  system_prompt: string;
  max_tokens: number;
  temperature: number;
  think_delay_ms: number;
  problems: string[];
}

type Defaults = EcologyConfig['agents']['defaults'];

function pick<T>(content: Record<string, unknown>, key: keyof Defaults | 'model', ok: (v: unknown) => v is T, fallback: T, problems: string[]): T {
  const v = content[key];
  if (v === undefined || v === null) return fallback;
  if (ok(v)) return v;
  problems.push(`${key} ${JSON.stringify(v).slice(0, 60)} is not valid; using ${JSON.stringify(fallback)}`);
  return fallback;
}

export function agentConfigFrom(content: unknown, config: EcologyConfig): AgentConfig {
  const c = content !== null && typeof content === 'object' && !Array.isArray(content) ? (content as Record<string, unknown>) : {};
  const d = config.agents.defaults;
  const a = config.agents;
  const problems: string[] = [];
  const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  const intIn = (lo: number, hi: number) => (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  const temperature = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 2;
  return {
    model: pick(c, 'model', isString, config.llm.defaultModel, problems),
    system_prompt: pick(c, 'system_prompt', isString, d.system_prompt, problems),
    max_tokens: pick(c, 'max_tokens', intIn(1, a.maxTokensCap), d.max_tokens, problems),
    temperature: pick(c, 'temperature', temperature, d.temperature, problems),
    think_delay_ms: pick(c, 'think_delay_ms', intIn(0, a.maxThinkDelayMs), d.think_delay_ms, problems),
    problems,
  };
}
