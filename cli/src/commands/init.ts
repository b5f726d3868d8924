import type { Command } from 'commander';
import { PROJECT_MODELS, initProjectConfig } from '@slipway/core';
import type { CliContext } from '../context.js';

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('write or update slipway.config.json for a repository made from the template (safe to re-run)')
    .option('--project <name>', 'project name (letters, digits, hyphens; at most 32); needed for a new config')
    .option('--github <owner/repo>', 'the GitHub repository that builds and deploys the project')
    .option('--region <region>', 'AWS region', undefined)
    .option(
      '--model <model>',
      `the model the pipeline trains: ${Object.entries(PROJECT_MODELS)
        .map(([name, meaning]) => `${name} (${meaning})`)
        .join('; ')}`,
    )
    .option('--dir <dir>', 'repository root', '.')
    .action((options: { project?: string; github?: string; region?: string; model?: string; dir: string }) => {
      const { config, created, path } = initProjectConfig(options.dir, {
        ...(options.project ? { projectName: options.project } : {}),
        ...(options.github ? { githubRepository: options.github } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.model ? { model: options.model } : {}),
      });
      context.output.result({ path, created, config }, () => {
        context.output.line(`${created ? 'Wrote' : 'Updated'} ${path}`, 'good');
        for (const [key, value] of Object.entries(config)) {
          if (key !== '$schema')
            context.output.line(`  ${key}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
        }
      });
    });
}
