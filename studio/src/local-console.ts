import type { LoadedProjectConfig } from '@slipway/core';
import type { LocalRouteFactory, LocalService } from '@slipway/local';
import { localStudioBackend } from './backend/local-backend.js';
import type { DeployWorkflowAccess } from './backend/studio-backend.js';
import { consoleLink, newConsoleToken } from './server/console-auth.js';
import { createStudioRoute } from './server/studio-route.js';
import { readConsoleTokenFile, removeConsoleTokenFile, writeConsoleTokenFile } from './server/token-file.js';

export interface LocalConsoleOptions {
  /** Who acts from the console (CreatedBy, the approval history): the person at this machine. */
  readonly actor: string;
  readonly project?: LoadedProjectConfig;
  /** The local deploy workflow, for deploy runs and the Promote button. */
  readonly deploy?: DeployWorkflowAccess;
  /** Reviews the invoke form offers. */
  readonly samples?: readonly string[];
  /** @default the package's dist/page */
  readonly pageDir?: string;
}

export interface LocalConsole {
  /** The route factory for `startLocalServer({ routes })`. */
  readonly mount: LocalRouteFactory;
  /** The link with the token, once mounted on a server listening at `serverUrl`. */
  link(serverUrl: string): string;
}

/**
 * Slipway Studio on the local server's own port, at `/studio/`. Mounting makes a fresh token, writes it to
 * `<dataDir>/studio.json` (mode 0600) for `slipway studio` to find, and removes the file when the server
 * closes.
 */
export function localConsole(options: LocalConsoleOptions): LocalConsole {
  let token: string | undefined;
  return {
    async mount(service: LocalService) {
      token = newConsoleToken();
      await writeConsoleTokenFile(service.dataDir, token);
      const backend = localStudioBackend(service, {
        actor: options.actor,
        ...(options.project ? { project: options.project } : {}),
        ...(options.deploy ? { deploy: options.deploy } : {}),
      });
      const route = createStudioRoute({
        backend,
        token,
        log: service.log,
        ...(options.samples ? { samples: options.samples } : {}),
        ...(options.pageDir ? { pageDir: options.pageDir } : {}),
      });
      return {
        handle: route.handle,
        async close() {
          route.close();
          const file = await readConsoleTokenFile(service.dataDir);
          if (file?.pid === process.pid) await removeConsoleTokenFile(service.dataDir);
        },
      };
    },
    link(serverUrl: string) {
      if (!token) throw new Error('the console is not mounted on a server yet');
      return consoleLink(serverUrl, token);
    },
  };
}
