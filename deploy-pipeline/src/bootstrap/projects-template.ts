import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LoadedProjectConfig } from '@slipway/core';
import {
  cdkAppDir,
  cdkCommand,
  cdkContextArgs,
  cdkDeployStacksArgs,
  spawnCdk,
  type CdkRunner,
} from '../deploy/backends/cdk.js';
import { portfolioStackName, projectTemplateStackName, projectTemplatesBucketName } from '../names.js';
import { storeGitHubToken } from './github-token.js';

export interface PublishProjectsTemplateOptions {
  readonly project: LoadedProjectConfig;
  /** Stored in Secrets Manager: the provisioned project's approval route reads it. Never printed. */
  readonly githubToken: string;
  /** The roles (Studio execution roles) that may create projects from the template. */
  readonly studioRoleArns: readonly string[];
  /** @default - no launch constraint: the Studio user's role needs the rights to create the project stack */
  readonly launchRoleArn?: string;
  /** @default - the project template creates a GitHub OIDC provider */
  readonly githubOidcProviderArn?: string;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** @default - no email subscription to the approval route's alarm */
  readonly alarmEmail?: string;
  readonly log?: (message: string) => void;
}

export interface PublishProjectsTemplateDeps {
  readonly secrets?: SecretsManagerClient;
  readonly s3?: S3Client;
  readonly runCdk?: CdkRunner;
}

export interface PublishProjectsTemplateResult {
  readonly portfolioStackName: string;
  readonly bucket: string;
  /** Content-hashed: the same template is always the same key, and a changed one a new product version. */
  readonly templateKey: string;
  readonly templateUrl: string;
  /** False when this exact template was published before. */
  readonly uploaded: boolean;
  readonly secretName: string;
}

/** Where project templates go in the templates bucket. */
export const PROJECT_TEMPLATES_PREFIX = 'project-templates/';

/**
 * `slipway bootstrap --projects-template`: publishes the SageMaker project template. The template is
 * synthesized by the CDK app, uploaded under a content-hashed key to the portfolio stack's own bucket (the
 * artifact bucket cannot hold it: the template is what creates that bucket), and the portfolio stack's product
 * is pointed at it; the portfolio is shared with the Studio roles. A template that is not a CDK asset is what
 * lets this work without `cdk bootstrap`. Re-running with the same config uploads nothing and changes nothing.
 */
export async function publishProjectsTemplate(
  options: PublishProjectsTemplateOptions,
  deps: PublishProjectsTemplateDeps = {},
): Promise<PublishProjectsTemplateResult> {
  const { project } = options;
  const log = options.log ?? ((): void => undefined);
  const region = { region: project.region };
  const secrets = deps.secrets ?? new SecretsManagerClient(region);
  const s3 = deps.s3 ?? new S3Client(region);
  const runCdk = deps.runCdk ?? spawnCdk(cdkCommand(project).cliPath);
  const cwd = cdkAppDir(project);

  const { secretName, versionId } = await storeGitHubToken(secrets, project, options.githubToken);
  log(`Stored the GitHub token in Secrets Manager as ${secretName} (version ${versionId})`);

  const context = {
    projectsTemplate: 'true',
    studioRoleArns: options.studioRoleArns.join(','),
    ...(options.launchRoleArn ? { launchRoleArn: options.launchRoleArn } : {}),
    ...(options.githubOidcProviderArn ? { githubOidcProviderArn: options.githubOidcProviderArn } : {}),
    ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
    ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
  };
  const templateStack = projectTemplateStackName(project);
  const outdir = mkdtempSync(join(tmpdir(), 'slipway-projects-template-'));
  let body: string;
  try {
    await runCdk(['synth', templateStack, '--quiet', '--no-notices', '--output', outdir, ...cdkContextArgs(context)], {
      cwd,
      log,
    });
    body = readFileSync(join(outdir, `${templateStack}.template.json`), 'utf8');
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const templateKey = `${PROJECT_TEMPLATES_PREFIX}${project.projectName}-${hash}.template.json`;
  const bucket = projectTemplatesBucketName(project);
  const stackName = portfolioStackName(project);
  const deploy = (extra: Record<string, string>): Promise<void> =>
    runCdk(cdkDeployStacksArgs([stackName], { ...context, ...extra }), { cwd, log });

  // The first time, the bucket comes first (the portfolio stack without a product), then the template.
  if (!(await exists(() => s3.send(new HeadBucketCommand({ Bucket: bucket }))))) {
    log(`Creating the templates bucket ${bucket} (${stackName}, no product yet)`);
    await deploy({});
  }
  const uploaded = !(await exists(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: templateKey }))));
  if (uploaded) {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: templateKey, Body: body, ContentType: 'application/json' }),
    );
    log(`Uploaded the project template to s3://${bucket}/${templateKey}`);
  } else log(`The project template s3://${bucket}/${templateKey} is already published: unchanged`);
  await deploy({ productTemplateKey: templateKey });
  return {
    portfolioStackName: stackName,
    bucket,
    templateKey,
    templateUrl: `https://${bucket}.s3.${project.region}.amazonaws.com/${templateKey}`,
    uploaded,
    secretName,
  };
}

/** True when the HEAD request finds the thing; false on 404; anything else is thrown. */
async function exists(head: () => Promise<unknown>): Promise<boolean> {
  try {
    await head();
    return true;
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}
