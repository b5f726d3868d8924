import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SageMakerServiceException, type PipelineExecutionStep } from '@aws-sdk/client-sagemaker';
import type { Clock, CompiledPipeline, PipelineDefinition } from '@slipway/build-pipeline';

/** The project pipeline's definition as the golden test pins it (fixed config, stand-in seed files). */
export const GOLDEN: PipelineDefinition = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'golden', 'pipeline.definition.json'), 'utf8'),
) as PipelineDefinition;

export const ROLE = 'arn:aws:iam::123456789012:role/run-test';
export const EXECUTION_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/golden-pipeline/execution/abc123def456';
export const PIPELINE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/golden-pipeline';
export const PACKAGE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/golden-models/3';

/** A compiled pipeline with the golden definition and two small in-memory assets. */
export function compiledGolden(overrides: Partial<CompiledPipeline> = {}): CompiledPipeline {
  const asset = (name: string, text: string) => {
    const bytes = new TextEncoder().encode(text);
    return {
      s3Uri: `s3://golden-bucket/golden-pipeline/code/${name}/x.py`,
      bucket: 'golden-bucket',
      key: `golden-pipeline/code/${name}/x.py`,
      sha256: name,
      size: bytes.byteLength,
      contentType: 'text/x-python',
      kind: 'code' as const,
      bytes,
    };
  };
  return {
    pipelineName: 'golden-pipeline',
    definition: GOLDEN,
    json: JSON.stringify(GOLDEN),
    assets: [asset('a'.repeat(64), 'print(1)\n'), asset('b'.repeat(64), 'print(2)\n')],
    roleArn: ROLE,
    modelPackageGroupName: 'golden-models',
    warnings: [],
    ...overrides,
  };
}

/** A clock whose sleeps pass instantly and are recorded. */
export function fakeClock(start = 0): Clock & { readonly sleeps: number[]; time(): number } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    time: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

/** An error as the SDK throws it for a service error code. */
export function serviceError(name: string, message: string, status = 400): SageMakerServiceException {
  return new SageMakerServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export interface TimelineStep {
  readonly name: string;
  /** Seconds after the start at which the step starts and ends. */
  readonly start: number;
  readonly end: number;
  readonly status?: 'Succeeded' | 'Failed';
  readonly failureReason?: string;
  readonly metadata?: PipelineExecutionStep['Metadata'];
  readonly cacheHit?: boolean;
}

/**
 * An execution that unfolds over (fake) time: ListPipelineExecutionSteps and DescribePipelineExecution
 * answer from it as SageMaker would at that moment.
 */
export function timeline(
  steps: readonly TimelineStep[],
  end: { at: number; status: 'Succeeded' | 'Failed' | 'Stopped'; reason?: string } | undefined,
) {
  const base = new Date('2026-01-01T00:00:00Z').getTime();
  return {
    steps(nowMs: number): PipelineExecutionStep[] {
      const seconds = nowMs / 1000;
      return steps
        .filter((step) => step.start <= seconds)
        .map((step) => {
          const done = step.end <= seconds;
          return {
            StepName: step.name,
            StartTime: new Date(base + step.start * 1000),
            ...(done ? { EndTime: new Date(base + step.end * 1000) } : {}),
            StepStatus: done ? (step.status ?? 'Succeeded') : ('Executing' as const),
            ...(done && step.failureReason ? { FailureReason: step.failureReason } : {}),
            Metadata: step.metadata,
            ...(step.cacheHit ? { CacheHitResult: { SourcePipelineExecutionArn: `${EXECUTION_ARN}-earlier` } } : {}),
            AttemptCount: 1,
          };
        })
        .reverse();
    },
    describe(nowMs: number) {
      const finished = end && end.at <= nowMs / 1000;
      return {
        PipelineExecutionArn: EXECUTION_ARN,
        PipelineExecutionStatus: finished ? end.status : ('Executing' as const),
        ...(finished && end.reason ? { FailureReason: end.reason } : {}),
        CreationTime: new Date(base),
        LastModifiedTime: new Date(base + (finished ? end.at : nowMs / 1000) * 1000),
      };
    },
  };
}
