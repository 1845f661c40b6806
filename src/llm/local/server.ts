/**
 * The local model's process (forked by child.ts): an OpenAI-compatible chat-completions endpoint
 * on 127.0.0.1 in front of LocalEngine, so the rest of the system calls it as any provider.
 *   - Only POST /v1/chat/completions, with the bearer token the parent made (ECOLOGY_LOCAL_LLM_TOKEN).
 *   - One inference at a time, in arrival order; a full line or a long wait is 503 (retried by
 *     the caller), an inference past its time 504, a request the model cannot take 400, another
 *     model name 404, as a hosted provider answers.
 *   - usage: the real token counts; prompt_tokens_details.cached_tokens the prefix it did not
 *     evaluate again; compute_ms the CPU time of the inference (the caller charges it as compute).
 * Tells the parent {type:'ready', port} over IPC once the model is loaded; exits when the parent goes.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BadInferenceRequest, LocalEngine } from './engine';
import { FifoQueue, QueueRefusal } from './queue';
import type { LocalModelSettings } from './settings';

/** The cue after the messages: the model is a base model, without a chat template. */
const ANSWER_CUE = '\n\nAnswer (one JSON object):\n';
const MAX_BODY_BYTES = 4 * 1024 * 1024;

interface Body {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  temperature?: unknown;
  response_format?: { type?: unknown; json_schema?: { schema?: unknown } };
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly type = 'invalid_request_error') {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The request as the engine takes it; a malformed one is a 400, another model a 404. */
function parse(raw: string, s: LocalModelSettings): { prompt: string; maxTokens: number; temperature: number; schema: unknown } {
  let body: Body;
  try {
    body = JSON.parse(raw) as Body;
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
  if (body.model !== s.model) throw new HttpError(404, `the model ${JSON.stringify(body.model)} does not exist here: the local model is ${s.model}`);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every((m) => m && typeof (m as { content?: unknown }).content === 'string')) {
    throw new HttpError(400, 'messages must be a non-empty list of messages with string content');
  }
  const max = body.max_completion_tokens ?? body.max_tokens ?? 512;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1) throw new HttpError(400, 'max_tokens must be a positive whole number');
  const temperature = body.temperature ?? 0;
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) throw new HttpError(400, 'temperature must be between 0 and 2');
  const format = body.response_format;
  const schema = format?.type === 'json_schema' ? format.json_schema?.schema : undefined;
  if (format?.type === 'json_schema' && (typeof schema !== 'object' || schema === null)) throw new HttpError(400, 'response_format json_schema needs a schema');
  const prompt = (messages as Array<{ content: string }>).map((m) => m.content).join('\n\n') + ANSWER_CUE;
  return { prompt, maxTokens: max, temperature, schema };
}

let nextId = 0;

async function handle(req: IncomingMessage, res: ServerResponse, engine: LocalEngine, queue: FifoQueue, s: LocalModelSettings, token: string): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'POST' || path !== '/v1/chat/completions') throw new HttpError(404, `no route ${req.method} ${path}`);
  if (!authorized(req, token)) throw new HttpError(401, 'wrong or missing bearer token', 'authentication_error');
  const r = parse(await readBody(req), s);
  // The caller gone (its own timeout, a cancelled activity): its place in line and its inference end.
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const result = await queue.run(async () => {
    const deadline = AbortSignal.any([gone.signal, AbortSignal.timeout(s.inferenceTimeoutMs)]);
    try {
      return await engine.infer({ ...r, signal: deadline });
    } catch (e) {
      if (deadline.aborted && !gone.signal.aborted) throw new HttpError(504, `the local inference took longer than ${s.inferenceTimeoutMs} ms`, 'server_error');
      throw e;
    }
  }, gone.signal);
  send(res, 200, {
    id: `chatcmpl-local-${process.pid}-${++nextId}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: s.model,
    choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason: result.finishReason }],
    usage: {
      prompt_tokens: result.promptTokens,
      completion_tokens: result.completionTokens,
      total_tokens: result.promptTokens + result.completionTokens,
      prompt_tokens_details: { cached_tokens: result.cachedTokens },
      completion_tokens_details: { reasoning_tokens: 0 },
      compute_ms: result.cpuMs,
    },
  });
}

function errorReply(res: ServerResponse, e: unknown): void {
  if (e instanceof HttpError) return send(res, e.status, { error: { message: e.message, type: e.type, param: null, code: null } });
  if (e instanceof QueueRefusal) return send(res, 503, { error: { message: e.message, type: 'server_error', param: null, code: 'busy' } }, { 'retry-after': '1' });
  if (e instanceof BadInferenceRequest) return send(res, 400, { error: { message: e.message, type: 'invalid_request_error', param: null, code: null } });
  send(res, 500, { error: { message: `the local model failed: ${(e as Error).message ?? String(e)}`, type: 'server_error', param: null, code: null } });
}

async function main(): Promise<void> {
  const s = JSON.parse(process.env.ECOLOGY_LOCAL_LLM_SETTINGS ?? 'null') as LocalModelSettings | null;
  const token = process.env.ECOLOGY_LOCAL_LLM_TOKEN;
  if (!s || !token || !process.send) throw new Error('the local model server is started by the ecology (src/llm/local/child.ts), not by hand');
  process.on('disconnect', () => process.exit(0));
  const engine = await LocalEngine.load(s);
  const queue = new FifoQueue(s.maxQueue, s.queueTimeoutMs);
  const server = createServer((req, res) => void handle(req, res, engine, queue, s, token).catch((e: unknown) => errorReply(res, e)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send({ type: 'ready', port: (server.address() as AddressInfo).port, contextSize: engine.contextSize });
}

main().catch((e: unknown) => {
  process.send?.({ type: 'failed', message: (e as Error).message ?? String(e) });
  process.exitCode = 1;
  process.disconnect?.();
});
