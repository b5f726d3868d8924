import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, DeleteBucketTaggingCommand, PutBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  CreatePipelineCommand,
  DeletePipelineCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ProjectConfig } from '@slipway/core';
import {
  WORKFLOW_FILES,
  applyGitHubRepository,
  approvalRuleName,
  awsDoctorClients,
  approvalRuleNamePrefix,
  createGitHubClient,
  githubDeployRoleName,
  githubEnvironmentName,
  githubOidcSubject,
  githubTokenSecretName,
  projectStackName,
  repositoryVariables,
  roleNames,
  runProjectDoctor,
  stageOutputId,
  type DoctorCheck,
} from '@slipway/deploy-pipeline';
import { describeWithMoto, motoClientConfig } from '../../deploy-pipeline/test/support/moto-server.js';
import { FakeGitHub } from '../../test/support/fake-github.js';
import { runCli } from './support.js';

const TOKEN = 'github_pat_11AAAAAAA0doctordoctordoctordoctor01';
const ACCOUNT = '123456789012';

interface Provisioned {
  readonly project: ProjectConfig;
  readonly dir: string;
  readonly queueUrl: string;
}

describeWithMoto('slipway doctor, against moto and the fake GitHub', (moto) => {
  const github = new FakeGitHub();
  let count = 0;
  const config = () => motoClientConfig(moto());
  const env = () => ({
    AWS_ENDPOINT_URL: moto().url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    SLIPWAY_GITHUB_SETUP_TOKEN: TOKEN,
    GITHUB_API_URL: github.url,
  });

  beforeAll(async () => {
    await github.start();
    github.tokens.add(TOKEN);
    github.users.set('alice', 101);
    await new IAMClient(config()).send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com'],
        ThumbprintList: ['a'.repeat(40)],
      }),
    );
  });
  afterAll(() => github.stop());

  /** What bootstrap and a first approval leave behind, for a project of its own. */
  async function provision(): Promise<Provisioned> {
    count += 1;
    const projectName = `doc${count}`;
    const projectId = `p-doctor${String(count).padStart(6, '0')}`;
    const project: ProjectConfig = {
      projectName,
      projectId,
      region: 'us-east-1',
      pipelineName: `${projectName}-pipeline`,
      modelPackageGroupName: `${projectName}-models`,
      artifactBucket: `slipway-${projectName}-${projectId}`,
      githubRepository: `acme/${projectName}`,
      stages: ['staging', 'prod'],
    };
    const dir = mkdtempSync(join(tmpdir(), 'slipway-doctor-'));
    writeFileSync(join(dir, 'slipway.config.json'), JSON.stringify(project));

    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: project.artifactBucket }));
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: project.artifactBucket,
        Tagging: { TagSet: [{ Key: 'sagemaker:project-id', Value: projectId }] },
      }),
    );
    const iam = new IAMClient(config());
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const roleArns: Record<string, string> = {};
    const roles = [
      { name: roleNames(project).githubBuild, context: { ref: 'refs/heads/main' }, workflow: WORKFLOW_FILES.build },
      ...project.stages.map((stage) => ({
        name: githubDeployRoleName(project, stage),
        context: { environment: githubEnvironmentName(stage) },
        workflow: WORKFLOW_FILES.deploy,
      })),
    ];
    for (const role of roles) {
      const created = await iam.send(
        new CreateRoleCommand({ RoleName: role.name, AssumeRolePolicyDocument: trust(provider, project, role) }),
      );
      roleArns[role.name] = created.Role!.Arn!;
    }
    await new SecretsManagerClient(config()).send(
      new CreateSecretCommand({ Name: githubTokenSecretName(project), SecretString: '{"authorization":"Bearer x"}' }),
    );
    const queueUrl = (await new SQSClient(config()).send(new CreateQueueCommand({ QueueName: `${projectName}-dlq` })))
      .QueueUrl!;

    const events = new EventBridgeClient(config());
    const connection = await events.send(
      new CreateConnectionCommand({
        Name: `${projectName}-github`,
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'Authorization', ApiKeyValue: 'Bearer x' } },
      }),
    );
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: `${projectName}-dispatch`,
        ConnectionArn: connection.ConnectionArn!,
        InvocationEndpoint: `https://api.github.com/repos/${project.githubRepository}/dispatches`,
        HttpMethod: 'POST',
      }),
    );
    const rule = approvalRuleName(approvalRuleNamePrefix(project), 'Approved');
    await events.send(new PutRuleCommand({ Name: rule, EventPattern: '{"source":["aws.sagemaker"]}' }));
    await events.send(
      new PutTargetsCommand({
        Rule: rule,
        Targets: [{ Id: 'github', Arn: destination.ApiDestinationArn!, RoleArn: roleArns[roles[0]!.name] }],
      }),
    );

    const outputs: Record<string, string> = {
      ArtifactBucketName: project.artifactBucket,
      SageMakerExecutionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleNames(project).sagemakerExecution}`,
      SageMakerTrainingRoleArn: `arn:aws:iam::${ACCOUNT}:role/${roleNames(project).sagemakerTraining}`,
      BuildRoleArn: roleArns[roleNames(project).githubBuild]!,
      ApprovalDeadLetterQueueUrl: queueUrl,
      ...Object.fromEntries(
        project.stages.map((stage) => [
          stageOutputId(stage, 'DeployRoleArn'),
          roleArns[githubDeployRoleName(project, stage)]!,
        ]),
      ),
    };
    await new CloudFormationClient(config()).send(
      new CreateStackCommand({
        StackName: projectStackName(project),
        TemplateBody: JSON.stringify({
          Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
          Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
        }),
      }),
    );

    const sagemaker = new SageMakerClient(config());
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: project.modelPackageGroupName }));
    await sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: project.pipelineName,
        PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Steps: [] }),
        RoleArn: outputs.SageMakerExecutionRoleArn,
      }),
    );
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: project.modelPackageGroupName,
        ModelApprovalStatus: 'Approved',
        InferenceSpecification: {
          Containers: [{ Image: '123.dkr.ecr.us-east-1.amazonaws.com/x:1', ModelDataUrl: 's3://b/model.tar.gz' }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
      }),
    );

    const repository = github.addRepository(project.githubRepository!);
    await applyGitHubRepository(createGitHubClient(TOKEN, { GITHUB_API_URL: github.url }), {
      repository: project.githubRepository!,
      stages: project.stages,
      defaultBranch: 'main',
      variables: repositoryVariables(outputs, project),
      reviewers: ['alice'],
    });
    repository.workflowRuns.set('deploy.yml', [
      {
        id: 1,
        run_number: 1,
        event: 'repository_dispatch',
        display_title: 'Deploy v1',
        status: 'completed',
        conclusion: 'success',
        created_at: new Date(Date.now() + 60_000).toISOString(),
      },
    ]);
    return { project, dir, queueUrl };
  }

  function trust(
    provider: string,
    project: ProjectConfig,
    role: { context: { ref: string } | { environment: string }; workflow: string },
    branch = 'main',
  ): string {
    const sub = githubOidcSubject({
      repository: project.githubRepository!,
      context: role.context,
      workflowFile: role.workflow,
      branch,
    });
    return JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: provider },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
              'token.actions.githubusercontent.com:sub': sub,
            },
          },
        },
      ],
    });
  }

  async function doctor(
    dir: string,
    extraEnv: Record<string, string> = {},
  ): Promise<{ code: number; checks: DoctorCheck[]; stdout: string }> {
    const result = await runCli(['doctor', '--json'], { cwd: dir, env: { ...env(), ...extraEnv } });
    return {
      code: result.code,
      checks: (JSON.parse(result.stdout) as { checks: DoctorCheck[] }).checks,
      stdout: result.stdout,
    };
  }
  const failures = (checks: DoctorCheck[]) =>
    checks
      .filter((check) => !check.ok && !check.skipped)
      .map((check) => `${check.name}: ${check.detail} → ${check.fix}`);

  it('passes every check of a project set up as bootstrap leaves it, and prints one line per check', async () => {
    const { dir } = await provision();
    const result = await doctor(dir);
    expect(failures(result.checks)).toEqual([]);
    expect(result.checks.filter((check) => check.skipped)).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining([
        'credentials and region',
        'project stack',
        'GitHub OIDC provider',
        'role slipway-doc1-github-build',
        'role slipway-doc1-github-deploy-prod',
        'GitHub token secret',
        'approval route connection',
        'dead-letter queue',
        'pipeline',
        'model package group',
        'artifact bucket',
        'variable SLIPWAY_BUILD_ROLE_ARN',
        'environment "production": required reviewers',
        'environment "staging": branch policy',
        'last approval delivered',
      ]),
    );
    const human = await runCli(['doctor'], { cwd: dir, env: env() });
    expect(human.stdout).toMatch(/✓ artifact bucket: slipway-doc1-p-doctor000001, tagged p-doctor000001/);
    expect(human.stdout).toMatch(/\d+ ok, 0 to fix/);
  });

  it('names each broken part and its fix, and exits 1', async () => {
    const { project, dir, queueUrl } = await provision();
    const iam = new IAMClient(config());
    const buildRole = roleNames(project).githubBuild;
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: buildRole,
        PolicyDocument: trust(
          `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
          project,
          { context: { ref: 'refs/heads/master' }, workflow: WORKFLOW_FILES.build },
          'master',
        ),
      }),
    );
    await new SecretsManagerClient(config()).send(
      new DeleteSecretCommand({ SecretId: githubTokenSecretName(project), ForceDeleteWithoutRecovery: true }),
    );
    await new SQSClient(config()).send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{}',
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: 'SDK_CLIENT_ERROR' },
          ERROR_MESSAGE: {
            DataType: 'String',
            StringValue: 'Unable to invoke ApiDestination endpoint: 401 Bad credentials',
          },
        },
      }),
    );
    await new SageMakerClient(config()).send(
      new DeletePipelineCommand({ PipelineName: project.pipelineName, ClientRequestToken: 'x'.repeat(32) }),
    );
    await new S3Client({ ...config(), forcePathStyle: true }).send(
      new PutBucketTaggingCommand({
        Bucket: project.artifactBucket,
        Tagging: { TagSet: [{ Key: 'sagemaker:project-id', Value: 'p-someoneelse0' }] },
      }),
    );
    const repository = github.repositories.get(project.githubRepository!)!;
    repository.variables.set('SLIPWAY_BUILD_ROLE_ARN', { value: 'arn:aws:iam::1:role/old', updatedAt: '' });
    repository.environments.get('production')!.reviewers = [];
    repository.workflowRuns.get('deploy.yml')![0]!.created_at = '2020-01-01T00:00:00Z';

    const result = await doctor(dir);
    expect(result.code).toBe(1);
    expect(failures(result.checks)).toEqual([
      expect.stringMatching(
        /^role slipway-doc2-github-build: trusts repo:acme\/doc2:ref:refs\/heads\/master:.* not repo:acme\/doc2:ref:refs\/heads\/main:job_workflow_ref:acme\/doc2\/\.github\/workflows\/build\.yml@refs\/heads\/main → run `npx slipway bootstrap`/,
      ),
      expect.stringMatching(
        /^GitHub token secret: slipway\/doc2\/github-dispatch-token does not exist → run `npx slipway bootstrap` with SLIPWAY_GITHUB_TOKEN/,
      ),
      expect.stringMatching(
        /^dead-letter queue: 1 approval event\(s\) never reached GitHub: SDK_CLIENT_ERROR Unable to invoke ApiDestination endpoint: 401 Bad credentials → .*rotate/,
      ),
      expect.stringMatching(/^pipeline: doc2-pipeline does not exist → push to the default branch/),
      expect.stringMatching(
        /^artifact bucket: .* tagged sagemaker:project-id=p-someoneelse0, not p-doctor000002: it is not this project's/,
      ),
      expect.stringMatching(
        /^variable SLIPWAY_BUILD_ROLE_ARN: is arn:aws:iam::1:role\/old, not arn:aws:iam::123456789012:role\/slipway-doc2-github-build → set it to/,
      ),
      expect.stringMatching(
        /^environment "production": required reviewers: has no required reviewers.*pass --reviewers/,
      ),
      expect.stringMatching(
        /^last approval delivered: version 1 was approved after the last dispatched run \(#1, 2020-01-01T00:00:00Z\) → check the dead-letter queue/,
      ),
    ]);
    const human = await runCli(['doctor'], { cwd: dir, env: env() });
    expect(human.stdout).toMatch(/✗ pipeline: doc2-pipeline does not exist\n {6}fix: push to the default branch/);
    expect(human.stdout).toMatch(/\d+ ok, 8 to fix/);
  });

  it('names the fix for a missing OIDC provider, a stack without its outputs, roles that trust another repository, environment or workflow, a missing model package group and an untagged bucket', async () => {
    const { project, dir } = await provision();
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const iam = new IAMClient(config());
    const cloudformation = new CloudFormationClient(config());
    const stackName = projectStackName(project);
    const stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks![0]!;
    await cloudformation.send(new DeleteStackCommand({ StackName: stackName }));
    const kept = (stack.Outputs ?? []).filter((output) => output.OutputKey !== 'BuildRoleArn');
    await cloudformation.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify({
          Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
          Outputs: Object.fromEntries(kept.map((output) => [output.OutputKey, { Value: output.OutputValue }])),
        }),
      }),
    );
    const retrust = (roleName: string, role: Parameters<typeof trust>[2], repository = project.githubRepository!) =>
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: roleName,
          PolicyDocument: trust(provider, { ...project, githubRepository: repository }, role),
        }),
      );
    await retrust(
      roleNames(project).githubBuild,
      { context: { ref: 'refs/heads/main' }, workflow: WORKFLOW_FILES.build },
      'acme/someone-elses',
    );
    await retrust(githubDeployRoleName(project, 'staging'), {
      context: { environment: 'production' },
      workflow: WORKFLOW_FILES.deploy,
    });
    await retrust(githubDeployRoleName(project, 'prod'), {
      context: { environment: 'production' },
      workflow: WORKFLOW_FILES.build,
    });
    // moto has no DeleteModelPackageGroup: the config names a group that was never created instead.
    writeFileSync(
      join(dir, 'slipway.config.json'),
      JSON.stringify({ ...project, modelPackageGroupName: `${project.projectName}-gone` }),
    );
    await new S3Client({ ...config(), forcePathStyle: true }).send(
      new DeleteBucketTaggingCommand({ Bucket: project.artifactBucket }),
    );
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider }));
    let result: Awaited<ReturnType<typeof doctor>>;
    try {
      result = await doctor(dir);
    } finally {
      await iam.send(
        new CreateOpenIDConnectProviderCommand({
          Url: 'https://token.actions.githubusercontent.com',
          ClientIDList: ['sts.amazonaws.com'],
          ThumbprintList: ['a'.repeat(40)],
        }),
      );
    }
    const name = project.projectName;
    expect(result.code).toBe(1);
    expect(failures(result.checks)).toEqual([
      `project stack: ${stackName} lacks the outputs BuildRoleArn → run \`npx slipway bootstrap\``,
      'GitHub OIDC provider: the account has no provider for token.actions.githubusercontent.com → run `npx slipway bootstrap`',
      expect.stringMatching(
        new RegExp(
          `^role slipway-${name}-github-build: trusts repo:acme/someone-elses:ref:refs/heads/main:.*, not repo:acme/${name}:ref:refs/heads/main:.* → run \`npx slipway bootstrap\``,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^role slipway-${name}-github-deploy-staging: trusts repo:acme/${name}:environment:production:.*, not repo:acme/${name}:environment:staging:.* → run \`npx slipway bootstrap\``,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^role slipway-${name}-github-deploy-prod: trusts .*workflows/build\\.yml@refs/heads/main, not .*workflows/deploy\\.yml@refs/heads/main → run \`npx slipway bootstrap\``,
        ),
      ),
      `model package group: ${name}-gone does not exist → run \`npx slipway bootstrap\``,
      expect.stringMatching(
        new RegExp(
          `^artifact bucket: ${project.artifactBucket} is tagged sagemaker:project-id=\\(none\\), not ${project.projectId}: it is not this project's → choose another artifactBucket`,
        ),
      ),
    ]);
    // With the build role's output gone there is nothing to compare the variables with: said, not passed.
    expect(result.checks.find((check) => check.name === 'repository variables')).toMatchObject({ skipped: true });
    for (const check of result.checks.filter((check) => !check.ok && !check.skipped))
      expect(check.fix?.length).toBeGreaterThan(10);
  });

  it("finds a Studio project's stack, which Service Catalog named, by its SageMakerProjectId parameter", async () => {
    const { project, dir } = await provision();
    const cloudformation = new CloudFormationClient(config());
    const stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: projectStackName(project) })))
      .Stacks![0]!;
    await cloudformation.send(new DeleteStackCommand({ StackName: projectStackName(project) }));
    const studio = { projectName: `studio-${project.projectName}`, projectId: 'p-studio000001' };
    const provisioned = 'SC-123456789012-pp-abcdefghijklm';
    await cloudformation.send(
      new CreateStackCommand({
        StackName: provisioned,
        TemplateBody: JSON.stringify({
          Parameters: { SageMakerProjectName: { Type: 'String' }, SageMakerProjectId: { Type: 'String' } },
          Resources: { Topic: { Type: 'AWS::SNS::Topic' } },
          Outputs: Object.fromEntries(
            (stack.Outputs ?? []).map((output) => [output.OutputKey, { Value: output.OutputValue }]),
          ),
        }),
        Parameters: [
          { ParameterKey: 'SageMakerProjectName', ParameterValue: studio.projectName },
          { ParameterKey: 'SageMakerProjectId', ParameterValue: studio.projectId },
        ],
      }),
    );
    await new S3Client({ ...config(), forcePathStyle: true }).send(
      new PutBucketTaggingCommand({
        Bucket: project.artifactBucket,
        Tagging: { TagSet: [{ Key: 'sagemaker:project-id', Value: studio.projectId }] },
      }),
    );
    writeFileSync(join(dir, 'slipway.config.json'), JSON.stringify({ ...project, sagemakerProject: studio }));
    const result = await doctor(dir);
    expect(failures(result.checks)).toEqual([]);
    expect(result.checks.find((check) => check.name === 'project stack')?.detail).toMatch(
      new RegExp(
        `^${provisioned} \\(the stack of SageMaker project studio-doc\\d+ \\(p-studio000001\\)\\) CREATE_COMPLETE`,
      ),
    );

    // Another Studio project id: no stack, and the fix says where one comes from.
    writeFileSync(
      join(dir, 'slipway.config.json'),
      JSON.stringify({ ...project, sagemakerProject: { ...studio, projectId: 'p-nosuchproj01' } }),
    );
    const missing = await doctor(dir);
    expect(failures(missing.checks)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^project stack: the stack of SageMaker project studio-doc\d+ \(p-nosuchproj01\) does not exist in us-east-1 → create the project in SageMaker Studio from the Slipway template/,
        ),
      ]),
    );
  });

  it("reports a project stack that failed (moto cannot leave a stack in ROLLBACK_COMPLETE: CloudFormation's answer is mocked)", async () => {
    const { project } = await provision();
    const clients = awsDoctorClients({ ...config() });
    const cloudformation = {
      send: () =>
        Promise.resolve({
          Stacks: [
            {
              StackName: projectStackName(project),
              StackStatus: 'ROLLBACK_COMPLETE',
              StackStatusReason: 'The following resource(s) failed to create: [GitHub4508AE39].',
            },
          ],
        }),
    } as unknown as CloudFormationClient;
    const checks = await runProjectDoctor({ project, clients: { ...clients, cloudformation } });
    expect(failures(checks)).toEqual([
      `project stack: ${projectStackName(project)} is ROLLBACK_COMPLETE: The following resource(s) failed to create: [GitHub4508AE39]. → run \`npx slipway bootstrap\``,
    ]);
    // Its outputs are gone with it: the dead-letter queue cannot be found, and says so.
    expect(checks.find((check) => check.name === 'dead-letter queue')).toMatchObject({ skipped: true });
  });

  it("reports a Connection GitHub no longer accepts (moto has no DeauthorizeConnection: EventBridge's answer is mocked)", async () => {
    const { project } = await provision();
    const clients = awsDoctorClients({ ...config() });
    // moto's EventBridge for everything but the Connection's state, which it cannot make DEAUTHORIZED.
    const events = {
      send: (command: unknown) =>
        command instanceof DescribeConnectionCommand
          ? Promise.resolve({
              ConnectionState: 'DEAUTHORIZED',
              StateReason: 'Authorization failed: 401 Bad credentials',
            })
          : clients.events.send(command as PutRuleCommand),
    } as unknown as EventBridgeClient;
    const checks = await runProjectDoctor({ project, clients: { ...clients, events } });
    expect(failures(checks)).toEqual([
      expect.stringMatching(
        /^approval route connection: doc\d+-github is DEAUTHORIZED: Authorization failed: 401 Bad credentials → check the token .*rotate it: SLIPWAY_GITHUB_TOKEN=… npx slipway bootstrap/,
      ),
    ]);
  });

  it('says what it could not check: no stack, no credentials, no GitHub token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-doctor-'));
    writeFileSync(
      join(dir, 'slipway.config.json'),
      JSON.stringify({
        projectName: 'nothing',
        projectId: 'p-nothing00000',
        region: 'us-east-1',
        pipelineName: 'nothing-pipeline',
        modelPackageGroupName: 'nothing-models',
        artifactBucket: 'slipway-nothing-p-nothing00000',
        githubRepository: 'acme/nothing',
        stages: ['staging', 'prod'],
        template: true,
      }),
    );
    const bare = await doctor(dir, { SLIPWAY_GITHUB_SETUP_TOKEN: '' });
    expect(failures(bare.checks)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^project id: slipway.config.json is the template's .* → run `npx slipway init --github OWNER\/REPO`/,
        ),
        'project stack: slipway-nothing-project does not exist in us-east-1 → run `npx slipway bootstrap`',
        'artifact bucket: slipway-nothing-p-nothing00000 does not exist → run `npx slipway bootstrap`',
      ]),
    );
    expect(bare.checks.filter((check) => check.skipped).map((check) => check.name)).toEqual([
      'dead-letter queue',
      'the GitHub checks',
    ]);
    const offline = await doctor(dir, { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', SLIPWAY_GITHUB_SETUP_TOKEN: '' });
    expect(failures(offline.checks)).toEqual([
      expect.stringMatching(/^project id/),
      expect.stringMatching(/^credentials and region: .* → configure AWS credentials/),
    ]);
    expect(offline.checks.filter((check) => check.skipped).map((check) => check.name)).toEqual([
      'the AWS checks',
      'the GitHub checks',
    ]);
    expect(github.violations).toEqual([]);
  });
});
