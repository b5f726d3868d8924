import { resolve } from 'node:path';
import type { Command } from 'commander';
import { PROJECT_MODELS, initProjectConfig } from '@slipway/core';
import { checkDerivedNames } from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';

interface InitOptions {
  project?: string;
  github?: string;
  region?: string;
  model?: string;
  dir: string;
}

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description(
      'write or update slipway.config.json for a repository made from the template (safe to re-run; a new repository gets a new project id)',
    )
    .option('--project <name>', 'project name (letters, digits, hyphens; at most 32); default: from --github')
    .option('--github <owner/repo>', 'the GitHub repository that builds and deploys the project')
    .option('--region <region>', 'AWS region', undefined)
    .option(
      '--model <model>',
      `the model the pipeline trains: ${Object.entries(PROJECT_MODELS)
        .map(([name, meaning]) => `${name} (${meaning})`)
        .join('; ')}`,
    )
    .option('--dir <dir>', 'repository root', '.')
    .action((options: InitOptions) => {
      const result = initProjectConfig(resolve(context.cwd, options.dir), {
        ...(options.project ? { projectName: options.project } : {}),
        ...(options.github ? { githubRepository: options.github } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.model ? { model: options.model } : {}),
        checkConfig: checkDerivedNames,
      });
      const { config, created, path, changed } = result;
      context.output.result(result, () => {
        context.output.line(`${created ? 'Wrote' : changed ? 'Updated' : 'Unchanged:'} ${path}`, 'good');
        context.output.line(`  ${result.projectIdReason}`, 'dim');
        for (const [key, value] of Object.entries(config)) {
          if (key !== '$schema')
            context.output.line(`  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
        }
      });
    });
}
