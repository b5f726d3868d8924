import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NAME_RULES, ValidationError, parseJsonText, type LoadedProjectConfig } from '@slipway/core';
import { FieldReader, type NumberRule } from './field-reader.js';

/** Where the stage configs live, relative to the repository root. */
export const STAGE_CONFIG_DIR = 'deploy-pipeline/config';

/** Data capture of requests and responses into the project's artifact bucket. */
export interface DataCaptureSettings {
  readonly enabled: boolean;
  /** Share of requests captured, 0–100. */
  readonly samplingPercentage: number;
  /** Key prefix inside the artifact bucket, e.g. `data-capture/staging`. */
  readonly s3Prefix: string;
}

/** Target-tracking autoscaling of the variant's instance count. */
export interface AutoscalingSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** `SageMakerVariantInvocationsPerInstance` (per minute) the policy keeps the fleet at. */
  readonly targetInvocationsPerInstance: number;
}

/** Blue/green update with canary traffic shifting and alarm-driven automatic rollback. */
export interface CanaryDeploymentSettings {
  /** Size of the canary fleet: a percentage of capacity, or a number of instances. */
  readonly canary: { readonly type: 'CAPACITY_PERCENT' | 'INSTANCE_COUNT'; readonly size: number };
  /** How long the canary takes traffic before the rest shifts. */
  readonly waitIntervalSeconds: number;
  /** How long the old fleet is kept after the shift, for a fast rollback. */
  readonly terminationWaitSeconds: number;
  readonly maximumExecutionTimeoutSeconds: number;
  /** Thresholds of the two CloudWatch alarms that roll the update back. */
  readonly rollbackAlarms: {
    /** Invocation5XXErrors summed over one minute at or above this → rollback. */
    readonly invocation5xxErrorsPerMinute: number;
    /** ModelLatency p99 over one minute above this many milliseconds → rollback. */
    readonly modelLatencyP99Milliseconds: number;
  };
}

/** What the endpoint tests of this stage must reach. */
export interface EndpointTestThresholds {
  /** Share of the labelled samples the endpoint must predict correctly, 0–1. */
  readonly minAccuracy: number;
  /** 95th percentile of request latency, in milliseconds, measured by the caller. */
  readonly maxP95LatencyMs: number;
}

/** One stage's endpoint, as `deploy-pipeline/config/<stage>.json` describes it. */
export interface StageConfig {
  readonly stage: string;
  readonly instanceType: string;
  readonly initialInstanceCount: number;
  readonly variantName: string;
  /** Encrypt the endpoint's storage volume and captured data with the project's KMS key. */
  readonly encryptWithProjectKey: boolean;
  /**
   * Run the model container without network access. Only for models whose code and dependencies are all
   * inside model.tar.gz: the scikit-learn container otherwise pip-installs `code/requirements.txt` at start.
   */
  readonly enableNetworkIsolation: boolean;
  readonly dataCapture: DataCaptureSettings;
  /** @default - no autoscaling: the instance count stays at `initialInstanceCount` */
  readonly autoscaling?: AutoscalingSettings;
  /** @default - SageMaker's default blue/green update, all traffic at once, no alarm rollback */
  readonly deployment?: CanaryDeploymentSettings;
  readonly endpointTests: EndpointTestThresholds;
}

const TOP_LEVEL = [
  'instanceType',
  'initialInstanceCount',
  'variantName',
  'encryptWithProjectKey',
  'enableNetworkIsolation',
  'dataCapture',
  'autoscaling',
  'deployment',
  'endpointTests',
] as const;

