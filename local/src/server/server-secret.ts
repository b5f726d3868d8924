import { randomBytes } from 'node:crypto';
import { chmod, link, lstat, open, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from './logger.js';

/** The file in the data dir that keeps the server's secret across restarts (mode 0600). */
export const SECRET_FILE = 'secret-access-key';
/** Owner read/write only: for the secret and for server.json, which repeats it. */
export const OWNER_ONLY_FILE = 0o600;
/** Owner only: the data dir holds the secret, the database, the objects and the jobs' code. */
export const OWNER_ONLY_DIR = 0o700;

const SECRET_FORM = /^[A-Za-z0-9_-]{40}$/;

/**
 * The data dir's secret: the secret access key that the server accepts in SigV4 signatures. Made once from
 * the CSPRNG (30 random bytes, 40 base64url characters, the length of an AWS secret key) and kept, so a
 * configured boto3 or AWS CLI profile keeps working after a restart. A secret file that others could read
 * is replaced (with a warning): whoever read it could drive the server.
 */
export async function loadServerSecret(dataDir: string, log: Logger): Promise<string> {
  const path = join(dataDir, SECRET_FILE);
  const existing = await readOwnSecret(path, log);
  if (existing) return existing;
  const secret = randomBytes(30).toString('base64url');
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeOwnerOnly(temporary, `${secret}\n`);
  try {
    // link() fails if another process made the secret meanwhile: then theirs is the one.
    await link(temporary, path);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const theirs = await readOwnSecret(path, log);
    if (theirs) return theirs;
    await rename(temporary, path);
    return secret;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function readOwnSecret(path: string, log: Logger): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  const text = info.isFile() ? (await readFile(path, 'utf8')).trim() : '';
  const mine = process.getuid === undefined || info.uid === process.getuid();
  if (info.isFile() && mine && (info.mode & 0o077) === 0 && SECRET_FORM.test(text)) return text;
  log.warn(
    `${path} ${!info.isFile() ? 'is not a regular file' : !mine ? 'belongs to another user' : (info.mode & 0o077) !== 0 ? `could be read by others (mode ${(info.mode & 0o777).toString(8)})` : 'is not a secret this server wrote'}; ` +
      'made a new secret: clients configured with the old one must read the new one from server.json',
  );
  await rm(path, { force: true, recursive: false });
  return undefined;
}

/** Writes a new file that only its owner can read, whatever the umask, and flushes it to disk. */
export async function writeOwnerOnly(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', OWNER_ONLY_FILE);
  try {
    await handle.writeFile(text);
    await handle.chmod(OWNER_ONLY_FILE);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes the data dir owner-only (0700), also when an earlier version or another tool made it readable by
 * others. A folder that belongs to someone else is left alone, with a warning.
 */
export async function restrictDataDir(dataDir: string, log: Logger): Promise<void> {
  const info = await stat(dataDir);
  if ((info.mode & 0o077) === 0) return;
  const mode = (info.mode & 0o777).toString(8);
  if (process.getuid !== undefined && info.uid !== process.getuid()) {
    log.warn(
      `the data dir ${dataDir} belongs to another user and others can read it (mode ${mode}); use one of your own`,
    );
    return;
  }
  // A folder that holds other things (a project root given as --data-dir) is not the server's to lock down.
  const entries = await readdir(dataDir);
  if (entries.length > 0 && !entries.some((name) => DATA_DIR_MARKERS.has(name))) {
    log.warn(
      `the data dir ${dataDir} can be read by others (mode ${mode}) and holds other files, so it was left as it is; ` +
        'the server keeps its secret, database and the jobs\u2019 code there: use a folder of its own, or chmod 700 it',
    );
    return;
  }
  await chmod(dataDir, OWNER_ONLY_DIR);
}

/** Files that only a data dir has: a folder holding one of them is the server's. */
const DATA_DIR_MARKERS = new Set(['slipway.db', 'server.json', 'server.log', SECRET_FILE]);
