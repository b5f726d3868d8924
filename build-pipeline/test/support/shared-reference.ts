import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared reference material (`sdk-fixtures/` and friends), when this machine has it: $SLIPWAY_REFERENCE_DIR,
 * `../shared/reference` next to the repository, or /work/shared/reference.
 */
export function sharedReferenceDir(): string | undefined {
  const root = resolve(import.meta.dirname, '..', '..', '..');
  const candidates = [
    process.env.SLIPWAY_REFERENCE_DIR,
    join(root, '..', 'shared', 'reference'),
    '/work/shared/reference',
  ];
  return candidates.find((dir): dir is string => dir !== undefined && existsSync(join(dir, 'sdk-fixtures')));
}
