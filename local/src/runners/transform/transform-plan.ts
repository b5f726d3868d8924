import type { CreateTransformJobRequest } from '@aws-sdk/client-sagemaker';
import { ValidationError, describeValue, type ValidationIssue } from '@slipway/core';
import { parseS3Uri } from '../../storage/object-key.js';
import { parseJsonPath, type JsonPath } from './json-path.js';

export type TransformRequest = Omit<CreateTransformJobRequest, 'TransformJobName'>;

/** A CreateTransformJob request, checked and with SageMaker's defaults filled in: what the runner does. */
export interface TransformPlan {
  readonly input: {
    readonly s3Uri: string;
    readonly dataType: 'S3Prefix' | 'ManifestFile';
    readonly contentType?: string;
    readonly compression: 'None' | 'Gzip';
    readonly split: 'None' | 'Line';
  };
  readonly output: {
    readonly s3Path: string;
    readonly accept?: string;
    readonly assembleWith: 'None' | 'Line';
  };
  readonly batchStrategy: 'SingleRecord' | 'MultiRecord';
  /** Bytes a request may carry; undefined: no limit (MaxPayloadInMB 0). */
  readonly maxPayloadBytes?: number;
  readonly maxPayloadInMB: number;
  readonly concurrency: number;
  readonly invocationTimeoutMs: number;
  readonly invocationRetries: number;
  readonly inputFilter?: JsonPath;
  readonly outputFilter?: JsonPath;
  readonly joinInput: boolean;
  readonly environment: Readonly<Record<string, string>>;
  readonly instanceCount: number;
}

const SPLITS = ['None', 'Line', 'RecordIO', 'TFRecord'];
const MB = 1024 * 1024;

/**
 * Checks a transform job's request as CreateTransformJob does and fills in the defaults SageMaker documents:
 * SplitType None, BatchStrategy SingleRecord, MaxPayloadInMB 6, MaxConcurrentTransforms 1, AssembleWith None,
 * invocations timing out after 600 s and retried 3 times, filters `$` and JoinSource None. What the local
 * runner does not do is refused here by name (RecordIO/TFRecord splitting, augmented manifests), so a job that
 * starts can run.
 */
