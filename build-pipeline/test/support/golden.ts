import { expect } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { format, resolveConfig } from 'prettier';

/**
 * Compares a compiled definition with its checked-in golden file, formatted as the repository's Prettier config
 * formats JSON (so the golden file passes `npm run lint`). `SLIPWAY_UPDATE_GOLDEN=1` rewrites the file first:
 * `npm run golden:update -w @slipway/build-pipeline`, then review the diff.
 */
export async function expectGoldenDefinition(json: string, golden: string): Promise<void> {
  const pretty = await format(json, { ...(await resolveConfig(golden)), filepath: golden });
  if (process.env.SLIPWAY_UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(golden), { recursive: true });
    writeFileSync(golden, pretty);
  }
  expect(existsSync(golden)).toBe(true);
  // On a difference: if the change is intended, run `npm run golden:update -w @slipway/build-pipeline`.
  expect(pretty).toBe(readFileSync(golden, 'utf8'));
}
