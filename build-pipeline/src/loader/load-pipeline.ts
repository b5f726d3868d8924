import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ValidationError, loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import { compile, type CompileOptions, type CompileResult } from '../compiler/compile.js';
import { Pipeline } from '../dsl/pipeline.js';
import type { PipelineContext } from './pipeline-context.js';

/** The project's pipeline, relative to the repository root. */
export const DEFAULT_PIPELINE_MODULE = 'build-pipeline/pipeline.ts';
/** The TypeScript project that compiles a pipeline module; it sits next to the module. */
export const PIPELINE_TSCONFIG = 'tsconfig.pipeline.json';
/** Where the execution role comes from when no option names it. */
export const ROLE_ARN_ENV = 'SLIPWAY_SAGEMAKER_ROLE_ARN';
/** Where the training role comes from when no option names it. */
export const TRAINING_ROLE_ARN_ENV = 'SLIPWAY_TRAINING_ROLE_ARN';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export interface LoadPipelineOptions {
  /** Where to look for `slipway.config.json` (and the default module). @default process.cwd() */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An already loaded config; skips the lookup. */
  readonly config?: LoadedProjectConfig;
  /** The pipeline module (.ts with a `tsconfig.pipeline.json` beside it, or .js/.mjs). @default build-pipeline/pipeline.ts */
  readonly modulePath?: string;
  /** @default $SLIPWAY_SAGEMAKER_ROLE_ARN, else a placeholder (with a warning) */
  readonly roleArn?: string;
  /** @default $SLIPWAY_TRAINING_ROLE_ARN, else the execution role */
  readonly trainingRoleArn?: string;
  /** @default <repository root>/seed */
  readonly seedDir?: string;
  /** `auto` recompiles a .ts module whose JavaScript is missing or older; `never` fails instead. @default 'auto' */
  readonly build?: 'auto' | 'never';
}

export interface LoadedPipeline {
  readonly pipeline: Pipeline;
  readonly context: PipelineContext;
  /** The module as given. */
  readonly modulePath: string;
  /** The JavaScript that was imported. */
  readonly importedPath: string;
  /** True when the module was recompiled first. */
  readonly rebuilt: boolean;
  readonly warnings: readonly string[];
}

function problem(where: string, field: string, text: string, fix: string): ValidationError {
  return new ValidationError({ where, field, problem: text, fix });
}

/** The compiled JavaScript of a .ts module, as its `tsconfig.pipeline.json` lays it out. */
function compiledPathOf(modulePath: string): { jsPath: string; tsconfig: string; sources: string[] } {
  const tsconfig = join(dirname(modulePath), PIPELINE_TSCONFIG);
  if (!existsSync(tsconfig)) {
    throw problem(
      modulePath,
      '',
      `is TypeScript, and no ${PIPELINE_TSCONFIG} beside it says how to compile it`,
      `add ${PIPELINE_TSCONFIG} (see build-pipeline/), or pass the compiled .js`,
    );
  }
  let parsed: { compilerOptions?: { outDir?: string; rootDir?: string }; files?: string[] };
  try {
    parsed = JSON.parse(readFileSync(tsconfig, 'utf8')) as typeof parsed;
  } catch (error) {
    throw problem(
      tsconfig,
      '',
      `is not plain JSON (${(error as Error).message})`,
      'remove comments and trailing commas',
    );
  }
  const base = dirname(tsconfig);
  const outDir = resolve(base, parsed.compilerOptions?.outDir ?? '.');
  const rootDir = resolve(base, parsed.compilerOptions?.rootDir ?? '.');
  const extension = extname(modulePath) === '.mts' ? '.mjs' : '.js';
  const jsPath = join(outDir, relative(rootDir, modulePath).replace(/\.m?ts$/, extension));
  return {
    jsPath,
    tsconfig,
    sources: (parsed.files ?? [relative(base, modulePath)]).map((file) => resolve(base, file)),
  };
}

function isStale(jsPath: string, sources: readonly string[]): boolean {
  if (!existsSync(jsPath)) return true;
  const built = statSync(jsPath).mtimeMs;
  return sources.some((source) => existsSync(source) && statSync(source).mtimeMs > built);
}