export function planTransformJob(request: TransformRequest, where: string): TransformPlan {
  const issues: ValidationIssue[] = [];
  const add = (field: string, problem: string, fix?: string) =>
    issues.push({ where, field, problem, ...(fix !== undefined ? { fix } : {}) });
  const input = request.TransformInput;
  const source = input?.DataSource?.S3DataSource;
  if (!source?.S3Uri) add('TransformInput.DataSource.S3DataSource.S3Uri', 'is required', 'name the data to transform');
  else {
    try {
      parseS3Uri(source.S3Uri, 'TransformInput.DataSource.S3DataSource.S3Uri');
    } catch (error) {
      add('TransformInput.DataSource.S3DataSource.S3Uri', (error as Error).message);
    }
  }
  const dataType = source?.S3DataType ?? 'S3Prefix';
  if (dataType !== 'S3Prefix' && dataType !== 'ManifestFile') {
    add(
      'TransformInput.DataSource.S3DataSource.S3DataType',
      `is ${describeValue(dataType)}, which the local runner does not read`,
      'use S3Prefix or ManifestFile',
    );
  }
  const split = input?.SplitType ?? 'None';
  if (!SPLITS.includes(split))
    add('TransformInput.SplitType', `must be one of ${SPLITS.join(', ')}, got ${describeValue(split)}`);
  else if (split === 'RecordIO' || split === 'TFRecord') {
    add(
      'TransformInput.SplitType',
      `is ${split}, which the local runner does not split`,
      'split text data by Line, or send each object whole (None)',
    );
  }
  const compression = input?.CompressionType ?? 'None';
  if (compression !== 'None' && compression !== 'Gzip') {
    add('TransformInput.CompressionType', `must be None or Gzip, got ${describeValue(compression)}`);
  }
  const outputPath = request.TransformOutput?.S3OutputPath;
  if (!outputPath) add('TransformOutput.S3OutputPath', 'is required', 'name where the results go');
  else {
    try {
      parseS3Uri(outputPath, 'TransformOutput.S3OutputPath');
    } catch (error) {
      add('TransformOutput.S3OutputPath', (error as Error).message);
    }
  }
  const assembleWith = request.TransformOutput?.AssembleWith ?? 'None';
  if (assembleWith !== 'None' && assembleWith !== 'Line') {
    add('TransformOutput.AssembleWith', `must be None or Line, got ${describeValue(assembleWith)}`);
  }
  const batchStrategy = request.BatchStrategy ?? 'SingleRecord';
  if (batchStrategy !== 'SingleRecord' && batchStrategy !== 'MultiRecord') {
    add('BatchStrategy', `must be SingleRecord or MultiRecord, got ${describeValue(batchStrategy)}`);
  }
  const maxPayloadInMB = request.MaxPayloadInMB ?? 6;
  if (!Number.isInteger(maxPayloadInMB) || maxPayloadInMB < 0 || maxPayloadInMB > 100) {
    add('MaxPayloadInMB', `must be a whole number from 0 to 100, got ${describeValue(maxPayloadInMB)}`);
  }
  const concurrency = request.MaxConcurrentTransforms ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 0) {
    add('MaxConcurrentTransforms', `must be a whole number ≥ 0, got ${describeValue(concurrency)}`);
  }
  const timeout = request.ModelClientConfig?.InvocationsTimeoutInSeconds ?? 600;
  const retries = request.ModelClientConfig?.InvocationsMaxRetries ?? 3;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 3600) {
    add('ModelClientConfig.InvocationsTimeoutInSeconds', `must be 1 to 3600, got ${describeValue(timeout)}`);
  }
  if (!Number.isInteger(retries) || retries < 0 || retries > 3) {
    add('ModelClientConfig.InvocationsMaxRetries', `must be 0 to 3, got ${describeValue(retries)}`);
  }
  const processing = request.DataProcessing;
  const filter = (key: 'InputFilter' | 'OutputFilter'): JsonPath | undefined => {
    const text = processing?.[key];
    if (text === undefined || text === '$') return undefined;
    try {
      return parseJsonPath(text, where, `DataProcessing.${key}`);
    } catch (error) {
      if (error instanceof ValidationError) issues.push(...error.issues);
      return undefined;
    }
  };
  const inputFilter = filter('InputFilter');
  const outputFilter = filter('OutputFilter');
  const join = processing?.JoinSource ?? 'None';
  if (join !== 'None' && join !== 'Input')
    add('DataProcessing.JoinSource', `must be None or Input, got ${describeValue(join)}`);
  if ((inputFilter || outputFilter || join === 'Input') && split !== 'Line') {
    add(
      'TransformInput.SplitType',
      `is ${split}; DataProcessing (filters, JoinSource) works record by record`,
      'set SplitType to Line',
    );
  }
  const environment = request.Environment ?? {};
  const instanceCount = request.TransformResources?.InstanceCount ?? 1;
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    input: {
      s3Uri: source!.S3Uri!,
      dataType: dataType as 'S3Prefix' | 'ManifestFile',
      ...(input?.ContentType !== undefined ? { contentType: input.ContentType } : {}),
      compression: compression as 'None' | 'Gzip',
      split: split as 'None' | 'Line',
    },
    output: {
      s3Path: outputPath!,
      ...(request.TransformOutput?.Accept !== undefined ? { accept: request.TransformOutput.Accept } : {}),
      assembleWith: assembleWith as 'None' | 'Line',
    },
    batchStrategy: batchStrategy as 'SingleRecord' | 'MultiRecord',
    ...(maxPayloadInMB > 0 ? { maxPayloadBytes: maxPayloadInMB * MB } : {}),
    maxPayloadInMB,
    // 0 lets SageMaker choose; one request at a time is what it chooses for a container that says nothing.
    concurrency: Math.max(1, concurrency),
    invocationTimeoutMs: timeout * 1000,
    invocationRetries: retries,
    ...(inputFilter ? { inputFilter } : {}),
    ...(outputFilter ? { outputFilter } : {}),
    joinInput: join === 'Input',
    environment,
    instanceCount,
  };
}
