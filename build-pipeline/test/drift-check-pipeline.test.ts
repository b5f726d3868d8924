/**
 * The drift-check pipeline (build-pipeline/drift-check.ts): what MonitoringStack's schedules start. Its
 * parameters are the ones the schedules fill, and its job's arguments are the ones monitoring.py check-endpoint
 * parses, carrying the metric and event that the alarm and the drift rule match.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compile, compileOptionsFor } from '@slipway/build-pipeline';
import { DRIFT_CHECK_PARAMETERS, DRIFT_DETECTED, DRIFT_EVENT_SOURCE, DRIFT_METRIC } from '@slipway/deploy-pipeline';
import { definePipeline } from '../drift-check.js';
import { FIXTURE_SEED_DIR, GOLDEN_ROLE_ARN, goldenConfig } from './support/golden.js';

const REPO = join(import.meta.dirname, '..', '..');
const result = compile(
  definePipeline({
    config: goldenConfig,
    roleArn: GOLDEN_ROLE_ARN,
    trainingRoleArn: GOLDEN_ROLE_ARN,
    seedDir: FIXTURE_SEED_DIR,
  }),
  compileOptionsFor(goldenConfig),
);
const [step] = result.definition.Steps;
const app = (step!.Arguments as { AppSpecification: { ContainerEntrypoint: string[]; ContainerArguments: unknown[] } })
  .AppSpecification;

describe('the drift-check pipeline', () => {
  it('takes the parameters the schedules fill, and runs one uncached check step as the execution role', () => {
    expect(result.definition.Parameters.map((parameter) => parameter.Name)).toEqual([
      DRIFT_CHECK_PARAMETERS.endpointName,
      DRIFT_CHECK_PARAMETERS.periodSeconds,
      'ProcessingInstanceType',
    ]);
    expect(result.definition.Steps.map((candidate) => [candidate.Name, candidate.Type])).toEqual([
      ['CheckDrift', 'Processing'],
    ]);
    expect(step).not.toHaveProperty('CacheConfig');
    expect((step!.Arguments as { RoleArn: string }).RoleArn).toBe(GOLDEN_ROLE_ARN);
    expect(app.ContainerEntrypoint).toEqual(['python3', '/opt/ml/processing/input/code/monitoring.py']);
    expect(result.assets.map((asset) => asset.key.split('/').at(-1))).toEqual(['monitoring.py']);
  });

  it("passes check-endpoint the metric and event the alarm and the drift rule match, and the job's parser takes them", () => {
    const values = app.ContainerArguments.map((argument) =>
      typeof argument === 'string'
        ? argument
        : (
            { 'Parameters.EndpointName': 'sentiment-prod', 'Parameters.PeriodSeconds': '3600' } as Record<
              string,
              string
            >
          )[(argument as { Get: string }).Get]!,
    );
    const option = (name: string) => values[values.indexOf(name) + 1];
    expect(values[0]).toBe('check-endpoint');
    expect([
      option('--metric-namespace'),
      option('--metric-name'),
      option('--metric-dimension'),
      option('--event-source'),
      option('--event-detail-type'),
      option('--model-package-group-name'),
      option('--report-bucket'),
    ]).toEqual([
      DRIFT_METRIC.namespace,
      DRIFT_METRIC.metricName,
      DRIFT_METRIC.dimensionName,
      DRIFT_EVENT_SOURCE,
      DRIFT_DETECTED,
      goldenConfig.modelPackageGroupName,
      goldenConfig.artifactBucket,
    ]);
    const parsed = spawnSync(
      join(REPO, '.venv', 'bin', 'python'),
      [
        '-c',
        'import json, sys; sys.path.insert(0, "seed"); import monitoring; print(json.dumps(vars(monitoring.parse_args(sys.argv[1:]))))',
        ...values,
      ],
      { cwd: REPO, encoding: 'utf8' },
    );
    expect(parsed.stderr).toBe('');
    expect(JSON.parse(parsed.stdout)).toMatchObject({
      command: 'check-endpoint',
      endpoint_name: 'sentiment-prod',
      period_seconds: 3600,
      metric_namespace: DRIFT_METRIC.namespace,
      event_detail_type: DRIFT_DETECTED,
    });
  });
});
