import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { ValidationError } from '@slipway/core';
import {
  approvalRoutes,
  dispatchTransformer,
  DISPATCH_EVENT_TYPES,
  modelPackageApprovalPattern,
} from '../src/index.js';
import { REPOSITORY_VARIABLES } from '../src/index.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { UNTAGGABLE, readViolations, synthesize, type Resource } from './support/cdk.js';

const STACK = 'slipway-sentiment-project';
const REPO = 'octo-org/sentiment-reviews';

function resources(
  template: ReturnType<ReturnType<typeof synthesize>['template']>,
  type: string,
): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function statements(document: unknown): Record<string, unknown>[] {
  return (document as { Statement: Record<string, unknown>[] }).Statement;
}

type Template = ReturnType<ReturnType<typeof synthesize>['template']>;

function roleEntry(template: Template, roleName: string): [string, Resource] | undefined {
  return Object.entries(resources(template, 'AWS::IAM::Role')).find(
    ([, role]) => role.Properties?.RoleName === roleName,
  );
}

function roleNamed(template: Template, roleName: string): Resource | undefined {
  return roleEntry(template, roleName)?.[1];
}

/** The conditions of a role's one trust statement. */
function trustOf(template: Template, roleName: string): Record<string, unknown> {
  const trust = statements(roleNamed(template, roleName)?.Properties?.AssumeRolePolicyDocument);
  expect(trust).toHaveLength(1);
  expect(Object.keys(trust[0]?.Condition as object)).toEqual(['StringEquals']);
  return (trust[0]?.Condition as { StringEquals: Record<string, unknown> }).StringEquals;
}

/** Every statement of the policies attached to a role, with CloudFormation references written as cdk-nag does. */
function policyOf(template: Template, roleName: string): Record<string, unknown>[] {
  const logicalId = roleEntry(template, roleName)?.[0];
  const text = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (_key, node: unknown) => {
        const record = node as Record<string, unknown> | null;
        if (record && typeof record === 'object' && Array.isArray(record['Fn::Join'])) {
          const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
          return items
            .map((item) => (typeof item === 'string' ? item : JSON.stringify(text(item)).replace(/"/g, '')))
            .join(delimiter);
        }
        if (record && typeof record === 'object' && typeof record.Ref === 'string') return `\${${record.Ref}}`;
        if (record && typeof record === 'object' && typeof record['Fn::Sub'] === 'string') return record['Fn::Sub'];
        if (record && typeof record === 'object' && Array.isArray(record['Fn::GetAtt'])) {
          const [resource, attribute] = record['Fn::GetAtt'] as [string, string];
          return `<${resource.replace(/[A-F0-9]{8}$/, '')}.${attribute}>`;
        }
        return node;
      }),
    );
  const managed = ((roleEntry(template, roleName)?.[1].Properties?.ManagedPolicyArns ?? []) as { Ref?: string }[]).map(
    (reference) => reference.Ref,
  );
  const inline = Object.values(resources(template, 'AWS::IAM::Policy')).filter(
    (policy) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: logicalId }]),
  );
  const shared = Object.entries(resources(template, 'AWS::IAM::ManagedPolicy'))
    .filter(([id]) => managed.includes(id))
    .map(([, policy]) => policy);
  return [...inline, ...shared].flatMap((policy) => statements(text(policy.Properties?.PolicyDocument)));
}

/** The resources of the statements that allow `action`. */
function resourcesFor(policy: Record<string, unknown>[], action: string): string[] {
  return policy
    .filter((statement) => [statement.Action].flat().includes(action))
    .flatMap((statement) => [statement.Resource].flat() as string[]);
}

