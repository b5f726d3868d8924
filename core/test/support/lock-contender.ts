/**
 * One process contending for a file lock, for the cross-process tests of `withFileLock`: it waits until the
 * given start time (so all contenders start together), takes the lock, and while holding it appends
 * `enter <pid>` and `exit <pid>` to the log around a short pause. Overlapping holders show up in the log as two
 * `enter` lines in a row.
 */
import { appendFileSync } from 'node:fs';
import { withFileLock } from '../../src/file-lock.js';

const [lockFile = '', logFile = '', startAt = '0', holdMs = '20'] = process.argv.slice(2);
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
await withFileLock(lockFile, 30_000, async () => {
  appendFileSync(logFile, `enter ${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
  appendFileSync(logFile, `exit ${process.pid}\n`);
});
