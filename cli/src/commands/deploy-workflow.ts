import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { loadProjectConfig } from '@slipway/core';
import { WORKFLOW_FILES, deployWorkflowYaml } from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';

/**
 * `slipway deploy workflow`: prints deploy.yml as the project's stages make it, or with `--write` writes it
 * (adding a stage is an edit of slipway.config.json and this command; a test fails while the two differ).
 */
export function registerDeployWorkflow(deploy: Command, context: CliContext): void {
  deploy
    .command('workflow')
    .description(`print ${WORKFLOW_FILES.deploy} for the stages of slipway.config.json (--write: write it there)`)
    .option('--write', 'write the file instead of printing it, and say whether it changed')
    .action((options: { write?: boolean }) => {
      const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
      const text = deployWorkflowYaml(project.stages);
      if (!options.write) {
        context.output.result({ path: WORKFLOW_FILES.deploy, stages: project.stages, text }, () =>
          context.output.write(text),
        );
        return;
      }
      const path = join(project.rootDir, WORKFLOW_FILES.deploy);
      const before = readOrEmpty(path);
      if (before !== text) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
      const changed = before !== text;
      context.output.result({ path: WORKFLOW_FILES.deploy, stages: project.stages, changed }, () =>
        context.output.line(
          `${WORKFLOW_FILES.deploy} ${changed ? 'written' : 'already current'} for stages ${project.stages.join(' → ')}`,
          changed ? 'good' : 'dim',
        ),
      );
    });
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
