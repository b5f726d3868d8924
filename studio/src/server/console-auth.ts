import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CSRF_HEADER } from '../views.js';

/** Where the console lives on the server's port. */
export const STUDIO_PATH = '/studio/';

/** A new console token: 32 random bytes, URL-safe. */
export function newConsoleToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The link that signs a browser in: the token is exchanged for a cookie on the first request. */
export function consoleLink(serverUrl: string, token: string): string {
  return `${serverUrl.replace(/\/+$/, '')}${STUDIO_PATH}?token=${encodeURIComponent(token)}`;
}

/**
 * The console's authentication, as Jupyter does it: a secret token in the link the server prints, exchanged
 * for an HttpOnly, SameSite=Strict session cookie (so another site can neither read it nor make the browser
 * send it). The cookie's name carries the port: cookies are shared by every port of a host, and two local
 * servers must not sign each other's browsers out.
 */
export class ConsoleAuth {
  private readonly tokenDigest: Buffer;
  private readonly session: string;

  constructor(token: string) {
    this.tokenDigest = digest(token);
    this.session = createHmac('sha256', token).update('slipway-studio-session').digest('base64url');
  }

  tokenMatches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.tokenDigest);
  }

  hasSession(request: IncomingMessage): boolean {
    const value = cookies(request.headers.cookie)[cookieName(localPort(request))];
    return value !== undefined && timingSafeEqual(digest(value), digest(this.session));
  }

  sessionCookie(request: IncomingMessage): string {
    return `${cookieName(localPort(request))}=${this.session}; HttpOnly; SameSite=Strict; Path=${STUDIO_PATH}`;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function cookieName(port: number): string {
  return `slipway-studio-${port}`;
}

function cookies(header: string | undefined): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const equals = part.indexOf('=');
    if (equals > 0) found[part.slice(0, equals).trim()] = part.slice(equals + 1).trim();
  }
  return found;
}

function localPort(request: IncomingMessage): number {
  return request.socket.localPort ?? 0;
}

/** The names the server answers to: a page reached through any other name (DNS rebinding) is refused. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

/** Why the request's `Host` is not one of this server's own names; undefined when it is. */
export function hostProblem(request: IncomingMessage): string | undefined {
  const host = request.headers.host;
  const allowed = allowedHosts(localPort(request));
  if (host !== undefined && allowed.includes(host.toLowerCase())) return undefined;
  return `the Host header must be one of ${allowed.join(', ')}, got ${JSON.stringify(host ?? null)}`;
}

/**
 * Why a request comes from another site; undefined when it does not. Any `Origin` must be the server's own;
 * `Sec-Fetch-Site`, when the browser sends it, must be same-origin (or none: typed or opened from a terminal).
 */
export function crossSiteProblem(request: IncomingMessage): string | undefined {
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host ?? ''}`) {
    return `requests from ${JSON.stringify(origin)} are not accepted: the console answers its own pages only`;
  }
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return `a ${site} request is not accepted: the console answers its own pages only`;
  }
  return undefined;
}

/**
 * Why a state-changing request may be forged; undefined when it is the console's own. It must say where it
 * comes from (`Origin`, or `Sec-Fetch-Site: same-origin`), and carry the console's header, which a page of
 * another site cannot add without a CORS preflight the console never grants.
 */
export function forgeryProblem(request: IncomingMessage): string | undefined {
  const crossSite = crossSiteProblem(request);
  if (crossSite) return crossSite;
  if (request.headers.origin === undefined && request.headers['sec-fetch-site'] !== 'same-origin') {
    return 'a request that changes something must come from the console (Origin or Sec-Fetch-Site: same-origin)';
  }
  if (request.headers[CSRF_HEADER] !== '1') return `a request that changes something must carry ${CSRF_HEADER}: 1`;
  return undefined;
}
