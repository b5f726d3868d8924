import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared reference material (`sdk-fixtures/` and friends), when this machine has it: $SLIPWAY_REFERENCE_DIR
 * when set (and only it), else `../shared/reference` next to the repository, else /work/shared/reference.
 */
export function sharedReferenceDir(): string | undefined {
  const root = resolve(import.meta.dirname, '..', '..', '..');
  const explicit = process.env.SLIPWAY_REFERENCE_DIR;
  const candidates =
    explicit !== undefined ? [explicit] : [join(root, '..', 'shared', 'reference'), '/work/shared/reference'];
  return candidates.find((dir) => existsSync(join(dir, 'sdk-fixtures')));
}
