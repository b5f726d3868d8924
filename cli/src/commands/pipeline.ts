import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Asset } from '@slipway/build-pipeline';
import type { CliContext } from '../context.js';
import { registerFollowCommands } from './pipeline-follow.js';
import { registerRun } from './pipeline-run.js';

interface CompileCommandOptions {
  readonly out?: string;
  readonly assets?: boolean;
  readonly role?: string;
  readonly module?: string;
  readonly seed?: string;
}

/** What `--json` prints for an asset: everything but the bytes. */
function describeAsset(asset: Asset): Record<string, unknown> {
  return {
    key: asset.key,
    s3Uri: asset.s3Uri,
    sha256: asset.sha256,
    size: asset.size,
    contentType: asset.contentType,
    source: asset.localPath ?? 'built in memory',
  };
}

function assetTable(assets: readonly Asset[]): string[] {
  const width = Math.max(3, ...assets.map((asset) => asset.key.length));
  return [
    `${'KEY'.padEnd(width)}  ${'SHA-256'.padEnd(64)}  SIZE`,
    ...assets.map((asset) => `${asset.key.padEnd(width)}  ${asset.sha256}  ${asset.size}`),
  ];
}

function registerCompile(pipeline: Command, context: CliContext): void {
  pipeline
    .command('compile')
    .description('compile the pipeline into its SageMaker definition JSON; nothing is uploaded or sent')
    .option('--out <file>', 'write the definition to a file instead of printing it')
    .option('--assets', 'also list the assets to upload: S3 key, SHA-256 and size')
    .option('--role <arn>', 'SageMaker execution role ARN (default: $SLIPWAY_SAGEMAKER_ROLE_ARN, else a placeholder)')
    .option(
      '--module <file>',
      'the pipeline module (default: build-pipeline/pipeline.ts, rebuilt with tsc -b when stale)',
    )
    .option('--seed <dir>', 'the folder with the ML code (default: seed/ at the repository root)')
    .action(async (options: CompileCommandOptions) => {
      // Loaded here, not at start-up: the SDK brings the SageMaker client's schemas, which other commands never need.
      const { compileProjectPipeline } = await import('@slipway/build-pipeline');
      const result = await compileProjectPipeline({
        cwd: context.cwd,
        env: context.env,
        ...(options.module ? { modulePath: resolve(context.cwd, options.module) } : {}),
        ...(options.role ? { roleArn: options.role } : {}),
        ...(options.seed ? { seedDir: resolve(context.cwd, options.seed) } : {}),
      });
      const warnings = [
        ...result.loaded.warnings,
        ...result.warnings.map((warning) => `${warning.where}: ${warning.field} ${warning.message}`),
      ];
      const pretty = `${JSON.stringify(result.definition, null, 2)}\n`;
      const out = options.out ? resolve(context.cwd, options.out) : undefined;
      if (out) writeFileSync(out, pretty);
      for (const warning of warnings) context.output.warn(warning);
      context.output.result(
        {
          pipelineName: result.loaded.pipeline.name,
          module: result.loaded.modulePath,
          ...(out ? { out } : {}),
          definitionCharacters: result.json.length,
          definition: result.definition,
          assets: result.assets.map(describeAsset),
          warnings,
        },
        () => {
          if (out) {
            const steps = result.definition.Steps.length;
            context.output.line(
              `Wrote ${out}: pipeline ${result.loaded.pipeline.name}, ${steps} top-level steps, ${result.json.length} characters`,
              'good',
            );
          } else {
            context.output.line(pretty.trimEnd());
          }
          if (options.assets) {
            context.output.line(`${result.assets.length} assets to upload:`, 'bold');
            for (const row of assetTable(result.assets)) context.output.line(row);
          }
        },
      );
    });
}

/**
 * The `pipeline` command group: compile (no AWS), run (what the build workflow does), status and logs.
 * Run, status and logs go to the local server by default and to SageMaker with --aws.
 */
export function registerPipeline(program: Command, context: CliContext): Command {
  const pipeline = program.command('pipeline').description('compile, run and follow the SageMaker pipeline');
  registerCompile(pipeline, context);
  registerRun(pipeline, context);
  registerFollowCommands(pipeline, context);
  return pipeline;
}
