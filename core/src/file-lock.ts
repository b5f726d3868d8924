import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Whether a process with this id exists (EPERM: it does, owned by another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `task` while holding `lockFile` (created exclusively, holding the owner's pid), across processes and
 * within one. A lock whose owner process is gone, or that cannot be read and is over a minute old, is stale
 * and taken over, so a crash never leaves it held. `holder` names what holds it in the timeout message.
 */
export async function withFileLock<T>(
  lockFile: string,
  timeoutMs: number,
  task: () => Promise<T>,
  holder = 'process',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockFile)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${lockFile}; if no ${holder} is running, delete it.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await task();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function isStale(lockFile: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(lockFile, 'utf8')) as { pid?: unknown };
    if (typeof owner.pid === 'number') return !isProcessAlive(owner.pid);
  } catch {
    // Unreadable: maybe being written right now; judge it by age.
  }
  const stats = await stat(lockFile).catch(() => undefined);
  return stats !== undefined && Date.now() - stats.mtimeMs > 60_000;
}
