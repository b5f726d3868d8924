import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EndpointRecord } from '../store/endpoint-repository.js';
import { withoutPending } from './endpoint-record-changes.js';

export const INTERRUPTED_CREATE =
  'The local server stopped while this endpoint was being created (it was killed or shut down); ' +
  'delete the endpoint and create it again.';
export const interruptedUpdate = (configName: string, serving: string) =>
  `The local server stopped while this endpoint was being updated to ${configName}; ` +
  `the update did not happen and the endpoint serves ${serving}. Call UpdateEndpoint again.`;

/**
 * What a stored endpoint becomes when the local server starts again: an interrupted create is Failed, an
 * interrupted update keeps the old deployment (InService, and says so in FailureReason); other statuses stay.
 * Deleting endpoints are not passed here: their delete is finished instead.
 */
export function afterRestart(record: EndpointRecord): EndpointRecord {
  if (record.status === 'Creating') {
    return { ...withoutPending(record), status: 'Failed', failureReason: INTERRUPTED_CREATE };
  }
  if (record.status === 'Updating') {
    return {
      ...withoutPending(record),
      status: 'InService',
      ...(record.pending ? { failureReason: interruptedUpdate(record.pending.configName, record.configName) } : {}),
    };
  }
  return record;
}

/**
 * Removes model copies of a previous run (its servers are gone) and the folders of endpoints that no longer
 * exist, under `root` (`<dataDir>/endpoints`, one lower-cased folder per endpoint).
 */
export async function removeStaleFolders(root: string, records: readonly EndpointRecord[]): Promise<void> {
  const known = new Set(records.map((record) => record.name.toLowerCase()));
  let entries: string[] = [];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  await Promise.all(
    entries.map((entry) =>
      rm(known.has(entry) ? join(root, entry, 'work') : join(root, entry), {
        recursive: true,
        force: true,
      }),
    ),
  );
}
