import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * The console's token for a data dir, readable by its owner only (mode 0600): `slipway studio` and
 * `slipway local up --detach` read it to print or open the link. Kept in a file of its own rather than in
 * server.json, so neither file's shape depends on the other.
 */
export const CONSOLE_TOKEN_FILE = 'studio.json';

export interface ConsoleTokenFile {
  readonly token: string;
  readonly pid: number;
}

export async function writeConsoleTokenFile(dataDir: string, token: string): Promise<void> {
  const path = join(resolve(dataDir), CONSOLE_TOKEN_FILE);
  const temporary = `${path}.${randomUUID()}.tmp`;
  const content: ConsoleTokenFile = { token, pid: process.pid };
  await writeFile(temporary, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

export async function readConsoleTokenFile(dataDir: string): Promise<ConsoleTokenFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(resolve(dataDir), CONSOLE_TOKEN_FILE), 'utf8')) as ConsoleTokenFile;
    return typeof parsed.token === 'string' && typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function removeConsoleTokenFile(dataDir: string): Promise<void> {
  await rm(join(resolve(dataDir), CONSOLE_TOKEN_FILE), { force: true });
}
