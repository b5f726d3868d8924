import { resolve } from 'node:path';
import {
  DEFAULT_DATA_DIR,
  isProcessAlive,
  readServerFile,
  startLocalServer,
  type Logger,
  type RuleDefinition,
} from '@slipway/local';
import type { Output } from './output.js';

/** A local server to talk to: one already running for the data dir, or one started in this process. */
export interface LocalConnection {
  readonly url: string;
  readonly dataDir: string;
  /** True when this process started the server (it stops when the command ends). */
  readonly inProcess: boolean;
  close(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/_slipway/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** The server's own chatter stays out of the command's output; its warnings and errors do not. */
function quietLogger(output: Output): Logger {
  return {
    info: () => {},
    warn: (message) => output.warn(`local server: ${message}`),
    error: (message, error) =>
      output.error(`local server: ${message}${error instanceof Error ? `: ${error.message}` : ''}`),
  };
}

/**
 * Uses the server `slipway local up` started for the data dir (its `server.json`), or starts one in this
 * process on a free port for the command's lifetime.
 */
export async function connectLocal(options: {
  readonly cwd: string;
  readonly dataDir?: string;
  readonly output: Output;
  readonly region?: string;
  /** Event rules for a server started here (a running server keeps the rules it was started with). */
  readonly rules?: (dataDir: string) => readonly RuleDefinition[];
}): Promise<LocalConnection> {
  const dataDir = resolve(options.cwd, options.dataDir ?? DEFAULT_DATA_DIR);
  const running = await readServerFile(dataDir);
  if (running && isProcessAlive(running.pid) && (await answers(running.url))) {
    return { url: running.url, dataDir, inProcess: false, close: async () => {} };
  }
  const server = await startLocalServer({
    dataDir,
    port: 0,
    logger: quietLogger(options.output),
    ...(options.region ? { region: options.region } : {}),
    ...(options.rules ? { rules: options.rules(dataDir) } : {}),
  });
  return {
    url: server.url,
    dataDir,
    inProcess: true,
    close: () => server.close(),
  };
}
