import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { grammarSchema } from './grammarSchema';
import type { LocalModelSettings } from './settings';

/**
 * The local model behind the loopback endpoint (server.ts): node-llama-cpp, installed apart from
 * the project's own packages (local-llm/, only when the local provider is chosen), so it is loaded
 * at run time and described here by the few members used.
 */
type Token = number;
interface Grammar {
  readonly _brand?: 'grammar';
}
interface Sequence {
  compareContextTokens(tokens: Token[]): { firstDifferentIndex: number };
  readonly nextTokenIndex: number;
}
interface Completion {
  generateCompletionWithMeta(
    input: Token[],
    o: { grammar?: Grammar; maxTokens: number; temperature: number; signal: AbortSignal; onToken: (t: Token[]) => void },
  ): Promise<{ response: string; metadata: { stopReason: string } }>;
}
interface Model {
  tokenize(text: string): Token[];
  readonly tokens: { readonly bos: Token | null };
  createContext(o: { contextSize: number; sequences: number; threads: number; swaFullCache: boolean }): Promise<{
    getSequence(): Sequence;
    readonly contextSize: number;
  }>;
}
interface Llama {
  loadModel(o: { modelPath: string }): Promise<Model>;
  createGrammarForJsonSchema(schema: unknown): Promise<Grammar>;
}
interface NodeLlamaCpp {
  getLlama(o: { gpu: false; build: 'never'; logLevel: 'error'; maxThreads: number }): Promise<Llama>;
  LlamaCompletion: new (o: { contextSequence: Sequence }) => Completion;
}

export interface InferenceRequest {
  prompt: string;
  maxTokens: number;
  temperature: number;
  /** A JSON schema the output must follow (response_format json_schema), as a grammar. */
  schema: unknown;
  signal: AbortSignal;
}

export interface InferenceResult {
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens already evaluated in the sequence used (a shared prefix), not evaluated again. */
  cachedTokens: number;
  finishReason: 'stop' | 'length';
  /** CPU time of this process during the inference. */
  cpuMs: number;
}

/** A request the model cannot take as it is (too long for its context, a schema it cannot follow). */
export class BadInferenceRequest extends Error {}

/** Loads node-llama-cpp from the separately installed runtime folder. */
async function loadRuntime(runtimeDir: string): Promise<NodeLlamaCpp> {
  const entry = createRequire(join(runtimeDir, 'package.json')).resolve('node-llama-cpp');
  return (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
}

/**
 * One model, a few sequences of one context. Each sequence keeps the tokens it last evaluated, and
 * a request goes to the one sharing the longest prefix with its prompt, so that a stable prompt
 * prefix (the same agent's next think, or any agent's rules and method list) is not evaluated
 * again: only what follows it is. The caller runs one inference at a time (server.ts queues).
 */
interface Slot {
  sequence: Sequence;
  completion: Completion;
}

export class LocalEngine {
  private readonly lastUsed = new Map<Sequence, number>();
  private readonly grammars = new Map<string, Promise<Grammar>>();
  private uses = 0;

  private constructor(
    private readonly llama: Llama,
    private readonly model: Model,
    private readonly slots: Slot[],
    readonly contextSize: number,
  ) {}

  static async load(s: LocalModelSettings): Promise<LocalEngine> {
    const lib = await loadRuntime(s.runtimeDir);
    const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: 'error', maxThreads: s.threads });
    const model = await llama.loadModel({ modelPath: s.modelPath });
    // A full sliding-window cache: without it the model's SWA layers cannot keep an evaluated prefix.
    const context = await model.createContext({ contextSize: s.contextSize, sequences: s.sequences, threads: s.threads, swaFullCache: true });
    const slots = Array.from({ length: s.sequences }, () => {
      const sequence = context.getSequence();
      return { sequence, completion: new lib.LlamaCompletion({ contextSequence: sequence }) };
    });
    return new LocalEngine(llama, model, slots, context.contextSize);
  }

  private grammarFor(schema: unknown): Promise<Grammar> {
    const key = JSON.stringify(schema);
    let g = this.grammars.get(key);
    if (!g) {
      g = this.llama.createGrammarForJsonSchema(grammarSchema(schema));
      g.catch(() => this.grammars.delete(key));
      this.grammars.set(key, g);
    }
    return g;
  }

  /** The sequence whose evaluated tokens share the longest prefix with `tokens`; else the least recently used. */
  private pick(tokens: Token[]): { slot: Slot; shared: number } {
    let best = this.slots[0];
    let shared = -1;
    for (const slot of this.slots) {
      const n = Math.min(slot.sequence.compareContextTokens(tokens).firstDifferentIndex, slot.sequence.nextTokenIndex);
      if (n > shared || (n === shared && (this.lastUsed.get(slot.sequence) ?? 0) < (this.lastUsed.get(best.sequence) ?? 0))) {
        best = slot;
        shared = n;
      }
    }
    return { slot: best, shared: Math.max(0, shared) };
  }

  async infer(r: InferenceRequest): Promise<InferenceResult> {
    let grammar: Grammar | undefined;
    if (r.schema !== undefined) {
      try {
        grammar = await this.grammarFor(r.schema);
      } catch (e) {
        throw new BadInferenceRequest(`the response format's JSON schema cannot be followed by the local model: ${(e as Error).message}`);
      }
    }
    const tokens = this.model.tokenize(r.prompt);
    // The sequence puts the model's BOS token before the prompt: it is a prompt token too.
    const bos = this.model.tokens.bos;
    const evaluated = bos === null ? tokens : [bos, ...tokens];
    if (evaluated.length + r.maxTokens > this.contextSize) {
      throw new BadInferenceRequest(`prompt of ${evaluated.length} tokens and max_tokens ${r.maxTokens} exceed the local model's context of ${this.contextSize} tokens`);
    }
    const { slot, shared } = this.pick(evaluated);
    this.lastUsed.set(slot.sequence, ++this.uses);
    // The last prompt token is always evaluated again (it yields the first output token).
    const cachedTokens = Math.min(shared, evaluated.length - 1);
    let completionTokens = 0;
    const cpu = process.cpuUsage();
    const out = await slot.completion.generateCompletionWithMeta(tokens, {
      grammar,
      maxTokens: r.maxTokens,
      temperature: r.temperature,
      signal: r.signal,
      onToken: (t: Token[]) => void (completionTokens += t.length),
    });
    const used = process.cpuUsage(cpu);
    return {
      text: out.response,
      promptTokens: evaluated.length,
      completionTokens,
      cachedTokens,
      finishReason: out.metadata.stopReason === 'maxTokens' ? 'length' : 'stop',
      cpuMs: Math.ceil((used.user + used.system) / 1000),
    };
  }
}
