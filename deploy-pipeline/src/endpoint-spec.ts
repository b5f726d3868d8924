import type {
  CreateEndpointConfigInput,
  CreateModelInput,
  DeploymentConfig,
  ProductionVariantInstanceType,
} from '@aws-sdk/client-sagemaker';
import { stageTarget, type ProjectConfig } from '@slipway/core';
import { checkModelPackageArn } from './model-package-arn.js';
import { deploymentShape, type StageConfig } from './config/stage-config.js';
import { alarmName, deploymentResourceName, endpointName, fingerprint, roleNames } from './names.js';

/**
 * What deploying one model package version to one stage creates, derived once from the project config, the
 * stage config and the ARN. The CDK EndpointStack and the SageMaker-API backend both build their requests
 * from this, so the AWS and local paths create the same names and settings.
 */
export interface EndpointSpec {
  readonly stage: string;
  readonly modelPackageArn: string;
  readonly version: number;
  readonly region: string;
  /** The account of the package's registry (the build account). */
  readonly account: string;
  /**
   * The account the stage's endpoint lives in: the stage's own (`stageAccounts`), else the registry's.
   * Its endpoint stack, CloudFormation role and SageMaker execution role are there.
   */
  readonly deployAccount: string;
  readonly partition: string;
  readonly endpointName: string;
  /** Model and endpoint config share this name: new for every version or stage config change. */
  readonly modelName: string;
  readonly endpointConfigName: string;
  readonly stageConfig: StageConfig;
  /** `s3://<artifact bucket>/<dataCapture.s3Prefix>` */
  readonly dataCaptureS3Uri: string;
  /** Rollback alarm names, when the stage deploys with a canary. */
  readonly rollbackAlarmNames?: { readonly invocation5xx: string; readonly modelLatency: string };
}

type Project = Pick<
  ProjectConfig,
  'projectName' | 'modelPackageGroupName' | 'artifactBucket' | 'region' | 'buildAccount' | 'stageAccounts'
>;

export function endpointSpec(project: Project, stageConfig: StageConfig, modelPackageArn: string): EndpointSpec {
  const arn = checkModelPackageArn(modelPackageArn, project);
  const stage = stageConfig.stage;
  const name = deploymentResourceName(
    project,
    stage,
    arn.version,
    fingerprint({ modelPackageArn, stage: deploymentShape(stageConfig) }),
  );
  return {
    stage,
    modelPackageArn,
    version: arn.version,
    region: arn.region,
    account: arn.account,
    deployAccount: stageTarget(project, stage).account ?? arn.account,
    partition: arn.partition,
    endpointName: endpointName(project, stage),
    modelName: name,
    endpointConfigName: name,
    stageConfig,
    dataCaptureS3Uri: `s3://${project.artifactBucket}/${stageConfig.dataCapture.s3Prefix}`,
    ...(stageConfig.deployment
      ? {
          rollbackAlarmNames: {
            invocation5xx: alarmName(project, stage, 'invocation-5xx'),
            modelLatency: alarmName(project, stage, 'model-latency'),
          },
        }
      : {}),
  };
}

/** The project's SageMaker execution role, in the account the stage's endpoint lives in. */
export function executionRoleArnOf(
  project: Pick<ProjectConfig, 'projectName'>,
  spec: Pick<EndpointSpec, 'partition' | 'deployAccount'>,
): string {
  return `arn:${spec.partition}:iam::${spec.deployAccount}:role/${roleNames(project).sagemakerExecution}`;
}

/** CreateModel from the registered package: SageMaker reads image and model data from the package itself. */
export function createModelRequest(
  spec: EndpointSpec,
  executionRoleArn: string,
): CreateModelInput & { ModelName: string } {
  return {
    ModelName: spec.modelName,
    ExecutionRoleArn: executionRoleArn,
    PrimaryContainer: { ModelPackageName: spec.modelPackageArn },
    EnableNetworkIsolation: spec.stageConfig.enableNetworkIsolation,
  };
}

export function createEndpointConfigRequest(
  spec: EndpointSpec,
  options: { kmsKeyId?: string } = {},
): CreateEndpointConfigInput & { EndpointConfigName: string } {
  const config = spec.stageConfig;
  const kms = config.encryptWithProjectKey && options.kmsKeyId ? { KmsKeyId: options.kmsKeyId } : {};
  return {
    EndpointConfigName: spec.endpointConfigName,
    ProductionVariants: [
      {
        VariantName: config.variantName,
        ModelName: spec.modelName,
        InstanceType: config.instanceType as ProductionVariantInstanceType,
        InitialInstanceCount: config.initialInstanceCount,
        InitialVariantWeight: 1,
      },
    ],
    ...(config.dataCapture.enabled
      ? {
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: config.dataCapture.samplingPercentage,
            DestinationS3Uri: spec.dataCaptureS3Uri,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
            CaptureContentTypeHeader: { JsonContentTypes: ['application/json'], CsvContentTypes: ['text/csv'] },
            ...kms,
          },
        }
      : {}),
    ...kms,
  };
}

/** Blue/green with a canary and alarm rollback, for stages that configure `deployment`. */
export function deploymentConfig(spec: EndpointSpec): DeploymentConfig | undefined {
  const deployment = spec.stageConfig.deployment;
  if (!deployment || !spec.rollbackAlarmNames) return undefined;
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'CANARY',
        CanarySize: { Type: deployment.canary.type, Value: deployment.canary.size },
        WaitIntervalInSeconds: deployment.waitIntervalSeconds,
      },
      TerminationWaitInSeconds: deployment.terminationWaitSeconds,
      MaximumExecutionTimeoutInSeconds: deployment.maximumExecutionTimeoutSeconds,
    },
    AutoRollbackConfiguration: {
      Alarms: [
        { AlarmName: spec.rollbackAlarmNames.invocation5xx },
        { AlarmName: spec.rollbackAlarmNames.modelLatency },
      ],
    },
  };
}