const S3_PREFIX = /^(?!\/)(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9!_.*'()/-]{1,512}(?<!\/)$/;

/** Checks a parsed stage config, reporting every bad field at once. */
export function validateStageConfig(
  input: unknown,
  stage: string,
  where = `${STAGE_CONFIG_DIR}/${stage}.json`,
): StageConfig {
  const read = new FieldReader(where);
  const root = read.object(input, '', 'write the stage config as a JSON object');
  if (!root) throw new ValidationError(read.issues.issues);
  read.knownKeys(root, '', TOP_LEVEL);

  const instanceType = read.string(root, '', 'instanceType', {
    pattern: /^ml\.[a-z0-9-]+\.[a-z0-9]+$/,
    allowed: 'a SageMaker instance type such as "ml.m5.large"',
    fix: 'use an instance type SageMaker hosting offers',
  });
  const initialInstanceCount = read.number(root, '', 'initialInstanceCount', {
    min: 1,
    max: 100,
    integer: true,
    fix: 'use at least 1 instance',
  });
  const variantName = read.string(root, '', 'variantName', {
    pattern: NAME_RULES.endpointName.pattern,
    allowed: `${NAME_RULES.endpointName.allowed} (at most 63)`,
    fix: 'e.g. "AllTraffic"',
  });
  const encryptWithProjectKey = read.boolean(
    root,
    '',
    'encryptWithProjectKey',
    'true unless the instance type has only NVMe instance storage',
  );
  const enableNetworkIsolation = read.boolean(
    root,
    '',
    'enableNetworkIsolation',
    'true when model.tar.gz holds every dependency',
  );

  const dataCaptureRecord = read.object(
    root.dataCapture,
    'dataCapture',
    'e.g. {"enabled": true, "samplingPercentage": 100, "s3Prefix": "data-capture/staging"}',
  );
  let dataCapture: DataCaptureSettings | undefined;
  if (dataCaptureRecord) {
    read.knownKeys(dataCaptureRecord, 'dataCapture', ['enabled', 'samplingPercentage', 's3Prefix']);
    const enabled = read.boolean(dataCaptureRecord, 'dataCapture', 'enabled', 'true to keep requests for monitoring');
    const samplingPercentage = read.number(dataCaptureRecord, 'dataCapture', 'samplingPercentage', {
      min: 0,
      max: 100,
      integer: true,
      fix: 'a whole percentage',
    });
    const s3Prefix = read.string(dataCaptureRecord, 'dataCapture', 's3Prefix', {
      pattern: S3_PREFIX,
      allowed: 'an S3 key prefix without leading or trailing "/", ".." or "//"',
      fix: `e.g. "data-capture/${stage}"`,
    });
    if (enabled !== undefined && samplingPercentage !== undefined && s3Prefix !== undefined) {
      dataCapture = { enabled, samplingPercentage, s3Prefix };
    }
  }

  const autoscaling =
    root.autoscaling === undefined ? undefined : readAutoscaling(read, root.autoscaling, initialInstanceCount);
  const deployment =
    root.deployment === undefined ? undefined : readDeployment(read, root.deployment, initialInstanceCount);

  const testsRecord = read.object(
    root.endpointTests,
    'endpointTests',
    'e.g. {"minAccuracy": 0.7, "maxP95LatencyMs": 1000}',
  );
  const endpointTests = testsRecord
    ? read.numbers(testsRecord, 'endpointTests', {
        minAccuracy: { min: 0, max: 1, fix: 'a share such as 0.7' },
        maxP95LatencyMs: { min: 1, max: 60_000, fix: 'milliseconds; SageMaker times out at 60 000' },
      })
    : undefined;
  if (testsRecord) read.knownKeys(testsRecord, 'endpointTests', ['minAccuracy', 'maxP95LatencyMs']);

  read.issues.throwIfAny();
  return {
    stage,
    instanceType: instanceType!,
    initialInstanceCount: initialInstanceCount!,
    variantName: variantName!,
    encryptWithProjectKey: encryptWithProjectKey!,
    enableNetworkIsolation: enableNetworkIsolation!,
    dataCapture: dataCapture!,
    ...(autoscaling ? { autoscaling } : {}),
    ...(deployment ? { deployment } : {}),
    endpointTests: endpointTests!,
  };
}

function readAutoscaling(
  read: FieldReader,
  value: unknown,
  initialInstanceCount: number | undefined,
): AutoscalingSettings | undefined {
  const record = read.object(
    value,
    'autoscaling',
    'e.g. {"minCapacity": 2, "maxCapacity": 4, "targetInvocationsPerInstance": 100}',
  );
  if (!record) return undefined;
  read.knownKeys(record, 'autoscaling', ['minCapacity', 'maxCapacity', 'targetInvocationsPerInstance']);
  const values = read.numbers(record, 'autoscaling', {
    minCapacity: { min: 1, max: 100, integer: true, fix: 'at least 1' },
    maxCapacity: { min: 1, max: 100, integer: true, fix: 'at least minCapacity' },
    targetInvocationsPerInstance: { min: 1, max: 1_000_000, fix: 'invocations per instance per minute' },
  });
  if (!values) return undefined;
  const { minCapacity, maxCapacity, targetInvocationsPerInstance } = values;
  read.check(
    minCapacity <= maxCapacity,
    'autoscaling.maxCapacity',
    `must be at least minCapacity (${minCapacity}), got ${maxCapacity}`,
    'raise maxCapacity or lower minCapacity',
  );
  if (initialInstanceCount !== undefined) {
    read.check(
      initialInstanceCount >= minCapacity && initialInstanceCount <= maxCapacity,
      'initialInstanceCount',
      `must lie within autoscaling's ${minCapacity}–${maxCapacity}, got ${initialInstanceCount}`,
      'start the endpoint inside the scaling range',
    );
  }
  return { minCapacity, maxCapacity, targetInvocationsPerInstance };
}

function readDeployment(
  read: FieldReader,
  value: unknown,
  initialInstanceCount: number | undefined,
): CanaryDeploymentSettings | undefined {
  const record = read.object(value, 'deployment', 'see deploy-pipeline/README.md, "Stage configs"');
  if (!record) return undefined;
  read.knownKeys(record, 'deployment', [
    'canary',
    'waitIntervalSeconds',
    'terminationWaitSeconds',
    'maximumExecutionTimeoutSeconds',
    'rollbackAlarms',
  ]);
  const canaryRecord = read.object(record.canary, 'deployment.canary', 'e.g. {"type": "CAPACITY_PERCENT", "size": 25}');
  let canary: CanaryDeploymentSettings['canary'] | undefined;
  if (canaryRecord) {
    read.knownKeys(canaryRecord, 'deployment.canary', ['type', 'size']);
    const type = read.string(canaryRecord, 'deployment.canary', 'type', {
      pattern: /^(CAPACITY_PERCENT|INSTANCE_COUNT)$/,
      allowed: '"CAPACITY_PERCENT" or "INSTANCE_COUNT"',
      fix: 'choose how the canary size is counted',
    }) as CanaryDeploymentSettings['canary']['type'] | undefined;
    // SageMaker rejects a canary larger than half of the fleet.
    const maxSize = type === 'INSTANCE_COUNT' ? Math.max(1, Math.floor((initialInstanceCount ?? 2) / 2)) : 50;
    const size = read.number(canaryRecord, 'deployment.canary', 'size', {
      min: 1,
      max: maxSize,
      integer: true,
      fix: type === 'INSTANCE_COUNT' ? 'at most half of initialInstanceCount' : 'a percentage from 1 to 50',
    });
    if (type !== undefined && size !== undefined) canary = { type, size };
  }
  const seconds = (min: number, max: number): NumberRule => ({
    min,
    max,
    integer: true,
    fix: `seconds, from ${min} to ${max}`,
  });
  const timing = read.numbers(record, 'deployment', {
    waitIntervalSeconds: seconds(0, 3600),
    terminationWaitSeconds: seconds(0, 3600),
    maximumExecutionTimeoutSeconds: seconds(600, 28_800),
  });
  if (timing) {
    read.check(
      timing.maximumExecutionTimeoutSeconds > timing.waitIntervalSeconds,
      'deployment.maximumExecutionTimeoutSeconds',
      `must exceed waitIntervalSeconds (${timing.waitIntervalSeconds}), got ${timing.maximumExecutionTimeoutSeconds}`,
      'give the whole update more time than the canary wait',
    );
  }
  const alarmsRecord = read.object(
    record.rollbackAlarms,
    'deployment.rollbackAlarms',
    'e.g. {"invocation5xxErrorsPerMinute": 1, "modelLatencyP99Milliseconds": 500}',
  );
  const rollbackAlarms = alarmsRecord
    ? read.numbers(alarmsRecord, 'deployment.rollbackAlarms', {
        invocation5xxErrorsPerMinute: {
          min: 1,
          max: 1_000_000,
          integer: true,
          fix: 'errors per minute that roll back',
        },
        modelLatencyP99Milliseconds: { min: 1, max: 60_000, fix: 'milliseconds' },
      })
    : undefined;
  if (alarmsRecord)
    read.knownKeys(alarmsRecord, 'deployment.rollbackAlarms', [
      'invocation5xxErrorsPerMinute',
      'modelLatencyP99Milliseconds',
    ]);
  if (!canary || !timing || !rollbackAlarms) return undefined;
  return { canary, ...timing, rollbackAlarms };
}

export function stageConfigPath(project: Pick<LoadedProjectConfig, 'rootDir'>, stage: string): string {
  return join(project.rootDir, STAGE_CONFIG_DIR, `${stage}.json`);
}

/** Reads and checks `deploy-pipeline/config/<stage>.json` for one of the project's stages. */
export function loadStageConfig(project: Pick<LoadedProjectConfig, 'rootDir' | 'stages'>, stage: string): StageConfig {
  if (!project.stages.includes(stage)) {
    throw new ValidationError({
      where: 'stage',
      field: '',
      problem: `must be one of the project's stages (${project.stages.join(', ')}), got ${JSON.stringify(stage)}`,
      fix: 'pick a stage listed in slipway.config.json, or add it there',
    });
  }
  const path = stageConfigPath(project, stage);
  if (!existsSync(path)) {
    throw new ValidationError({
      where: path,
      field: '',
      problem: 'does not exist',
      fix: `write the stage config (copy ${STAGE_CONFIG_DIR}/staging.json and adjust it)`,
    });
  }
  return validateStageConfig(parseJsonText(readFileSync(path, 'utf8'), path), stage, path);
}

/** The part of a stage config that shapes the deployed resources (the test thresholds do not). */
export function deploymentShape(config: StageConfig): Omit<StageConfig, 'endpointTests'> {
  const { endpointTests: _tests, ...shape } = config;
  return shape;
}
