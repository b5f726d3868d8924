/** Where the server writes what it does. Tests pass a silent or capturing logger. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export function consoleLogger(prefix = 'slipway-local'): Logger {
  const write = (level: string, message: string) =>
    process.stderr.write(`${new Date().toISOString()} ${prefix} ${level} ${message}\n`);
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message, error) =>
      write('error', error instanceof Error ? `${message}: ${error.stack ?? error.message}` : message),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
