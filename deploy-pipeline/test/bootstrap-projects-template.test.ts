import { beforeAll, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { ValidationError } from '@slipway/core';
import {
  CDK_CONTEXT,
  bootstrapProject,
  cdkCommand,
  monitoringStackName,
  portfolioStackName,
  projectTemplatesBucketName,
  publishProjectsTemplate,
  spawnCdk,
  type CdkRunner,
} from '../src/index.js';
import { buildApp } from '../src/cdk/index.js';
import { REPO_ROOT, describeWithMoto, motoClientConfig } from './support/moto-server.js';
import { testProject } from './support/project.js';
import { PROJECT_STACK_OUTPUTS } from './support/project-stack-outputs.js';

const TOKEN = 'github_pat_11AAAAAAA0projectstemplate0123456789';
const STUDIO_ROLE = 'arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-1';

/** The `--context key=value` pairs of a CDK CLI command line. */
function contextOf(args: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  args.forEach((arg, index) => {
    if (arg !== '--context') return;
    const [key, ...value] = args[index + 1]!.split('=');
    context[key!] = value.join('=');
  });
  return context;
}

describeWithMoto(
  'bootstrap --projects-template (S3 and Secrets Manager on moto, the real CDK CLI synthesizing)',
  (moto) => {
    let s3: S3Client;
    let secrets: SecretsManagerClient;
    let synth: CdkRunner;
    beforeAll(() => {
      s3 = new S3Client({ ...motoClientConfig(moto()), forcePathStyle: true });
      secrets = new SecretsManagerClient(motoClientConfig(moto()));
      const tsc = spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(REPO_ROOT, 'deploy-pipeline')],
        { encoding: 'utf8' },
      );
      if (tsc.status !== 0) throw new Error(`tsc -b deploy-pipeline failed:\n${tsc.stdout}${tsc.stderr}`);
      // The app reads the config itself: the test project's, which names a GitHub repository.
      const config = join(mkdtempSync(join(tmpdir(), 'slipway-config-')), 'slipway.config.json');
      const { configPath: _path, rootDir: _root, ...project } = testProject();
      writeFileSync(config, JSON.stringify(project));
      synth = spawnCdk(cdkCommand(testProject()).cliPath, { SLIPWAY_CONFIG: config });
    }, 120_000);

    /**
     * The CDK CLI as bootstrap runs it: `synth` is the real CLI on the real app; `deploy` of the portfolio
     * stack is recorded, and its templates bucket made on moto as CloudFormation would: moto's CloudFormation
     * knows no AWS::ServiceCatalog::* resource, and its Service Catalog neither associates products and
     * principals with a portfolio nor makes launch constraints.
     */
    function cdk(deploys: Record<string, string>[]): CdkRunner {
      return async (args, options) => {
        const context = contextOf(args);
        if (args[0] === 'synth') return synth(args, options);
        expect(args.slice(0, 2)).toEqual(['deploy', portfolioStackName(testProject())]);
        deploys.push(context);
        const bucket = projectTemplatesBucketName(testProject());
        await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: Error) => {
          if (!/BucketAlready/.test(error.name)) throw error;
        });
      };
    }

    it('uploads the synthesized template under a content-hashed key and points the product at it, once', async () => {
      const project = testProject();
      const deploys: Record<string, string>[] = [];
      const log: string[] = [];
      const options = {
        project,
        githubToken: TOKEN,
        studioRoleArns: [STUDIO_ROLE],
        log: (line: string) => log.push(line),
      };
      const first = await publishProjectsTemplate(options, { s3, secrets, runCdk: cdk(deploys) });

      // First the bucket alone (no product yet), then the product on the uploaded template.
      expect(deploys.map((context) => context[CDK_CONTEXT.productTemplateKey])).toEqual([undefined, first.templateKey]);
      expect(deploys[1]).toMatchObject({ projectsTemplate: 'true', studioRoleArns: STUDIO_ROLE });
      expect(first.uploaded).toBe(true);
      expect(first.templateKey).toMatch(/^project-templates\/sentiment-[0-9a-f]{16}\.template\.json$/);
      expect(first.templateUrl).toBe(
        `https://slipway-templates-p-4998j71vgs5g.s3.us-east-1.amazonaws.com/${first.templateKey}`,
      );
      const stored = await s3.send(new GetObjectCommand({ Bucket: first.bucket, Key: first.templateKey }));
      const template = JSON.parse(await stored.Body!.transformToString()) as {
        Parameters: Record<string, unknown>;
        Resources: Record<string, { Type: string }>;
      };
      expect(Object.keys(template.Parameters)).toEqual(
        expect.arrayContaining(['SageMakerProjectName', 'SageMakerProjectId', 'GitHubRepository']),
      );
      expect(Object.values(template.Resources).map((resource) => resource.Type)).toContain(
        'AWS::SageMaker::ModelPackageGroup',
      );
      expect(log.join('\n')).not.toContain(TOKEN.slice(12));

      // The same config again: nothing uploaded, the same key, the bucket step skipped.
      const again = await publishProjectsTemplate(options, { s3, secrets, runCdk: cdk(deploys) });
      expect(again.templateKey).toBe(first.templateKey);
      expect(again.uploaded).toBe(false);
      expect(deploys).toHaveLength(3);
      expect(log.at(-1)).toMatch(/already published: unchanged/);

      // Another launch role changes the portfolio, not the template; another branch changes the template.
      const branch = await publishProjectsTemplate(
        { ...options, defaultBranch: 'trunk' },
        { s3, secrets, runCdk: cdk(deploys) },
      );
      expect(branch.uploaded).toBe(true);
      expect(branch.templateKey).not.toBe(first.templateKey);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: first.bucket }));
      expect(listed.Contents?.map((object) => object.Key).sort()).toEqual(
        [first.templateKey, branch.templateKey].sort(),
      );
    }, 300_000);
  },
);

