import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive, withFileLock } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-file-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('withFileLock', () => {
  it('runs tasks of one process one at a time, in turn, and removes the lock afterwards', async () => {
    const lock = join(dir, 'serial.lock');
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push(`${name} end`);
    };
    await Promise.all([withFileLock(lock, 5000, task('a')), withFileLock(lock, 5000, task('b'))]);
    expect(events).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock whose owner process is gone', async () => {
    const lock = join(dir, 'stale.lock');
    const pid = deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    writeFileSync(lock, JSON.stringify({ pid }));
    await expect(withFileLock(lock, 1000, async () => 'ran')).resolves.toBe('ran');
  });

  it('releases the lock when the task throws', async () => {
    const lock = join(dir, 'throws.lock');
    await expect(
      withFileLock(lock, 1000, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });

  it('times out naming the lock and what holds it while a live owner keeps it', async () => {
    const lock = join(dir, 'held.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid }));
    await expect(withFileLock(lock, 200, async () => undefined, 'deploy')).rejects.toThrow(
      /Timed out after 0 s waiting for .*held\.lock; if no deploy is running, delete it\./,
    );
  });
});
