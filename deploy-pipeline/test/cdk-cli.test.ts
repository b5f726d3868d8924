import { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { cdkCommand, deployStage, spawnCdk } from '../src/index.js';
import { FEATURE_FLAGS } from '../src/cdk/index.js';
import { REPO_ROOT, describeWithMoto, motoClientConfig } from './support/moto-server.js';
import { testProject } from './support/project.js';
import { registerVersion } from './support/registry.js';

/**
 * The real CDK CLI running the compiled app, as the deploy workflow and `slipway bootstrap` run it. The app is
 * compiled first (tsc -b, incremental), so the test never runs a stale dist/.
 */
describe('the CDK app under the real CDK CLI', () => {
  const project = testProject();
  const arn = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/7';

  beforeAll(() => {
    const tsc = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(REPO_ROOT, 'deploy-pipeline')],
      { encoding: 'utf8' },
    );
    if (tsc.status !== 0) throw new Error(`tsc -b deploy-pipeline failed:\n${tsc.stdout}${tsc.stderr}`);
  }, 120_000);

  it('sets in cdk.json the feature flags the app sets in code, so `cdk` run by hand synthesizes the same', () => {
    const { cwd } = cdkCommand(project);
    const cdkJson = JSON.parse(readFileSync(join(cwd, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    expect(cdkJson.context).toEqual(FEATURE_FLAGS);
  });

  it('reports a ValidationError of the app in one line, without a Node stack around it (exit 1)', () => {
    const { cliPath, cwd } = cdkCommand(project);
    const run = spawnSync(
      process.execPath,
      [
        cliPath,
        'synth',
        '--quiet',
        '--no-notices',
        '--output',
        mkdtempSync(join(tmpdir(), 'slipway-cdk-cli-')),
        '--context',
        'stage=staging',
      ],
      { cwd, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'error: context modelPackageArn is missing, and the staging endpoint stack needs the model package to serve',
    );
    expect(run.stderr).not.toMatch(/^\s+at .*\.js:\d+/m);
  }, 60_000);

  it('synthesizes one stage from cdk.json and the context the deploy logic passes, with no bootstrap', () => {
    const { cliPath, cwd } = cdkCommand(project);
    const out = mkdtempSync(join(tmpdir(), 'slipway-cdk-cli-'));
    const run = spawnSync(
      process.execPath,
      [
        cliPath,
        'synth',
        'slipway-sentiment-endpoint-staging',
        '--quiet',
        '--no-notices',
        '--output',
        out,
        '--context',
        `modelPackageArn=${arn}`,
        '--context',
        'stage=staging',
      ],
      { cwd, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const template = readFileSync(join(out, 'slipway-sentiment-endpoint-staging.template.json'), 'utf8');
    expect(template).toContain(`"ModelPackageName": "${arn}"`);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { properties?: Record<string, unknown> }>;
    };
    const properties = manifest.artifacts['slipway-sentiment-endpoint-staging']?.properties;
    expect(properties).toMatchObject({
      cloudFormationExecutionRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-endpoint-deployer-staging',
    });
    expect(properties?.assumeRoleArn).toBeUndefined();
    expect(properties?.requiresBootstrapStackVersion).toBeUndefined();
  }, 60_000);

  describeWithMoto('cdk deploy through deployStage, against moto', (server) => {
    it("hands CloudFormation the stage stack with the endpoint deployer role, using only the caller's credentials", async () => {
      const moto = server();
      const sagemaker = new SageMakerClient(motoClientConfig(moto));
      const version = await registerVersion(sagemaker, project.modelPackageGroupName, 'Approved');
      const env = {
        AWS_ENDPOINT_URL: moto.url,
        AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
        AWS_REGION: moto.region,
      };
      const log: string[] = [];
      const deployed = deployStage(
        {
          stage: 'staging',
          modelPackageArn: version,
          backend: { kind: 'aws', region: moto.region },
          project,
          log: (line) => log.push(line),
        },
        {
          sagemaker,
          s3: new S3Client({ ...motoClientConfig(moto), forcePathStyle: true }),
          runCdk: spawnCdk(cdkCommand(project).cliPath, env),
          pollSeconds: 0,
        },
      );
      // moto creates SageMaker resources from CloudFormation under generated names, ignoring ModelName, so the
      // endpoint config cannot find its model there; real CloudFormation honours the names. What is checked
      // here is everything up to CloudFormation: the CLI, the app, the context, the role and no bootstrap.
      await expect(deployed).rejects.toThrow(/cdk deploy failed/);
      expect(log.join('\n')).toMatch(/slipway-sentiment-endpoint-staging: creating CloudFormation changeset/);
      expect(log.join('\n')).not.toMatch(/bootstrap/i);
      const cloudformation = new CloudFormationClient(motoClientConfig(moto));
      const stack = (
        await cloudformation.send(new DescribeStacksCommand({ StackName: 'slipway-sentiment-endpoint-staging' }))
      ).Stacks?.[0];
      expect(stack?.RoleARN).toBe('arn:aws:iam::123456789012:role/slipway-sentiment-endpoint-deployer-staging');
    }, 90_000);
  });
});