/** `tsc -b` on the module's project: type errors (a misspelt property path among them) stop the load. */
function buildModule(tsconfig: string, modulePath: string): void {
  let tsc: string;
  try {
    tsc = createRequire(tsconfig).resolve('typescript/bin/tsc');
  } catch {
    throw problem(
      modulePath,
      '',
      'needs TypeScript to compile, and it is not installed',
      'run npm ci (or npm run setup) at the repository root',
    );
  }
  const result = spawnSync(process.execPath, [tsc, '-b', tsconfig], { encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw problem(modulePath, '', `does not compile:\n${output}`, 'fix the errors above, then run the command again');
  }
}

function checkRoleArn(field: string, given: string, what: string): string {
  if (!ROLE_ARN.test(given)) {
    throw problem(
      field,
      '',
      `must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), got ${JSON.stringify(given)}`,
      `pass the ARN of the ${what}`,
    );
  }
  return given;
}

function resolveTrainingRole(options: LoadPipelineOptions, roleArn: string): string {
  const given = options.trainingRoleArn || (options.env ?? process.env)[TRAINING_ROLE_ARN_ENV];
  return given ? checkRoleArn('trainingRoleArn', given, 'SageMaker training role') : roleArn;
}

function resolveRole(options: LoadPipelineOptions, config: LoadedProjectConfig, warnings: string[]): string {
  const given = options.roleArn ?? (options.env ?? process.env)[ROLE_ARN_ENV];
  if (given === undefined || given === '') {
    warnings.push(
      `no SageMaker execution role given; the definition uses a placeholder. Pass --role ARN or set ${ROLE_ARN_ENV} for a definition you can deploy`,
    );
    return `arn:aws:iam::000000000000:role/${config.projectName}-sagemaker-execution`;
  }
  return checkRoleArn('roleArn', given, 'SageMaker execution role');
}

/**
 * Loads the project config and the pipeline module, and calls its `definePipeline(context)`. The CLI, the
 * GitHub action and local runs all come through here, so they compile the same pipeline the same way.
 */
export async function loadPipeline(options: LoadPipelineOptions = {}): Promise<LoadedPipeline> {
  const config =
    options.config ?? loadProjectConfig({ cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env });
  const warnings: string[] = [];
  const modulePath = resolve(
    options.cwd ?? config.rootDir,
    options.modulePath ?? join(config.rootDir, DEFAULT_PIPELINE_MODULE),
  );
  if (!existsSync(modulePath)) {
    throw problem(
      modulePath,
      '',
      'does not exist',
      `write the pipeline there, or name another module (default: ${DEFAULT_PIPELINE_MODULE})`,
    );
  }
  let importedPath = modulePath;
  let rebuilt = false;
  if (/\.m?ts$/.test(modulePath)) {
    const { jsPath, tsconfig, sources } = compiledPathOf(modulePath);
    if (isStale(jsPath, sources)) {
      if (options.build === 'never') {
        throw problem(modulePath, '', `has no up-to-date JavaScript at ${jsPath}`, 'run npx tsc -b first');
      }
      buildModule(tsconfig, modulePath);
      rebuilt = true;
    }
    importedPath = jsPath;
  }
  // The mtime in the URL makes a long-running process pick up a rebuilt module instead of its cached copy.
  const url = `${pathToFileURL(importedPath).href}?mtime=${statSync(importedPath).mtimeMs}`;
  const module = (await import(url)) as { definePipeline?: unknown };
  if (typeof module.definePipeline !== 'function') {
    throw problem(
      modulePath,
      'definePipeline',
      'is not exported as a function',
      'export function definePipeline(context: PipelineContext): Pipeline',
    );
  }
  const roleArn = resolveRole(options, config, warnings);
  const context: PipelineContext = {
    config,
    roleArn,
    trainingRoleArn: resolveTrainingRole(options, roleArn),
    seedDir: resolve(options.seedDir ?? join(config.rootDir, 'seed')),
  };
  const pipeline: unknown = (module.definePipeline as (context: PipelineContext) => unknown)(context);
  if (!(pipeline instanceof Pipeline)) {
    throw problem(
      modulePath,
      'definePipeline',
      'did not return a Pipeline',
      'return new Pipeline(...) built with @slipway/build-pipeline (one copy of it: import it by package name)',
    );
  }
  if (pipeline.name !== config.pipelineName) {
    warnings.push(`the pipeline is named ${pipeline.name}, but slipway.config.json says ${config.pipelineName}`);
  }
  return { pipeline, context, modulePath, importedPath, rebuilt, warnings };
}

/** Compile options from the project config: its region and artifact bucket. */
export function compileOptionsFor(config: LoadedProjectConfig): CompileOptions {
  return { region: config.region, bucket: config.artifactBucket };
}

/** Loads the project's pipeline and compiles it with the project's settings. */
export async function compileProjectPipeline(
  options: LoadPipelineOptions = {},
): Promise<CompileResult & { readonly loaded: LoadedPipeline }> {
  const loaded = await loadPipeline(options);
  return { ...compile(loaded.pipeline, compileOptionsFor(loaded.context.config)), loaded };
}
