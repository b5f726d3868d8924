import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, RouteHandler } from '@slipway/local';
import type { StudioBackend } from '../backend/studio-backend.js';
import { consoleContext } from '../api/console-context.js';
import { createApiRouter, sendJson } from './api-router.js';
import { ConsoleAuth, STUDIO_PATH, crossSiteProblem, forgeryProblem, hostProblem } from './console-auth.js';
import { LiveHub } from './live-hub.js';
import { PageAssets } from './page-assets.js';

export interface StudioRouteOptions {
  readonly backend: StudioBackend;
  /** The secret in the console's link. */
  readonly token: string;
  readonly log: Logger;
  /** Reviews the invoke form offers. */
  readonly samples?: readonly string[];
  /** Without a change feed (AWS), how often the page is told to read again. @default 10 */
  readonly refreshSeconds?: number;
  /** Where the bundled page is. @default the package's dist/page */
  readonly pageDir?: string;
}

/** A route handler plus what must happen when its server closes (the MountedRoute the local server takes). */
export interface StudioRoute {
  readonly handle: RouteHandler;
  close(): void;
}

/**
 * Everything under `/studio/`: the page, its assets and its API. Every request's `Host` must be one of the
 * server's own names and no request may come from another site; the page and the API need the session
 * cookie the token link gives; a request that changes something must also prove it comes from the console.
 */
export function createStudioRoute(options: StudioRouteOptions): StudioRoute {
  const auth = new ConsoleAuth(options.token);
  const assets = new PageAssets(options.pageDir);
  const refreshSeconds = options.refreshSeconds ?? 10;
  const hub = new LiveHub(options.backend, refreshSeconds);
  const streams = new Set<() => void>();
  const api = createApiRouter({
    context: consoleContext(options.backend, options.samples ?? []),
    hub,
    log: options.log,
    refreshSeconds,
    track: (response, stop) => {
      streams.add(stop);
      response.once('close', () => streams.delete(stop));
    },
  });

  const handle: RouteHandler = async (request, response, url) => {
    if (url.pathname !== '/studio' && !url.pathname.startsWith(STUDIO_PATH)) return false;
    const refusal = hostProblem(request) ?? crossSiteProblem(request);
    if (refusal) {
      refuse(request, response, 403, 'Forbidden', refusal);
      return true;
    }
    if (url.pathname === '/studio') {
      response.writeHead(308, { location: `${STUDIO_PATH}${url.search}` }).end();
      return true;
    }
    const token = url.searchParams.get('token');
    if (url.pathname === STUDIO_PATH && token !== null) {
      if (!auth.tokenMatches(token)) {
        refuse(
          request,
          response,
          401,
          'BadToken',
          "This link's token is not the server's current one (the server may have restarted).",
        );
        return true;
      }
      // The token leaves the address bar at once: it is in no history entry, bookmark or Referer afterwards.
      response.writeHead(303, {
        location: STUDIO_PATH,
        'set-cookie': auth.sessionCookie(request),
        'cache-control': 'no-store',
      });
      response.end();
      return true;
    }
    if (!auth.hasSession(request)) {
      refuse(
        request,
        response,
        401,
        'SignInRequired',
        'Open the link `npx slipway local up` printed, or run `npx slipway studio`.',
      );
      return true;
    }
    const rest = url.pathname.slice(STUDIO_PATH.length);
    if (rest.startsWith('api/')) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        const forged = forgeryProblem(request);
        if (forged) {
          refuse(request, response, 403, 'Forbidden', forged);
          return true;
        }
      }
      await api(rest.slice('api/'.length), request, response, url.searchParams);
      return true;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(request, response, 405, 'MethodNotAllowed', `${request.method} is not served for the page`);
      return true;
    }
    if (!assets.serve(rest === '' ? 'index.html' : rest, request, response)) {
      refuse(request, response, 404, 'NotFound', `${url.pathname} is not part of the console`);
    }
    return true;
  };

  return {
    handle,
    close() {
      hub.close();
      for (const stop of streams) stop();
      streams.clear();
      options.backend.close();
    },
  };
}

/** A refusal: JSON for the API, a short page for a browser. */
function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  if ((request.url ?? '').startsWith(`${STUDIO_PATH}api/`)) {
    sendJson(response, status, { error: { code, message } });
    return;
  }
  const page = `<!doctype html><meta charset="utf-8"><title>Slipway Studio</title><h1>Slipway Studio</h1><p>${escapeHtml(message)}</p>\n`;
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(page);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
