import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LoadedProjectConfig } from '@slipway/core';
import { CDK_CONTEXT } from '../../cdk-context.js';
import type { EndpointSpec } from '../../endpoint-spec.js';
import { endpointStackName } from '../../names.js';

/** The CDK app's folder (holds cdk.json) and its compiled entry, relative to the repository root. */
export const CDK_APP_DIR = 'deploy-pipeline';
export const CDK_APP_ENTRY = 'dist/cdk/main.js';

/** Runs the CDK CLI with `args` in `cwd`, handing each output line to `log`; rejects on a non-zero exit. */
export type CdkRunner = (
  args: readonly string[],
  options: { cwd: string; log: (line: string) => void },
) => Promise<void>;

export function cdkContextArgs(context: Readonly<Partial<Record<keyof typeof CDK_CONTEXT, string>>>): string[] {
  return Object.entries(context).flatMap(([key, value]) => [
    '--context',
    `${CDK_CONTEXT[key as keyof typeof CDK_CONTEXT]}=${value}`,
  ]);
}

/** `cdk deploy` of exactly these stacks (in dependency order), as `slipway bootstrap` runs it. */
export function cdkDeployStacksArgs(
  stackNames: readonly string[],
  context: Readonly<Partial<Record<keyof typeof CDK_CONTEXT, string>>>,
): string[] {
  return [
    'deploy',
    ...stackNames,
    '--exclusively',
    '--require-approval',
    'never',
    '--no-notices',
    '--progress',
    'events',
    ...cdkContextArgs(context),
  ];
}

/** `cdk deploy` of exactly one stage's EndpointStack, serving exactly `spec.modelPackageArn`. */
export function cdkDeployArgs(project: Pick<LoadedProjectConfig, 'projectName'>, spec: EndpointSpec): string[] {
  return [
    'deploy',
    endpointStackName(project, spec.stage),
    '--exclusively',
    '--require-approval',
    'never',
    '--ci',
    '--no-notices',
    '--progress',
    'events',
    ...cdkContextArgs({ modelPackageArn: spec.modelPackageArn, stage: spec.stage }),
  ];
}

/** Where `cdk` runs: the folder holding cdk.json. */
export function cdkAppDir(project: Pick<LoadedProjectConfig, 'rootDir'>): string {
  return join(project.rootDir, CDK_APP_DIR);
}

/** Finds the CDK CLI installed with the repository and fails clearly when the app is not built. */
export function cdkCommand(project: Pick<LoadedProjectConfig, 'rootDir'>): { cliPath: string; cwd: string } {
  const cwd = cdkAppDir(project);
  let cliPath: string;
  try {
    cliPath = createRequire(join(cwd, 'package.json')).resolve('aws-cdk/bin/cdk');
  } catch {
    throw new Error(`The AWS CDK CLI is not installed under ${project.rootDir}; run \`npm ci\` at the repository root`);
  }
  if (!existsSync(join(cwd, CDK_APP_ENTRY))) {
    throw new Error(`${CDK_APP_DIR}/${CDK_APP_ENTRY} is missing; run \`npm run build\` (tsc -b) before deploying`);
  }
  return { cliPath, cwd };
}

/**
 * The real runner: `node <aws-cdk>/bin/cdk …` with the caller's environment (and so its AWS credentials),
 * plus `env`.
 */
export function spawnCdk(cliPath: string, env: Readonly<Record<string, string>> = {}): CdkRunner {
  return (args, { cwd, log }) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath, ...args], {
        cwd,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', FORCE_COLOR: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const forward = (stream: NodeJS.ReadableStream): void => {
        let buffered = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) if (line.trim()) log(line);
        });
        stream.on('end', () => {
          if (buffered.trim()) log(buffered);
        });
      };
      forward(child.stdout);
      forward(child.stderr);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`cdk ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}); see the CDK output above`));
      });
    });
}
