/**
 * The drift-check pipeline (`slipway-<project>-drift-check`): one processing step that runs
 * `seed/monitoring.py check-endpoint` for the endpoint and period a run is started with. MonitoringStack's
 * schedules start it, one per stage's endpoint (DRIFT_CHECK_PARAMETERS); the job looks up the live version and its
 * baseline when it runs, so the definition names no version. Compile it with
 * `npx slipway pipeline --module build-pipeline/drift-check.ts`.
 */
import { join } from 'node:path';
import {
  ParameterString,
  Pipeline,
  ProcessingStep,
  SKLearnProcessor,
  SageMakerJobExceptionType,
  StepExceptionType,
  type PipelineContext,
} from '@slipway/build-pipeline';
import {
  DRIFT_CHECK_PARAMETERS,
  DRIFT_DETECTED,
  DRIFT_EVENT_SOURCE,
  DRIFT_METRIC,
  driftCheckPipelineName,
} from '@slipway/deploy-pipeline';
import { SKLEARN_VERSION } from './variants/sklearn.js';

export function definePipeline(context: PipelineContext): Pipeline {
  const { config, roleArn: role, seedDir } = context;
  const endpointName = new ParameterString(DRIFT_CHECK_PARAMETERS.endpointName, { defaultValue: '' });
  const periodSeconds = new ParameterString(DRIFT_CHECK_PARAMETERS.periodSeconds, { defaultValue: '86400' });
  const processingInstanceType = new ParameterString('ProcessingInstanceType', { defaultValue: 'ml.m5.large' });

  const check = new ProcessingStep('CheckDrift', {
    description: "The endpoint's last period of captured traffic against its live version's baseline.",
    processor: new SKLearnProcessor({
      frameworkVersion: SKLEARN_VERSION,
      role,
      instanceType: processingInstanceType,
      instanceCount: 1,
    }),
    code: join(seedDir, 'monitoring.py'),
    jobArguments: [
      'check-endpoint',
      '--endpoint-name',
      endpointName,
      '--model-package-group-name',
      config.modelPackageGroupName,
      '--report-bucket',
      config.artifactBucket,
      '--period-seconds',
      periodSeconds,
      '--metric-namespace',
      DRIFT_METRIC.namespace,
      '--metric-name',
      DRIFT_METRIC.metricName,
      '--metric-dimension',
      DRIFT_METRIC.dimensionName,
      '--event-source',
      DRIFT_EVENT_SOURCE,
      '--event-detail-type',
      DRIFT_DETECTED,
    ],
    // No cache: every run checks a new window. Throttling and capacity are retried; a failed check is not.
    retryPolicies: [
      {
        exceptionTypes: [StepExceptionType.THROTTLING, StepExceptionType.SERVICE_FAULT],
        intervalSeconds: 5,
        backoffRate: 2,
        maxAttempts: 5,
      },
      {
        exceptionTypes: [SageMakerJobExceptionType.CAPACITY_ERROR, SageMakerJobExceptionType.RESOURCE_LIMIT],
        intervalSeconds: 60,
        backoffRate: 2,
        maxAttempts: 5,
      },
    ],
  });

  return new Pipeline(driftCheckPipelineName(config), {
    parameters: [endpointName, periodSeconds, processingInstanceType],
    steps: [check],
  });
}
