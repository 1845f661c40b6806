/** A server-sent-events stream to one page. */
import type { ServerResponse } from 'node:http';
import type { Subscriber } from './live';

export interface StreamOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** How long the browser waits before reconnecting. */
  retryMs: number;
}

/**
 * Opens the stream on `res`. Sends are dropped once the page is gone; a page that reads too slowly
 * (more than maxBufferedBytes waiting) is disconnected and its browser reconnects afresh.
 */
export function openStream(res: ServerResponse, opts: StreamOptions, onClose: () => void): Subscriber {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${opts.retryMs}\n\n`);
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    clearInterval(heartbeat);
    onClose();
  };
  const heartbeat = setInterval(() => {
    if (open) res.write(': heartbeat\n\n');
  }, opts.heartbeatMs);
  heartbeat.unref();
  res.on('close', close);
  res.on('error', close);
  return {
    send(event, data) {
      if (!open || res.destroyed) return false;
      if (res.writableLength > opts.maxBufferedBytes) {
        res.destroy();
        close();
        return false;
      }
      // JSON has no raw newlines, so the data is one `data:` line.
      res.write(`event: ${event}\ndata: ${data}\n\n`);
      return true;
    },
  };
}
