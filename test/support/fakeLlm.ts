/**
 * A local OpenAI-compatible chat-completions server for tests, speaking the real wire format the
 * `openai` client expects (POST <baseUrl>/chat/completions).
 *
 *   const fake = await startFakeLlm();                  // answers {"action":"noop"} by default
 *   const config = loadConfig({ overrides: fakeLlmOverrides(fake) });
 *   fake.respond((body) => ({ content: '{"action":"sleep","seconds":5}' }));
 *   fake.queue({ status: 429 }, { content: 'ok' });     // one-shot replies first, then the responder
 *   expect(fake.calls).toHaveLength(2);                 // every request received, in order
 *   afterAll(() => fake.close());
 *
 * Replies: { content, usage?, finishReason?, delayMs? } answers; { status, body?, headers?, delayMs? }
 * fails with that HTTP status; { hang: true } never answers (the client times out). A request
 * the client gave up on before its answer (aborted, timed out) has `abortedAt` set.
 * Default usage: prompt tokens = ceil(chars of all message contents / 4), completion tokens =
 * ceil(chars of content / 4); like a real provider, the completion is cut at max_tokens
 * (finish_reason 'length'). `usage: null` leaves usage out of the response.
 * Like a hosted provider's prompt cache, usage reports cached prompt tokens
 * (prompt_tokens_details.cached_tokens): the prompt's longest common prefix with an earlier
 * request, in whole blocks of 128 tokens, once it is at least 1,024 tokens (0 below). A reply's
 * usage may set cached_tokens and reasoning_tokens (completion_tokens_details) itself.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequestBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  response_format?: { type: string; json_schema?: { name: string; schema?: unknown; strict?: boolean } };
  [field: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (null if it was not JSON). */
  body: ChatRequestBody;
  /** Date.now() when the request arrived. */
  receivedAt: number;
  /** Set when the client closed the connection before any answer was sent (an aborted request). */
  abortedAt?: number;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}

export type FakeReply =
  | { content: string; usage?: Partial<FakeUsage> | null; finishReason?: string; delayMs?: number }
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | { hang: true };

/** Gets the parsed body and the 0-based index of the request; may be async. */
export type Responder = (body: ChatRequestBody, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeLlm {
  /** e.g. http://127.0.0.1:PORT/v1 : what OPENAI_BASE_URL / llm.baseUrl takes. */
  baseUrl: string;
  calls: RecordedRequest[];
  /** Replaces the responder used when no queued reply is left. */
  respond(fn: Responder): void;
  /** One-shot replies, used in order before the responder. */
  queue(...replies: FakeReply[]): void;
  /** Ends hanging requests and stops the server. */
  close(): Promise<void>;
}

export const NOOP_ACTION = '{"action":"noop"}';
const CHARS_PER_TOKEN = 4;
/** Hosted providers cache prompt prefixes of at least this many tokens, in blocks of CACHE_BLOCK. */
export const CACHE_MIN_TOKENS = 1024;
export const CACHE_BLOCK = 128;
/** Earlier prompts the cache remembers. */
const CACHE_ENTRIES = 64;

export const defaultResponder: Responder = () => ({ content: NOOP_ACTION });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

const tokensOf = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);

let nextId = 0;

/** The prompt as the provider sees it: messages in order, each with its role. */
export function promptText(body: ChatRequestBody): string {
  return (body.messages ?? []).map((m) => `<${m.role}>${typeof m.content === 'string' ? m.content : ''}`).join('');
}

/** Characters compared at once by commonPrefixLength. */
const PREFIX_CHUNK = 512;

/**
 * The length of the longest prefix `a` and `b` share: compared a chunk at a time (natively), then
 * by character. A character loop over every earlier prompt cost the fake server ~4 ms a request,
 * CPU the agents benchmark took from the worker it measures.
 */
