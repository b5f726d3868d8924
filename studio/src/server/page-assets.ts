import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** `dist/page`, next to this module's own folder in both `src/server` and `dist/server`. */
export const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'page');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/**
 * The page's content security policy: scripts, styles and connections from the console itself only (no
 * inline script, nothing from a CDN), no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  readonly body: Buffer;
  readonly gzipped: Buffer;
  readonly type: string;
  readonly etag: string;
}

/**
 * The bundled page (`npm run bundle:page -w @slipway/studio`, which setup runs), held in memory with its
 * gzipped form. A missing bundle is answered with what to run, not a blank page.
 */
export class PageAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(readonly dir = PAGE_DIR) {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const type = CONTENT_TYPES[extname(name)];
      if (!type || name.endsWith('.map')) continue;
      const body = readFileSync(join(dir, name));
      this.assets.set(name, {
        body,
        gzipped: gzipSync(body, { level: 9 }),
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
  }

  get available(): boolean {
    return this.assets.has('index.html');
  }

  /** Answers `name` (index.html for the page itself); false when there is no such asset. */
  serve(name: string, request: IncomingMessage, response: ServerResponse): boolean {
    if (!this.available) {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(
        `The console's page is not built: run \`npm run setup\` (or \`npm run bundle:page -w @slipway/studio\`).\n`,
      );
      return true;
    }
    const asset = this.assets.get(name);
    if (!asset) return false;
    const headers: Record<string, string> = {
      'content-type': asset.type,
      etag: asset.etag,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-frame-options': 'DENY',
      vary: 'accept-encoding',
    };
    if (request.headers['if-none-match'] === asset.etag) {
      response.writeHead(304, headers).end();
      return true;
    }
    const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    const body = gzip ? asset.gzipped : asset.body;
    response.writeHead(200, {
      ...headers,
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      'content-length': String(body.length),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  }
}
