/**
 * Who may read the dashboard. On loopback without a token, anyone on this machine (as with the
 * Temporal UI); bound to any other address, a token is required, and every request must carry it
 * (`?token=` or `Authorization: Bearer`), compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { invalid } from '../errors';

/** The shortest token accepted: a guessable one would make the rule pointless. */
export const MIN_TOKEN_LENGTH = 16;

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * The rule, applied before listening: beyond loopback a token is required; a token, when given, must
 * be long enough. Returns the token in force (null: none).
 */
export function checkBindRule(host: string, token: string | null | undefined): string | null {
  const t = token ?? null;
  if (t !== null && t.length < MIN_TOKEN_LENGTH) throw invalid(`the dashboard token must have at least ${MIN_TOKEN_LENGTH} characters`);
  if (t === null && !isLoopbackHost(host)) {
    throw invalid(`the dashboard binds to ${host}, beyond loopback: it needs a token (--token, dashboard.token or ECOLOGY_DASHBOARD_TOKEN)`);
  }
  return t;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality (hashing first makes the lengths equal too). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer <t>`, else `?token=<t>`. */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Without a token the server trusts whoever can reach loopback, so it also insists that the Host
 * header names loopback: a web page elsewhere that rebinds its DNS name to 127.0.0.1 cannot read it.
 */
export function hostHeaderAllowed(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}
