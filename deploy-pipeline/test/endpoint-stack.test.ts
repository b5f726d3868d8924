import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { ValidationError } from '@slipway/core';
import { createEndpointConfigRequest, endpointSpec, loadStageConfig } from '../src/index.js';
import { SAMPLE_ARN, synthesize } from './support/cdk.js';
import { testProject } from './support/project.js';

const STAGING = 'slipway-sentiment-endpoint-staging';
const PROD = 'slipway-sentiment-endpoint-prod';
const arnOf = (version: number) => SAMPLE_ARN.replace(/\/3$/, `/${version}`);

describe('EndpointStack', () => {
  it('synthesizes one stack per stage from a package ARN, with zero unacknowledged cdk-nag findings', () => {
    const synthesized = synthesize({ modelPackageArn: SAMPLE_ARN });
    expect(synthesized.endpointStacks.map((stack) => stack.stackName)).toEqual([STAGING, PROD]);
    expect(synthesized.violations).toEqual([]);
  });

  it('synthesizes only the named stage, without the project stack and its GitHub settings', () => {
    const synthesized = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'prod' }, { githubRepository: undefined });
    expect(synthesized.endpointStacks.map((stack) => stack.stackName)).toEqual([PROD]);
    expect(synthesized.projectStack).toBeUndefined();
  });

  it('creates the model from the package ARN, a version-named config and the stable endpoint', () => {
    const template = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'staging' }).template(STAGING);
    const spec = endpointSpec(testProject(), loadStageConfig(testProject(), 'staging'), SAMPLE_ARN);
    template.hasResourceProperties('AWS::SageMaker::Model', {
      ModelName: spec.modelName,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-sagemaker-execution',
      PrimaryContainer: { ModelPackageName: SAMPLE_ARN },
      EnableNetworkIsolation: false,
    });
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      EndpointConfigName: Match.stringLikeRegexp('^sentiment-staging-v3-[0-9a-f]{8}$'),
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/slipway-sentiment',
      DataCaptureConfig: Match.objectLike({
        EnableCapture: true,
        InitialSamplingPercentage: 100,
        DestinationS3Uri: 's3://slipway-sentiment-p-4998j71vgs5g/data-capture/staging',
        KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/slipway-sentiment',
      }),
    });
    template.hasResource('AWS::SageMaker::Endpoint', {
      Properties: {
        EndpointName: 'sentiment-staging',
        EndpointConfigName: spec.endpointConfigName,
        DeploymentConfig: Match.absent(),
      },
      DependsOn: Match.arrayWith(['EndpointConfig']),
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
  });

  it('builds the endpoint config from the same request the SageMaker-API backend sends', () => {
    const template = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'prod' }).template(PROD);
    const spec = endpointSpec(testProject(), loadStageConfig(testProject(), 'prod'), SAMPLE_ARN);
    const request = createEndpointConfigRequest(spec);
    template.hasResourceProperties('AWS::SageMaker::EndpointConfig', {
      ProductionVariants: request.ProductionVariants,
      DataCaptureConfig: Match.objectLike({
        CaptureOptions: request.DataCaptureConfig?.CaptureOptions,
        CaptureContentTypeHeader: request.DataCaptureConfig?.CaptureContentTypeHeader,
      }),
    });
  });

  it('updates prod blue/green with a canary and rolls back on the 5xx and latency alarms', () => {
    const template = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'prod' }).template(PROD);
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      EndpointName: 'sentiment-prod',
      DeploymentConfig: {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: {
            Type: 'CANARY',
            CanarySize: { Type: 'CAPACITY_PERCENT', Value: 50 },
            WaitIntervalInSeconds: 600,
          },
          TerminationWaitInSeconds: 600,
          MaximumExecutionTimeoutInSeconds: 3600,
        },
        AutoRollbackConfiguration: {
          Alarms: [
            { AlarmName: 'slipway-sentiment-prod-invocation-5xx' },
            { AlarmName: 'slipway-sentiment-prod-model-latency' },
          ],
        },
      },
    });
    const dimensions = [
      { Name: 'EndpointName', Value: 'sentiment-prod' },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'slipway-sentiment-prod-invocation-5xx',
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: dimensions,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'slipway-sentiment-prod-model-latency',
      MetricName: 'ModelLatency',
      ExtendedStatistic: 'p99',
      Threshold: 500_000,
      Dimensions: dimensions,
    });
    const endpoint = Object.values(template.findResources('AWS::SageMaker::Endpoint'))[0] as { DependsOn: string[] };
    expect(endpoint.DependsOn.filter((id) => id.includes('Alarm'))).toHaveLength(2);
  });

  it('scales prod on invocations per instance within the configured range', () => {
    const template = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'prod' }).template(PROD);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'sagemaker',
      ResourceId: 'endpoint/sentiment-prod/variant/AllTraffic',
      ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      MinCapacity: 2,
      MaxCapacity: 6,
      RoleARN: Match.absent(),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 600,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
      }),
    });
  });

  it('names a new endpoint config for every version, and the same one for the same version', () => {
    const name = (arn: string) => {
      const config = synthesize({ modelPackageArn: arn, stage: 'staging' })
        .template(STAGING)
        .findResources('AWS::SageMaker::EndpointConfig');
      return (Object.values(config)[0] as { Properties: { EndpointConfigName: string } }).Properties.EndpointConfigName;
    };
    expect(name(arnOf(3))).toBe(name(arnOf(3)));
    expect(name(arnOf(4))).not.toBe(name(arnOf(3)));
    expect(name(arnOf(4))).toMatch(/^sentiment-staging-v4-/);
  });

  it('deploys with the CloudFormation role of ProjectStack, in the package account and region, without bootstrap', () => {
    const { app } = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'staging' });
    const artifact = app.synth().getStackByName(STAGING);
    expect(artifact.cloudFormationExecutionRoleArn).toBe(
      'arn:aws:iam::123456789012:role/slipway-sentiment-endpoint-deployer-staging',
    );
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.requiresBootstrapStackVersion).toBeUndefined();
    expect(artifact.environment).toMatchObject({ account: '123456789012', region: 'us-east-1' });
  });

  it('tags the endpoint resources with the project and the served version', () => {
    const template = synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'prod' }).template(PROD);
    for (const type of [
      'AWS::SageMaker::Model',
      'AWS::SageMaker::EndpointConfig',
      'AWS::SageMaker::Endpoint',
      'AWS::CloudWatch::Alarm',
    ]) {
      template.hasResourceProperties(type, {
        Tags: Match.arrayWith([
          { Key: 'sagemaker:project-id', Value: 'p-4998j71vgs5g' },
          { Key: 'sagemaker:project-name', Value: 'sentiment' },
        ]),
      });
    }
    template.hasResourceProperties('AWS::SageMaker::Endpoint', {
      Tags: Match.arrayWith([{ Key: 'slipway:model-package-version', Value: '3' }]),
    });
  });

  it.each([
    [
      'the ARN belongs to another group',
      'arn:aws:sagemaker:us-east-1:123456789012:model-package/other-models/3',
      /not of this project's group/,
    ],
    [
      'the ARN is in another region',
      'arn:aws:sagemaker:eu-west-1:123456789012:model-package/sentiment-models/3',
      /region eu-west-1/,
    ],
    ['the ARN is garbled', 'sentiment-models/3', /must be a SageMaker ARN/],
  ])('fails when %s', (_name, modelPackageArn, message) => {
    expect(() => synthesize({ modelPackageArn, stage: 'staging' })).toThrow(ValidationError);
    expect(() => synthesize({ modelPackageArn, stage: 'staging' })).toThrow(message);
  });

  it('fails when a stage is named without a package ARN', () => {
    expect(() => synthesize({ stage: 'staging' })).toThrow(/context modelPackageArn is missing/);
  });

  it('fails when the stage is not one of the project stages', () => {
    expect(() => synthesize({ modelPackageArn: SAMPLE_ARN, stage: 'qa' })).toThrow(
      /must be one of the project's stages/,
    );
  });
});
