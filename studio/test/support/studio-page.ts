import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage } from '../../scripts/bundle-page.mjs';

/** The repository root, found from this file (tests never name the machine's paths). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let bundled: Promise<unknown> | undefined;

/** Bundles the page from its current sources once per test file, so a test never serves a stale page. */
export function ensurePageBundle(): Promise<unknown> {
  bundled ??= bundlePage();
  return bundled;
}
