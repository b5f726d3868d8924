import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { isProcessAlive, withFileLock } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-file-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('withFileLock', () => {
  it('runs tasks of one process one at a time, never overlapping, and removes the lock afterwards', async () => {
    const lock = join(dir, 'serial.lock');
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 30));
      events.push(`${name} end`);
    };
    await Promise.all([withFileLock(lock, 5000, task('a')), withFileLock(lock, 5000, task('b'))]);
    // Either may go first (both race for the same O_EXCL create); what matters is that they never overlap.
    const first = events[0]!.split(' ')[0]!;
    const second = first === 'a' ? 'b' : 'a';
    expect(events).toEqual([`${first} start`, `${first} end`, `${second} start`, `${second} end`]);
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
      /Timed out after 0 s waiting for .*held\.lock; if no deploy is running, delete it \(and any .*held\.lock\.reap-\* beside it\)\./,
    );
  });

  it('lets exactly one of several processes take over a stale lock at a time, and none delete a fresh one', async () => {
    // Before the reap markers, two waiters could both judge the lock stale; the first removed it and took a fresh
    // lock, and the second then removed that fresh lock and took its own: two holders at once.
    const contender = join(dir, 'lock-contender.mjs');
    await build({
      entryPoints: [join(process.cwd(), 'core', 'test', 'support', 'lock-contender.ts')],
      outfile: contender,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
    const rounds = 5;
    const processes = 4;
    for (let round = 0; round < rounds; round += 1) {
      const lock = join(dir, `contended-${round}.lock`);
      const log = join(dir, `contended-${round}.log`);
      writeFileSync(lock, JSON.stringify({ pid: deadPid() }));
      writeFileSync(log, '');
      const startAt = Date.now() + 400;
      const exits = Array.from({ length: processes }, () => {
        const child = spawn(process.execPath, [contender, lock, log, String(startAt), '30'], { stdio: 'inherit' });
        return new Promise<number | null>((resolve) => child.once('exit', resolve));
      });
      expect(await Promise.all(exits)).toEqual(Array<number>(processes).fill(0));
      const lines = readFileSync(log, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2 * processes);
      for (let index = 0; index < lines.length; index += 2) {
        const [enter, exit] = [lines[index]!, lines[index + 1]!];
        expect(enter).toMatch(/^enter \d+$/);
        expect(exit).toBe(enter.replace('enter', 'exit'));
      }
      expect(existsSync(lock)).toBe(false);
      expect(readdirSync(dir).filter((name) => name.startsWith(`contended-${round}.lock.reap-`))).toEqual([]);
    }
  }, 60_000);

  it('never removes a lock that another holder has taken since', async () => {
    const lock = join(dir, 'replaced.lock');
    await withFileLock(lock, 1000, async () => {
      // Someone (wrongly) deleted this holder's lock and another process took it: releasing must keep theirs.
      rmSync(lock);
      writeFileSync(lock, JSON.stringify({ pid: process.pid, nonce: 'theirs' }));
    });
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toEqual({ pid: process.pid, nonce: 'theirs' });
    rmSync(lock);
  });
});
