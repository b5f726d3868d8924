import { describe, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is `test/support/reference-data.ts`). */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The sample events every clone carries (see test/fixtures/events/README.md). */
export const CARRIED_EVENTS_DIR = join(REPOSITORY_ROOT, 'test', 'fixtures', 'events');

export type CarriedEventName =
  | 'model-package-state-change'
  | 'model-package-state-change-duplicate-source'
  | 'pipeline-execution-status-change'
  | 'repository-dispatch-request';

/** A carried sample, parsed (a duplicate key keeps its last value, as every JSON parser does). */
export function carriedEvent<T = Record<string, unknown>>(name: CarriedEventName): T {
  return JSON.parse(carriedEventText(name)) as T;
}

export function carriedEventText(name: CarriedEventName): string {
  return readFileSync(join(CARRIED_EVENTS_DIR, `${name}.json`), 'utf8');
}

/**
 * The optional shared reference material (published sample events, the SageMaker Python SDK's fixtures):
 * `$SLIPWAY_REFERENCE_DIR` when set (and only it), else `../shared/reference` beside the repository. Never an
 * absolute path of some machine: on a clone without it, the checks that use it report that they did not run.
 */
export function sharedReferenceDir(): string | undefined {
  const explicit = process.env['SLIPWAY_REFERENCE_DIR'];
  const dir = explicit !== undefined && explicit !== '' ? explicit : join(REPOSITORY_ROOT, '..', 'shared', 'reference');
  return existsSync(dir) ? dir : undefined;
}

/** A folder of the shared reference (e.g. `events`, `sdk-fixtures`), when present. */
export function sharedReferencePath(folder: string): string | undefined {
  const dir = sharedReferenceDir();
  return dir !== undefined && existsSync(join(dir, folder)) ? join(dir, folder) : undefined;
}

/** The prefix of the title a conformance check that did not run is reported under (scripts/test.mjs lists them). */
export const NOT_RUN = 'NOT RUN';

/**
 * An optional conformance check against the shared reference's `folder`: a `describe` block when the folder is
 * there; otherwise one skipped test titled `NOT RUN: <why>` inside a block of that title, so `npm test` counts and lists it as
 * skipped, never as passed.
 */
export function describeWithSharedReference(folder: string, title: string, body: (dir: string) => void): void {
  const dir = sharedReferencePath(folder);
  if (dir === undefined) {
    describe(title, () => {
      it.skip(
        `${NOT_RUN}: the optional shared reference ../shared/reference/${folder} is not next to this repository ` +
          '(set SLIPWAY_REFERENCE_DIR to run it)',
        () => {},
      );
    });
    return;
  }
  describe(title, () => body(dir));
}
