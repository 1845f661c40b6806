/** Plain node:http clients for the dashboard tests: one request, and a server-sent-events reader. */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json<T = unknown>(): T;
}

export function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // An explicit length: node sends DELETE and OPTIONS bodies unframed otherwise.
    const headers = opts.body === undefined ? opts.headers : { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.body)) };
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface SseMessage {
  event: string;
  data: string;
}

export interface SseReader {
  status: number;
  messages: SseMessage[];
  /** Called for every message as it arrives (synchronously, before the next one is read). */
  onMessage?: (m: SseMessage) => void;
  /** Resolves once `check` holds for the messages received (checked on each message). */
  until(what: string, check: (messages: SseMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens a stream and parses its `event:` / `data:` blocks. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res: IncomingMessage) => {
      let buffer = '';
      const waiters: Array<() => void> = [];
      const reader: SseReader = {
        status: res.statusCode ?? 0,
        messages: [],
        until(what, check, timeoutMs = 20000) {
          if (check(reader.messages)) return Promise.resolve();
          return new Promise<void>((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`stream: timed out waiting for ${what} (${reader.messages.length} messages)`)), timeoutMs);
            const waiter = () => {
              if (!check(reader.messages)) return;
              clearTimeout(timer);
              waiters.splice(waiters.indexOf(waiter), 1);
              ok();
            };
            waiters.push(waiter);
          });
        },
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length === 0) continue; // retry: and heartbeat comments
          const m = { event, data: data.join('\n') };
          reader.messages.push(m);
          reader.onMessage?.(m);
          for (const w of [...waiters]) w();
        }
      });
      res.on('error', () => undefined);
      resolve(reader);
    });
    req.on('error', reject);
    req.end();
  });
}
