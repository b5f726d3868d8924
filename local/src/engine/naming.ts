import { randomBytes } from 'node:crypto';
import { formatSageMakerArn } from '@slipway/core';

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomText(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** A Callback step's token like SageMaker's: 10 letters and digits (CallbackToken's pattern). */
export function newCallbackToken(): string {
  return randomText(MIXED, 10);
}

/** A pipeline execution id like SageMaker's: 12 lowercase letters and digits. */
export function newExecutionId(): string {
  return randomText(LOWER, 12);
}

/**
 * A job or model name in SageMaker's pipeline style, `pipelines-<execution id>-<StepName>-<suffix>`, kept to
 * the 63 characters and the `[a-zA-Z0-9](-*[a-zA-Z0-9])*` pattern job names allow.
 */
export function pipelineResourceName(executionId: string, stepName: string): string {
  const step =
    stepName
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63 - 10 - 12 - 2 - 10) || 'step';
  return `pipelines-${executionId}-${step.replace(/-+$/, '')}-${randomText(MIXED, 10)}`;
}

/**
 * A tuning job's name for a pipeline step: tuning job names are at most 32 characters, so
 * `<execution id>-<StepName, shortened>-<suffix>`.
 */
export function pipelineTuningJobName(executionId: string, stepName: string): string {
  const step =
    stepName
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32 - 12 - 2 - 6)
      .replace(/-+$/, '') || 'tune';
  return `${executionId}-${step}-${randomText(LOWER, 6)}`;
}

export interface ArnScope {
  readonly region: string;
  readonly accountId: string;
}

/** SageMaker lowercases resource names in its ARNs. */
export function resourceArn(scope: ArnScope, resourceType: string, name: string): string {
  return formatSageMakerArn({
    region: scope.region,
    account: scope.accountId,
    resourceType,
    resourcePath: name.toLowerCase(),
  });
}

export function executionArn(pipelineArn: string, executionId: string): string {
  return `${pipelineArn}/execution/${executionId}`;
}
