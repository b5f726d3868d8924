import type { Command } from 'commander';
import { initProjectConfig } from '@slipway/core';
import type { CliContext } from '../context.js';

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('write or update slipway.config.json for a repository made from the template (safe to re-run)')
    .requiredOption('--project <name>', 'project name (letters, digits, hyphens; at most 32)')
    .option('--github <owner/repo>', 'the GitHub repository that builds and deploys the project')
    .option('--region <region>', 'AWS region', undefined)
    .option('--dir <dir>', 'repository root', '.')
    .action((options: { project: string; github?: string; region?: string; dir: string }) => {
      const { config, created, path } = initProjectConfig(options.dir, {
        projectName: options.project,
        ...(options.github ? { githubRepository: options.github } : {}),
        ...(options.region ? { region: options.region } : {}),
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
