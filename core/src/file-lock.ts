import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rm, stat, unlink } from 'node:fs/promises';
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

/** A lock file whose owner's pid cannot be read is judged by its age: it may be being written right now. */
const UNREADABLE_LOCK_STALE_AFTER_MS = 60_000;
const RETRY_INTERVAL_MS = 100;

/**
 * Runs `task` while holding `lockFile`, across processes and within one. `holder` names what holds it in the
 * timeout message.
 *
 * The scheme:
 * - **Acquire** by creating `lockFile` exclusively (O_EXCL), holding `{pid, since, nonce}`. Each acquisition is a
 *   new *generation* of the lock, identified by the file's inode and content.
 * - **Take over** a stale generation (its owner process is gone, or it is unreadable and over a minute old) only
 *   after winning that generation's reap marker, `<lockFile>.reap-<generation>`, also created exclusively. The
 *   winner reads the lock again and removes it only if it is still that generation. Nobody else removes a
 *   generation (its owner is dead; the other waiters lost its marker), so between that read and the removal the
 *   file cannot have become a fresh lock: two waiters can never both take over, and a waiter can never delete a
 *   lock another one has just taken (the race of "check stale, then rm").
 * - **Release** removes the lock only while it is still this holder's own generation.
 *
 * A process that dies in the instant between winning a reap marker and removing the stale lock leaves both
 * behind; the timeout message names the files to delete.
 */
export async function withFileLock<T>(
  lockFile: string,
  timeoutMs: number,
  task: () => Promise<T>,
  holder = 'process',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(lockFile), { recursive: true });
  const content = JSON.stringify({ pid: process.pid, since: new Date().toISOString(), nonce: randomUUID() });
  for (;;) {
    if (await tryCreate(lockFile, content)) break;
    const current = await readGeneration(lockFile);
    if (current && isStale(current)) {
      await reap(lockFile, current);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${lockFile}; if no ${holder} is running, ` +
          `delete it (and any ${lockFile}.reap-* beside it).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_INTERVAL_MS));
  }
  try {
    return await task();
  } finally {
    await releaseIfOwn(lockFile, content);
  }
}

/** One acquisition of the lock as found on disk. */
interface Generation {
  /** Inode, modification time and content hash: a new acquisition differs in at least one of them. */
  readonly id: string;
  readonly content: string;
  readonly pid: number | undefined;
  readonly ageMs: number;
}

async function tryCreate(lockFile: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockFile, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return true;
}

async function readGeneration(lockFile: string): Promise<Generation | undefined> {
  try {
    // Stat before reading: if the file is replaced in between, the content belongs to a newer inode and the id
    // matches neither generation, so a reap compares it against nothing real and removes nothing.
    const stats = await stat(lockFile);
    const content = await readFile(lockFile, 'utf8');
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
    return {
      id: `${stats.ino}-${Math.round(stats.mtimeMs)}-${hash}`,
      content,
      pid: ownerPid(content),
      ageMs: Date.now() - stats.mtimeMs,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function ownerPid(content: string): number | undefined {
  try {
    const owner = JSON.parse(content) as { pid?: unknown };
    return typeof owner.pid === 'number' ? owner.pid : undefined;
  } catch {
    return undefined;
  }
}

function isStale(generation: Generation): boolean {
  if (generation.pid !== undefined) return !isProcessAlive(generation.pid);
  return generation.ageMs > UNREADABLE_LOCK_STALE_AFTER_MS;
}

/** Removes `stale` if this waiter wins its reap marker and the lock is still that generation. */
async function reap(lockFile: string, stale: Generation): Promise<void> {
  const marker = `${lockFile}.reap-${stale.id}`;
  if (!(await tryCreate(marker, JSON.stringify({ pid: process.pid })))) return;
  try {
    const now = await readGeneration(lockFile);
    if (now?.id === stale.id) await unlink(lockFile).catch(ignoreMissing);
  } finally {
    await rm(marker, { force: true });
  }
}

async function releaseIfOwn(lockFile: string, content: string): Promise<void> {
  const now = await readGeneration(lockFile);
  if (now?.content === content) await unlink(lockFile).catch(ignoreMissing);
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
