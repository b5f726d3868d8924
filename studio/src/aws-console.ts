import { createServer } from 'node:http';
import { LOCAL_HOST, consoleLogger, type Logger } from '@slipway/local';
import { awsStudioBackend, type AwsBackendOptions } from './backend/aws-backend.js';
import { consoleLink, newConsoleToken } from './server/console-auth.js';
import { sendJson } from './server/api-router.js';
import { createStudioRoute } from './server/studio-route.js';

export interface AwsConsoleOptions extends AwsBackendOptions {
  /** TCP port on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
  readonly samples?: readonly string[];
  /** How often the page reads AWS again. @default 10 */
  readonly refreshSeconds?: number;
  readonly log?: Logger;
  /** @default the package's dist/page */
  readonly pageDir?: string;
}

export interface AwsConsole {
  readonly url: string;
  /** The link with the token (kept in memory only: this server writes no file). */
  readonly link: string;
  close(): Promise<void>;
}

/** `slipway studio --aws`: the same console on 127.0.0.1, over the user's AWS credentials. */
export async function startAwsConsole(options: AwsConsoleOptions): Promise<AwsConsole> {
  const token = newConsoleToken();
  const log = options.log ?? consoleLogger();
  const route = createStudioRoute({
    backend: awsStudioBackend(options),
    token,
    log,
    ...(options.samples ? { samples: options.samples } : {}),
    ...(options.refreshSeconds !== undefined ? { refreshSeconds: options.refreshSeconds } : {}),
    ...(options.pageDir ? { pageDir: options.pageDir } : {}),
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${LOCAL_HOST}`);
    Promise.resolve(route.handle(request, response, url))
      .then((handled) => {
        if (handled) return;
        if (url.pathname === '/') {
          response.writeHead(302, { location: '/studio/' }).end();
          return;
        }
        sendJson(response, 404, { error: { code: 'NotFound', message: 'only /studio/ is served here' } });
      })
      .catch((error: unknown) => {
        log.error(`studio: ${request.method} ${url.pathname} failed`, error);
        if (!response.headersSent)
          sendJson(response, 500, { error: { code: 'InternalError', message: 'unexpected error' } });
        else response.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOCAL_HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${LOCAL_HOST}:${port}`;
  return {
    url,
    link: consoleLink(url, token),
    async close() {
      route.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
