/**
 * Who may read the dashboard. On loopback without a token, anyone on this machine (as with the
 * Temporal UI); bound to any other address, a token is required, and every data request must carry
 * it (`Authorization: Bearer`) or the session cookie the page gets for it, compared in constant
 * time. Never in a URL: addresses end up in logs, browser history and Referer headers.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
    throw invalid(`the dashboard binds to ${host}, beyond loopback: it needs a token (ECOLOGY_DASHBOARD_TOKEN, dashboard.token or --token-file)`);
  }
  return t;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality (hashing first makes the lengths equal too). */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token a request carries: `Authorization: Bearer <t>`. */
export function requestToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1];
}

/** The page's session cookie (HttpOnly: the page's scripts never see it). */
export const SESSION_COOKIE = 'ecology_dashboard_session';

/**
 * The session cookie's value for a token: derived from it (never the token itself), so it needs no
 * server state and stops working when the token changes.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('ecology dashboard session').digest('base64url');
}

export function sessionCookieHeader(token: string): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

/** Whether the request carries the token (bearer header) or its session cookie. */
export function requestAuthorized(req: IncomingMessage, token: string): boolean {
  if (tokenMatches(requestToken(req), token)) return true;
  const cookies = typeof req.headers.cookie === 'string' ? req.headers.cookie.split(';') : [];
  const session = cookies.map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return tokenMatches(session?.slice(SESSION_COOKIE.length + 1), sessionValue(token));
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
