import type { EcologyConfig } from './schema';

type LlmConfig = EcologyConfig['llm'];
export type LlmProviderChoice = 'auto' | 'endpoint' | 'local';

/** Whether the bundled local model thinks: llm.provider 'local', or 'auto' with no endpoint configured. */
export function usesLocalModel(llm: Pick<LlmConfig, 'provider' | 'baseUrl' | 'apiKey'>): boolean {
  return llm.provider === 'local' || (llm.provider === 'auto' && !llm.baseUrl && !llm.apiKey);
}

/**
 * The configuration a running ecology uses: `choice` (ecology up --llm) replaces llm.provider, and
 * when the local model thinks it is also the default model and the oracle's scorer, since it is
 * the only model it serves, and its prompts show what llm.local.prompt says (less of what changes)
 * and its answers hold at most llm.local.maxReasoningChars of reasoning.
 */
export function withLlmProvider(config: EcologyConfig, choice?: LlmProviderChoice): EcologyConfig {
  const llm = { ...config.llm, provider: choice ?? config.llm.provider };
  if (!usesLocalModel(llm)) return { ...config, llm };
  return {
    ...config,
    llm: { ...llm, defaultModel: llm.local.model },
    agents: { ...config.agents, prompt: { ...config.agents.prompt, ...llm.local.prompt }, maxReasoningChars: llm.local.maxReasoningChars },
    oracle: { ...config.oracle, scorer: { ...config.oracle.scorer, model: llm.local.model } },
  };
}
