import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** SageMaker reads the first 1 KB of /opt/ml/output/message and /opt/ml/output/failure. */
export const JOB_FILE_BYTES = 1024;

/**
 * The first `bytes` of a file the job wrote (its exit message or failure reason), as text, or undefined when
 * it does not exist. A symbolic link is not followed: the job reports through a file of its own.
 */
export async function readJobFile(file: string, bytes = JOB_FILE_BYTES): Promise<string | undefined> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    // A multi-byte character cut at the limit decodes to U+FFFD; drop it rather than show a broken character.
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  } finally {
    await handle.close();
  }
}
