import { expect } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile, compileOptionsFor, type CompileResult } from '@slipway/build-pipeline';
import { loadProjectConfig, type ProjectModel } from '@slipway/core';
import { format, resolveConfig } from 'prettier';
import { definePipeline } from '../../pipeline.js';

const TEST_DIR = join(import.meta.dirname, '..');
/** Stand-ins for seed/'s files: only their bytes matter, so seed edits do not move the golden files. */
export const FIXTURE_SEED_DIR = join(TEST_DIR, 'fixtures', 'seed');
export const GOLDEN_ROLE_ARN = 'arn:aws:iam::123456789012:role/golden-sagemaker-execution';
/** The role Train runs as: the only one the bucket lets write under models/. */
export const GOLDEN_TRAINING_ROLE_ARN = 'arn:aws:iam::123456789012:role/golden-sagemaker-training';
/** The fixed config the golden files are compiled with. */
export const goldenConfig = loadProjectConfig({ path: join(TEST_DIR, 'fixtures', 'project', 'slipway.config.json') });

/** The project's pipeline compiled with the golden config (its model replaced by `model` when given). */
export function compileProjectPipelineFor(options: { model?: ProjectModel; seedDir?: string } = {}): CompileResult {
  const config = { ...goldenConfig, model: options.model ?? goldenConfig.model };
  const seedDir = options.seedDir ?? FIXTURE_SEED_DIR;
  return compile(
    definePipeline({ config, roleArn: GOLDEN_ROLE_ARN, trainingRoleArn: GOLDEN_TRAINING_ROLE_ARN, seedDir }),
    compileOptionsFor(config),
  );
}

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
