import type { Command } from 'commander';
import { loadProjectConfig } from '@slipway/core';
import { awsDoctorClients, createGitHubClient, runProjectDoctor, type DoctorCheck } from '@slipway/deploy-pipeline';
import { dataDirOption } from '../backend-options.js';
import type { CliContext } from '../context.js';
import { runLocalDoctor } from '../doctor/local-doctor.js';
import { GITHUB_SETUP_TOKEN_ENV } from './bootstrap-github.js';

interface DoctorOptions {
  local?: boolean;
  defaultBranch: string;
  dataDir: string;
}

export function registerDoctor(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description(
      `check the project's whole setup (AWS, GitHub; --local: the local loop) and say what to fix; exits 1 when something needs fixing. GitHub checks read ${GITHUB_SETUP_TOKEN_ENV} or GITHUB_TOKEN`,
    )
    .option('--local', 'check the local loop instead: runtimes, the local server, the approval rules')
    .option('--default-branch <branch>', 'the branch the AWS roles and the environments should trust', 'main')
    .addOption(dataDirOption())
    .action(async (options: DoctorOptions) => {
      const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
      const checks = options.local
        ? await runLocalDoctor({ project, dataDir: options.dataDir, cwd: context.cwd, env: context.env })
        : await runProjectDoctor({
            project,
            clients: awsDoctorClients(awsConfig(context.env, project.region)),
            defaultBranch: options.defaultBranch,
            ...githubClient(context.env),
          });
      const failed = checks.filter((check) => !check.ok && !check.skipped).length;
      const skipped = checks.filter((check) => check.skipped).length;
      if (failed > 0) process.exitCode = 1;
      context.output.result({ ok: failed === 0, failed, skipped, checks }, () => printChecks(context, checks));
    });
}

/** The SDK's own settings, with the endpoint and keys of the command's environment (AWS_ENDPOINT_URL for a stand-in). */
function awsConfig(
  env: NodeJS.ProcessEnv,
  region: string,
): {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
} {
  return {
    region,
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
  };
}

function githubClient(env: NodeJS.ProcessEnv): { github?: ReturnType<typeof createGitHubClient> } {
  const token = env[GITHUB_SETUP_TOKEN_ENV] ?? env.GITHUB_TOKEN;
  return token ? { github: createGitHubClient(token, env) } : {};
}

function printChecks(context: CliContext, checks: readonly DoctorCheck[]): void {
  const { output } = context;
  let area = '';
  for (const check of checks) {
    if (check.area !== area) {
      area = check.area;
      output.line(
        area === 'aws' ? 'AWS' : area === 'github' ? 'GitHub' : area[0]!.toUpperCase() + area.slice(1),
        'bold',
      );
    }
    if (check.ok) output.line(`  ✓ ${check.name}: ${check.detail}`, 'good');
    else if (check.skipped) output.line(`  - ${check.name}: not checked: ${check.detail}`, 'warn');
    else {
      output.line(`  ✗ ${check.name}: ${check.detail}`, 'bad');
      if (check.fix) output.line(`      fix: ${check.fix}`);
    }
  }
  const failed = checks.filter((check) => !check.ok && !check.skipped).length;
  const skipped = checks.filter((check) => check.skipped).length;
  output.line('');
  output.line(
    `${checks.length - failed - skipped} ok, ${failed} to fix${skipped ? `, ${skipped} not checked` : ''}`,
    failed ? 'bad' : 'good',
  );
}
