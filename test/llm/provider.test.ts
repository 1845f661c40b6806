/** Which LLM thinks, and what the local model's prompts show (src/config/provider.ts). */
import { loadConfig } from '../../src/config/load';
import { usesLocalModel, withLlmProvider } from '../../src/config/provider';

const base = loadConfig({ env: {} });

test('with the local model, prompts show what llm.local.prompt says and the rest of agents.prompt, and reasoning is bounded by llm.local', () => {
  const local = withLlmProvider(base, 'local');
  expect(usesLocalModel(local.llm)).toBe(true);
  expect(local.agents.prompt).toEqual({ ...base.agents.prompt, ...base.llm.local.prompt });
  expect(local.agents.prompt.recentEvents).toBeLessThan(base.agents.prompt.recentEvents);
  expect(local.llm.defaultModel).toBe(base.llm.local.model);
  expect(local.agents.maxReasoningChars).toBe(base.llm.local.maxReasoningChars);
});

test('with an endpoint, nothing changes', () => {
  const hosted = withLlmProvider({ ...base, llm: { ...base.llm, baseUrl: 'http://127.0.0.1:1/v1' } });
  expect(usesLocalModel(hosted.llm)).toBe(false);
  expect(hosted.agents.prompt).toEqual(base.agents.prompt);
  expect(hosted.agents.maxReasoningChars).toBe(base.agents.maxReasoningChars);
  expect(hosted.llm.defaultModel).toBe(base.llm.defaultModel);
});