describe('ProjectStack', () => {
  it('would report an unacknowledged finding: the cdk-nag harness is live', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'nag-control-'));
    const app = new App({ outdir });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new Bucket(new Stack(app, 'Control'), 'Plain');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
    expect(readViolations(outdir)).toEqual(
      expect.arrayContaining([expect.stringMatching(/AwsSolutions-S1 .*Control\/Plain/)]),
    );
  });

  it('passes cdk-nag AwsSolutions and CDK validation with zero unacknowledged findings', () => {
    const { violations } = synthesize();
    expect(violations).toEqual([]);
  });

  it('encrypts the artifact bucket with the rotating project key, TLS only, private, versioned, logged, with lifecycle rules', () => {
    const template = synthesize().template(STACK);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'slipway-sentiment-p-4998j71vgs5g',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
            BucketKeyEnabled: true,
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'artifact-bucket/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'abort-incomplete-uploads',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          }),
          Match.objectLike({ Id: 'expire-noncurrent-versions', NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
          Match.objectLike({ Id: 'expire-captured-data', Prefix: 'data-capture/', ExpirationInDays: 365 }),
        ]),
      },
    });
    const policies = Object.values(resources(template, 'AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(statements(policy.Properties?.PolicyDocument)).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('scopes the SageMaker execution role to the project bucket, key, group and pipeline jobs', () => {
    const template = synthesize().template(STACK);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'slipway-sentiment-sagemaker-execution',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })],
      },
    });
    const policy = JSON.stringify(
      Object.values(resources(template, 'AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p).includes('SageMakerExecutionRole'),
      ),
    );
    expect(policy).toContain('model-package/sentiment-models/*');
    expect(policy).toContain('processing-job/pipelines-*');
    expect(policy).toMatch(/"iam:PassRole".*"iam:PassedToService":"sagemaker.amazonaws.com"/);
    expect(policy).not.toMatch(/"Action":"(s3|sagemaker|kms):\*"/);
  });

  it('creates the GitHub OIDC provider; each role trusts one exact subject: repository, context, workflow file on main', () => {
    const template = synthesize().template(STACK);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    const workflow = (file: string) => `job_workflow_ref:${REPO}/.github/workflows/${file}@refs/heads/main`;
    expect(trustOf(template, 'slipway-sentiment-github-build')).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': `repo:${REPO}:ref:refs/heads/main:${workflow('build.yml')}`,
    });
    expect(trustOf(template, 'slipway-sentiment-github-deploy-staging')).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': `repo:${REPO}:environment:staging:${workflow('deploy.yml')}`,
    });
    expect(trustOf(template, 'slipway-sentiment-github-deploy-prod')).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': `repo:${REPO}:environment:production:${workflow('deploy.yml')}`,
    });
    // The one old role that trusted both environments is gone.
    expect(roleNamed(template, 'slipway-sentiment-github-deploy')).toBeUndefined();
  });

  it('reuses an existing OIDC provider given as context, and trusts the default branch it is told', () => {
    const existing = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const template = synthesize({ githubOidcProviderArn: existing, defaultBranch: 'trunk' }).template(STACK);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'slipway-sentiment-github-build',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Federated: existing } })] },
    });
    expect(trustOf(template, 'slipway-sentiment-github-build')['token.actions.githubusercontent.com:sub']).toBe(
      `repo:${REPO}:ref:refs/heads/trunk:job_workflow_ref:${REPO}/.github/workflows/build.yml@refs/heads/trunk`,
    );
    expect(trustOf(template, 'slipway-sentiment-github-deploy-prod')['token.actions.githubusercontent.com:sub']).toBe(
      `repo:${REPO}:environment:production:job_workflow_ref:${REPO}/.github/workflows/deploy.yml@refs/heads/trunk`,
    );
  });

  it('sizes the OIDC sessions to the jobs: 3 h for the build (it follows a pipeline up to 170 min), 2 h per stage', () => {
    const template = synthesize().template(STACK);
    expect(roleNamed(template, 'slipway-sentiment-github-build')?.Properties?.MaxSessionDuration).toBe(10_800);
    for (const stage of ['staging', 'prod'])
      expect(roleNamed(template, `slipway-sentiment-github-deploy-${stage}`)?.Properties?.MaxSessionDuration).toBe(
        7_200,
      );
  });

  it('makes one deploy role and one CloudFormation role per stage of the project config', () => {
    const template = synthesize({}, { stages: ['dev', 'staging', 'prod'] }).template(STACK);
    for (const stage of ['dev', 'staging', 'prod']) {
      expect(roleNamed(template, `slipway-sentiment-github-deploy-${stage}`)).toBeDefined();
      expect(roleNamed(template, `slipway-sentiment-endpoint-deployer-${stage}`)).toBeDefined();
    }
    expect(trustOf(template, 'slipway-sentiment-github-deploy-dev')['token.actions.githubusercontent.com:sub']).toMatch(
      /:environment:dev:job_workflow_ref:/,
    );
  });

  it('lets the build role upload, upsert and run the pipeline, and pass only the execution role', () => {
    const template = synthesize().template(STACK);
    const policy = JSON.stringify(
      Object.values(resources(template, 'AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes('GitHubBuildRole')),
    );
    for (const action of [
      's3:PutObject',
      'sagemaker:CreatePipeline',
      'sagemaker:UpdatePipeline',
      'sagemaker:StartPipelineExecution',
      'sagemaker:DescribePipelineExecution',
    ]) {
      expect(policy).toContain(action);
    }
    expect(policy).toContain('pipeline/sentiment-pipeline');
    expect(policy).toMatch(/"iam:PassRole".*"iam:PassedToService":"sagemaker.amazonaws.com".*SageMakerExecutionRole/);
    expect(policy).not.toContain('cloudformation:');
  });

  it("limits each stage's deploy role to its own stack, endpoint and CloudFormation role", () => {
    const template = synthesize().template(STACK);
    const staging = policyOf(template, 'slipway-sentiment-github-deploy-staging');
    const prod = policyOf(template, 'slipway-sentiment-github-deploy-prod');
    const account = '${AWS::AccountId}';
    for (const [policy, own, other] of [
      [staging, 'staging', 'prod'],
      [prod, 'prod', 'staging'],
    ] as const) {
      expect(resourcesFor(policy, 'cloudformation:ExecuteChangeSet')).toEqual([
        `arn:aws:cloudformation:us-east-1:${account}:stack/slipway-sentiment-endpoint-${own}/*`,
      ]);
      expect(resourcesFor(policy, 'iam:PassRole')).toEqual([`<EndpointDeployerRole${own}.Arn>`]);
      expect(resourcesFor(policy, 'sagemaker:InvokeEndpoint')).toEqual([
        `arn:aws:sagemaker:us-east-1:${account}:endpoint/sentiment-${own}`,
      ]);
      // Nothing of the project's other stage may be changed, and no name pattern reaches past the stage.
      const changes = policy.filter((statement) => !/^sagemaker:(Describe|List)/.test(String(statement.Action)));
      expect(JSON.stringify(changes)).not.toContain(`-${other}`);
      expect(JSON.stringify(policy)).not.toMatch(/sentiment-\*|endpoint-\*|endpoint\/sentiment-[a-z]*\*/);
    }
    // Prod may read staging's endpoint (to check it serves the version a run promotes), never change it.
    expect(resourcesFor(prod, 'sagemaker:DescribeEndpoint')).toEqual(
      expect.arrayContaining([expect.stringContaining('endpoint/sentiment-staging')]),
    );
    expect(resourcesFor(staging, 'sagemaker:DescribeEndpoint').join()).not.toContain('prod');
    for (const policy of [staging, prod]) expect(JSON.stringify(policy)).not.toMatch(/sagemaker:Create/);
    for (const stage of ['staging', 'prod']) {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: `slipway-sentiment-endpoint-deployer-${stage}`,
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })],
        },
      });
    }
  });

  it("lets each deploy role write a version's lifecycle stage, and the build role its model card, never its approval status", () => {
    const template = synthesize().template(STACK);
    for (const role of ['github-deploy-staging', 'github-deploy-prod', 'github-build']) {
      const policy = policyOf(template, `slipway-sentiment-${role}`);
      const updates = policy.filter((statement) => [statement.Action].flat().includes('sagemaker:UpdateModelPackage'));
      expect(updates).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Resource: expect.stringMatching(/:model-package\/sentiment-models\/\*$/),
          // An UpdateModelPackage that carries ModelApprovalStatus does not match: no approval by a deploy role.
          Condition: { Null: { 'sagemaker:ModelApprovalStatus': 'true' } },
        }),
      ]);
    }
  });

  it("limits each CloudFormation role to its stage's models, configs, endpoint and alarms, named exactly", () => {
    const template = synthesize().template(STACK);
    const deployer = policyOf(template, 'slipway-sentiment-endpoint-deployer-prod');
    const prefix = 'arn:aws:sagemaker:us-east-1:${AWS::AccountId}';
    expect(resourcesFor(deployer, 'sagemaker:UpdateEndpoint')).toEqual([
      `${prefix}:model/sentiment-prod-v*`,
      `${prefix}:endpoint-config/sentiment-prod-v*`,
      `${prefix}:endpoint/sentiment-prod`,
    ]);
    expect(resourcesFor(deployer, 'cloudwatch:PutMetricAlarm')).toEqual([
      'arn:aws:cloudwatch:us-east-1:${AWS::AccountId}:alarm:slipway-sentiment-prod-invocation-5xx',
      'arn:aws:cloudwatch:us-east-1:${AWS::AccountId}:alarm:slipway-sentiment-prod-model-latency',
    ]);
    expect(JSON.stringify(deployer)).not.toContain('staging');
  });

  it('lets only the training role write model artifacts: a bucket policy denies everyone else under models/', () => {
    const template = synthesize().template(STACK);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'slipway-sentiment-sagemaker-training',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })],
      },
    });
    const trainingId = roleEntry(template, 'slipway-sentiment-sagemaker-training')![0];
    const artifactPolicy = Object.values(resources(template, 'AWS::S3::BucketPolicy')).find((policy) =>
      JSON.stringify(policy).includes('OnlyTrainingJobsWriteModelArtifacts'),
    );
    expect(statements(artifactPolicy?.Properties?.PolicyDocument)).toContainEqual({
      Sid: 'OnlyTrainingJobsWriteModelArtifacts',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Artifacts/), 'Arn'] }, '/models/*']] },
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [trainingId, 'Arn'] } } },
    });
    // The training role's own grant is the models/ prefix; the pipeline passes it to its training jobs.
    const training = policyOf(template, 'slipway-sentiment-sagemaker-training');
    expect(resourcesFor(training, 's3:PutObject')).toEqual([expect.stringMatching(/\/models\/\*$/)]);
    for (const role of ['slipway-sentiment-sagemaker-execution', 'slipway-sentiment-github-build']) {
      expect(resourcesFor(policyOf(template, role), 'iam:PassRole')).toContain(
        `<${trainingId.replace(/[A-F0-9]{8}$/, '')}.Arn>`,
      );
    }
    // The deploy roles read model data (to check its checksum) and write none; they read and append to the
    // deployment journal only.
    for (const stage of ['staging', 'prod']) {
      const deploy = policyOf(template, `slipway-sentiment-github-deploy-${stage}`);
      const reads = resourcesFor(deploy, 's3:GetObject');
      expect(reads).toHaveLength(2);
      expect(reads).toEqual(
        expect.arrayContaining([expect.stringMatching(/\/deployments\/\*$/), expect.stringMatching(/\/models\/\*$/)]),
      );
      expect(resourcesFor(deploy, 's3:PutObject')).toEqual([expect.stringMatching(/\/deployments\/\*$/)]);
    }
  });

  it('creates the model package group', () => {
    synthesize()
      .template(STACK)
      .hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: 'sentiment-models' });
  });

  it('routes each approval status through its own rule, the shared pattern and the shared transformer', () => {
    const template = synthesize({ githubTokenSecretVersionId: 'a1b2c3d4-0000-1111-2222-333344445555' }).template(STACK);
    for (const route of approvalRoutes('sentiment-models')) {
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: `slipway-sentiment-${route.approvalStatus.toLowerCase()}`,
        EventPattern: modelPackageApprovalPattern('sentiment-models', [route.approvalStatus]),
        Targets: [
          Match.objectLike({
            InputTransformer: {
              InputPathsMap: { ...route.transformer.InputPathsMap },
              InputTemplate: route.transformer.InputTemplate,
            },
            RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
            DeadLetterConfig: { Arn: Match.anyValue() },
          }),
        ],
      });
    }
    expect(dispatchTransformer(DISPATCH_EVENT_TYPES.Approved).InputTemplate).toContain(
      '"event_type":"model-package-approved"',
    );
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      HttpMethod: 'POST',
      InvocationEndpoint: `https://api.github.com/repos/${REPO}/dispatches`,
    });
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: {
        ApiKeyAuthParameters: {
          ApiKeyName: 'Authorization',
          ApiKeyValue:
            '{{resolve:secretsmanager:slipway/sentiment/github-dispatch-token:SecretString:authorization::a1b2c3d4-0000-1111-2222-333344445555}}',
        },
        InvocationHttpParameters: {
          HeaderParameters: [
            { Key: 'Accept', Value: 'application/vnd.github+json', IsValueSecret: false },
            { Key: 'X-GitHub-Api-Version', Value: '2022-11-28', IsValueSecret: false },
            { Key: 'User-Agent', Value: 'slipway-approval-route', IsValueSecret: false },
          ],
        },
      },
    });
  });

  it('never puts a token into the template, only the secret reference', () => {
    const template = JSON.stringify(synthesize().template(STACK).toJSON());
    expect(template).not.toMatch(/gh[pousr]_[A-Za-z0-9]|github_pat_|Bearer /);
    expect(template).toContain(
      '{{resolve:secretsmanager:slipway/sentiment/github-dispatch-token:SecretString:authorization::}}',
    );
  });

  it('keeps undeliverable approvals in an encrypted dead-letter queue with an alarm', () => {
    const template = synthesize().template(STACK);
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 1209600,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    });
    const [key] = Object.values(resources(template, 'AWS::KMS::Key'));
    const keyStatements = statements(key?.Properties?.KeyPolicy);
    const forEvents = keyStatements.find(
      (statement) => JSON.stringify(statement.Principal) === '{"Service":"events.amazonaws.com"}',
    );
    expect(JSON.stringify(forEvents?.Condition)).toMatch(
      /ArnEquals.*rule\/slipway-sentiment-approved.*rule\/slipway-sentiment-rejected/,
    );
    const forAlarms = keyStatements.find(
      (statement) => JSON.stringify(statement.Principal) === '{"Service":"cloudwatch.amazonaws.com"}',
    );
    expect(forAlarms?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnEquals: {
        'aws:SourceArn': {
          'Fn::Sub':
            'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:slipway-sentiment-approval-dead-letters',
        },
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'slipway-sentiment-approval-dead-letters' });
  });

  it('tags every taggable resource with the SageMaker project name and id', () => {
    const template = synthesize().template(STACK).toJSON() as { Resources: Record<string, Resource> };
    const untagged = Object.entries(template.Resources)
      .filter(([, resource]) => !UNTAGGABLE.has(resource.Type))
      .filter(([, resource]) => {
        const tags = (resource.Properties?.Tags ?? []) as { Key: string; Value: string }[];
        return !(
          tags.some((tag) => tag.Key === 'sagemaker:project-name' && tag.Value === 'sentiment') &&
          tags.some((tag) => tag.Key === 'sagemaker:project-id' && tag.Value === 'p-4998j71vgs5g')
        );
      })
      .map(([id, resource]) => `${id} (${resource.Type})`);
    expect(untagged).toEqual([]);
  });

  it('outputs what the repository variables need, and names the key and role the endpoint stacks use', () => {
    const template = synthesize().template(STACK);
    for (const output of Object.values(REPOSITORY_VARIABLES).filter((name) => name !== 'Region'))
      template.hasOutput(output, {});
    template.hasOutput('ApprovalDeadLetterQueueUrl', {});
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/slipway-sentiment' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'slipway-sentiment-sagemaker-execution' });
  });

  it('fails when the project config names no GitHub repository', () => {
    expect(() => synthesize({}, { githubRepository: undefined })).toThrow(ValidationError);
    expect(() => synthesize({}, { githubRepository: undefined })).toThrow(/githubRepository is missing.*slipway init/);
  });
});
