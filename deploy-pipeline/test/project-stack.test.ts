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
import { readViolations, synthesize } from './support/cdk.js';

const STACK = 'slipway-sentiment-project';
const REPO = 'octo-org/sentiment-reviews';

/** CloudFormation types that cannot carry tags; every other resource must carry the project tags. */
const UNTAGGABLE = new Set([
  'AWS::IAM::Policy',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::KMS::Alias',
  'AWS::Events::Connection',
  'AWS::Events::ApiDestination',
]);

type Resource = { Type: string; Properties?: Record<string, unknown> };

function resources(
  template: ReturnType<ReturnType<typeof synthesize>['template']>,
  type: string,
): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

function statements(document: unknown): Record<string, unknown>[] {
  return (document as { Statement: Record<string, unknown>[] }).Statement;
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

  it('creates the GitHub OIDC provider and trusts exact subjects of this repository only', () => {
    const template = synthesize().template(STACK);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    const trust = (roleName: string) => ({
      RoleName: roleName,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: Match.anyValue() },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': Match.anyValue(),
              },
            },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', trust('slipway-sentiment-github-build'));
    template.hasResourceProperties('AWS::IAM::Role', trust('slipway-sentiment-github-deploy'));
    const roles = Object.values(resources(template, 'AWS::IAM::Role'));
    const subjects = (name: string) =>
      (
        roles.find((role) => role.Properties?.RoleName === name)?.Properties as {
          AssumeRolePolicyDocument: { Statement: { Condition: { StringEquals: Record<string, unknown> } }[] };
        }
      ).AssumeRolePolicyDocument.Statement[0]!.Condition.StringEquals['token.actions.githubusercontent.com:sub'];
    expect(subjects('slipway-sentiment-github-build')).toEqual([`repo:${REPO}:ref:refs/heads/main`]);
    expect(subjects('slipway-sentiment-github-deploy')).toEqual([
      `repo:${REPO}:environment:staging`,
      `repo:${REPO}:environment:production`,
    ]);
  });

  it('reuses an existing OIDC provider given as context', () => {
    const existing = 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com';
    const template = synthesize({ githubOidcProviderArn: existing, defaultBranch: 'trunk' }).template(STACK);
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'slipway-sentiment-github-build',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Federated: existing },
            Condition: {
              StringEquals: Match.objectLike({
                'token.actions.githubusercontent.com:sub': [`repo:${REPO}:ref:refs/heads/trunk`],
              }),
            },
          }),
        ],
      },
    });
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

  it('lets the deploy role deploy only the endpoint stacks, through the CloudFormation role', () => {
    const template = synthesize().template(STACK);
    const policy = JSON.stringify(
      Object.values(resources(template, 'AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p).includes('GitHubDeployRole'),
      ),
    );
    expect(policy).toContain('stack/slipway-sentiment-endpoint-*/*');
    expect(policy).toContain('cloudformation:ExecuteChangeSet');
    expect(policy).toMatch(
      /"iam:PassRole".*"iam:PassedToService":"cloudformation.amazonaws.com".*EndpointDeployerRole/,
    );
    expect(policy).not.toMatch(/sagemaker:Create|s3:PutObject/);
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'slipway-sentiment-endpoint-deployer',
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })],
      },
    });
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
    expect(keyStatements.map((statement) => statement.Principal)).toContainEqual({
      Service: 'cloudwatch.amazonaws.com',
    });
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