export function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + PREFIX_CHUNK <= n && a.slice(i, i + PREFIX_CHUNK) === b.slice(i, i + PREFIX_CHUNK)) i += PREFIX_CHUNK;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Cached prompt tokens as a hosted provider reports them: whole blocks of the longest prefix shared with an earlier prompt. */
export function cachedTokensOf(prompt: string, earlier: readonly string[]): number {
  let shared = 0;
  for (const e of earlier) shared = Math.max(shared, commonPrefixLength(prompt, e));
  const tokens = Math.floor(shared / CHARS_PER_TOKEN);
  return tokens >= CACHE_MIN_TOKENS ? Math.floor(tokens / CACHE_BLOCK) * CACHE_BLOCK : 0;
}

function completionBody(body: ChatRequestBody, reply: { content: string; usage?: Partial<FakeUsage> | null; finishReason?: string }, cached: number): unknown {
  let content = reply.content;
  let finish = reply.finishReason ?? 'stop';
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (reply.usage === undefined && typeof limit === 'number' && tokensOf(content.length) > limit) {
    content = content.slice(0, limit * CHARS_PER_TOKEN);
    finish = 'length';
  }
  const promptChars = (body.messages ?? []).reduce((n, m) => n + (typeof m.content === 'string' ? m.content.length : 0), 0);
  const prompt = reply.usage?.prompt_tokens ?? tokensOf(promptChars);
  const completion = reply.usage?.completion_tokens ?? tokensOf(content.length);
  const out: Record<string, unknown> = {
    id: `chatcmpl-fake-${++nextId}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finish }],
  };
  if (reply.usage !== null) {
    out.usage = {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: reply.usage?.total_tokens ?? prompt + completion,
      prompt_tokens_details: { cached_tokens: reply.usage?.cached_tokens ?? Math.min(cached, prompt) },
      completion_tokens_details: { reasoning_tokens: reply.usage?.reasoning_tokens ?? 0 },
    };
  }
  return out;
}

function errorBody(status: number): unknown {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message: `fake LLM error ${status}`, type, param: null, code: type } };
}

export async function startFakeLlm(opts: { responder?: Responder } = {}): Promise<FakeLlm> {
  let responder: Responder = opts.responder ?? defaultResponder;
  const queued: FakeReply[] = [];
  const calls: RecordedRequest[] = [];
  const prompts: string[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: null } });
        return;
      }
      let body: ChatRequestBody;
      try {
        body = JSON.parse(raw) as ChatRequestBody;
      } catch {
        send(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error', param: null, code: null } });
        return;
      }
      const index = calls.length;
      const recorded: RecordedRequest = { method: req.method, path, headers: req.headers, body, receivedAt: Date.now() };
      calls.push(recorded);
      res.on('close', () => {
        if (!res.writableEnded) recorded.abortedAt = Date.now();
      });
      const prompt = promptText(body);
      const cached = cachedTokensOf(prompt, prompts);
      prompts.push(prompt);
      if (prompts.length > CACHE_ENTRIES) prompts.shift();
      const reply = queued.length > 0 ? queued.shift()! : await responder(body, index);
      if ('hang' in reply) return;
      if (reply.delayMs) await wait(reply.delayMs);
      if ('status' in reply) send(res, reply.status, reply.body ?? errorBody(reply.status), reply.headers);
      else send(res, 200, completionBody(body, reply, cached));
    })().catch((e: unknown) => send(res, 500, { error: { message: `fake LLM responder threw: ${String(e)}`, type: 'server_error', param: null, code: null } }));
  });
  // The openai client keeps connections alive; keep-alive must not outlive close().
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    respond(fn) {
      responder = fn;
    },
    queue(...replies) {
      queued.push(...replies);
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Configuration overrides that point the LLM part at a fake server, with test-friendly retry
 * timing; pass more `llm` keys in `extra`. Use as loadConfig({ overrides: fakeLlmOverrides(fake) }).
 */
export function fakeLlmOverrides(fake: Pick<FakeLlm, 'baseUrl'>, extra: Record<string, unknown> = {}): { llm: Record<string, unknown> } {
  return { llm: { baseUrl: fake.baseUrl, apiKey: 'fake-key', backoffBaseMs: 1, backoffMaxMs: 20, ...extra } };
}
