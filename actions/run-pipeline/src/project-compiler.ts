import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { ValidationError } from '@slipway/core';
import type { CompileForRunOptions } from '@slipway/build-pipeline';
import type { CompiledPipeline } from '@slipway/build-pipeline/run';

export type CompileForRun = (options: CompileForRunOptions) => Promise<CompiledPipeline>;

/**
 * The pipeline module is the repository's TypeScript, and it imports `@slipway/build-pipeline` from the
 * repository's node_modules. The action compiles it with that same copy of the SDK, resolved from the
 * module's folder: the DSL objects the module builds must be the compiler's own classes, and the compiler
 * is then the version the repository's lockfile pins and its tests ran. So the workflow runs `npm ci` and
 * `npx tsc -b` before this action; the bundle itself carries only the AWS calls.
 */
export async function importProjectCompiler(pipelineModule: string): Promise<CompileForRun> {
  if (!existsSync(pipelineModule)) {
    throw new ValidationError({
      where: 'pipeline-module',
      field: '',
      problem: `names ${pipelineModule}, which does not exist`,
      fix: 'give the path of the pipeline module relative to the repository root (default build-pipeline/pipeline.ts)',
    });
  }
  let entry: string;
  try {
    entry = createRequire(pipelineModule).resolve('@slipway/build-pipeline');
  } catch {
    throw new ValidationError({
      where: 'pipeline-module',
      field: '',
      problem: `imports @slipway/build-pipeline, which is not installed where ${pipelineModule} can import it`,
      fix: 'run `npm ci` and `npx tsc -b` in a step before this action',
    });
  }
  if (!existsSync(entry)) {
    throw new ValidationError({
      where: 'pipeline-module',
      field: '',
      problem: `needs the compiled @slipway/build-pipeline (${entry}), which is not built`,
      fix: 'run `npx tsc -b` in a step before this action',
    });
  }
  const sdk = (await import(pathToFileURL(entry).href)) as { compilePipelineForRun?: unknown };
  if (typeof sdk.compilePipelineForRun !== 'function') {
    throw new ValidationError({
      where: 'pipeline-module',
      field: '',
      problem: `uses an @slipway/build-pipeline (${entry}) without compilePipelineForRun, older than this action`,
      fix: 'rebuild it with `npx tsc -b`, or use the action from the same commit as the SDK',
    });
  }
  return sdk.compilePipelineForRun as CompileForRun;
}