describeWithMoto('bootstrap with monitoring (Secrets Manager on moto, the CDK CLI faked)', (moto) => {
  it('deploys the MonitoringStack after the project stack when the config asks for monitoring, every run alike', async () => {
    const secrets = new SecretsManagerClient(motoClientConfig(moto()));
    const cloudformation = new CloudFormationClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const outputs = PROJECT_STACK_OUTPUTS;
    mockClient(cloudformation)
      .on(DescribeStacksCommand)
      .resolves({
        Stacks: [
          {
            StackName: 'slipway-sentiment-project',
            CreationTime: new Date(),
            StackStatus: 'UPDATE_COMPLETE',
            Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      });
    const runs: (readonly string[])[] = [];
    const runCdk: CdkRunner = async (args) => void runs.push(args);
    const monitored = testProject({ monitoring: true });
    const first = await bootstrapProject(
      { project: monitored, githubToken: TOKEN },
      { secrets, cloudformation, runCdk },
    );
    await bootstrapProject({ project: monitored, githubToken: TOKEN }, { secrets, cloudformation, runCdk });
    await bootstrapProject({ project: testProject(), githubToken: TOKEN }, { secrets, cloudformation, runCdk });
    expect(first.monitoringStackName).toBe('slipway-sentiment-monitoring');
    expect(runs.map((args) => args.slice(0, 3))).toEqual([
      ['deploy', 'slipway-sentiment-project', 'slipway-sentiment-monitoring'],
      ['deploy', 'slipway-sentiment-project', 'slipway-sentiment-monitoring'],
      ['deploy', 'slipway-sentiment-project', '--exclusively'],
    ]);
    expect(runs[0]).toContain('--exclusively');
    // The names bootstrap deploys are the stacks the app synthesizes.
    const app = buildApp({
      project: monitored,
      appProps: { outdir: mkdtempSync(join(tmpdir(), 'slipway-cdk-')) },
      nag: false,
    });
    expect([app.projectStack?.stackName, app.monitoringStack?.stackName]).toEqual([
      'slipway-sentiment-project',
      monitoringStackName(monitored),
    ]);
  });
});

describeWithMoto('bootstrap of a project created in Studio (CloudFormation and Secrets Manager on moto)', (moto) => {
  it('deploys nothing, and reads the variables from the stack Service Catalog provisioned for the Studio project', async () => {
    const cloudformation = new CloudFormationClient(motoClientConfig(moto()));
    const secrets = new SecretsManagerClient(motoClientConfig(moto()));
    const studio = { projectName: 'reviews-studio', projectId: 'p-studio000042' };
    const outputs = PROJECT_STACK_OUTPUTS;
    for (const [name, projectId] of [
      ['SC-123456789012-pp-otherproject', 'p-someoneelse0'],
      ['SC-123456789012-pp-thisproject1', studio.projectId],
    ] as const)
      await cloudformation.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: JSON.stringify({
            Parameters: { SageMakerProjectName: { Type: 'String' }, SageMakerProjectId: { Type: 'String' } },
            Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
            Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
          }),
          Parameters: [
            { ParameterKey: 'SageMakerProjectName', ParameterValue: studio.projectName },
            { ParameterKey: 'SageMakerProjectId', ParameterValue: projectId },
          ],
        }),
      );
    const runCdk: CdkRunner = async (args) => {
      throw new Error(`nothing is deployed for a Studio project, got cdk ${args.join(' ')}`);
    };
    const result = await bootstrapProject(
      { project: testProject({ sagemakerProject: studio, monitoring: true }), githubToken: TOKEN },
      { secrets, cloudformation, runCdk },
    );
    expect(result.stackName).toBe('SC-123456789012-pp-thisproject1');
    expect(result.monitoringStackName).toBeUndefined();
    expect(result.repositoryVariables.SLIPWAY_BUILD_ROLE_ARN).toBe(outputs.BuildRoleArn);

    await expect(
      bootstrapProject(
        { project: testProject({ sagemakerProject: { ...studio, projectId: 'p-notcreated01' } }), githubToken: TOKEN },
        { secrets, cloudformation, runCdk },
      ),
    ).rejects.toThrow(ValidationError);
  });
});
