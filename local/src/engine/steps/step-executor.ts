import type { StepDefinition } from '../definition/index.js';
import type { EngineServices } from '../engine-services.js';

/** The execution a step belongs to, as executors see it. */
export interface ExecutionInfo {
  readonly arn: string;
  readonly id: string;
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface StepContext {
  readonly step: StepDefinition;
  readonly execution: ExecutionInfo;
  /** 1 for the first attempt; retries count up. */
  readonly attempt: number;
  /** Aborted when the execution is stopped or the server shuts down. */
  readonly signal: AbortSignal;
  readonly services: EngineServices;
  /**
   * Resolves every expression in `value` (fetching the documents of any `Std:JsonGet` on an S3 URI first),
   * with extra execution variables such as ProcessingJobName.
   */
  resolve(value: unknown, executionVariables?: Readonly<Record<string, string>>): Promise<unknown>;
  /** Records the step's Metadata while it still runs (a job's ARN as soon as the job exists). */
  reportMetadata(metadata: Record<string, unknown>): void;
}

export type StepOutcome =
  | {
      readonly status: 'Succeeded';
      readonly properties: unknown;
      readonly propertyFiles?: Readonly<Record<string, unknown>>;
      readonly metadata?: Record<string, unknown>;
      /** A Condition step's result. */
      readonly outcome?: boolean;
      /** Set when the result was reused from this earlier execution. */
      readonly cacheSource?: string;
    }
  | {
      readonly status: 'Failed';
      readonly failureReason: string;
      readonly metadata?: Record<string, unknown>;
      /** Retry policy exception types this failure counts as; none means never retried. */
      readonly failureTypes?: readonly string[];
      /** A Fail step's message, which becomes the execution's FailureReason. */
      readonly executionFailureReason?: string;
    }
  | {
      readonly status: 'Stopped';
      readonly failureReason?: string;
      readonly metadata?: Record<string, unknown>;
    };

export type StepExecutor = (context: StepContext) => Promise<StepOutcome>;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Resolves a step's Arguments and one member of its envelope beside them (a Callback's SqsQueueUrl, a Lambda's
 * FunctionArn), as text; an expression that does not resolve fails the step.
 */
export async function resolveArgumentsAnd(
  context: StepContext,
  member: string,
): Promise<{ readonly args: unknown; readonly value: string } | { readonly failed: StepOutcome }> {
  try {
    const args = await context.resolve(context.step.arguments ?? {});
    return { args, value: String(await context.resolve(context.step.envelope[member])) };
  } catch (error) {
    return { failed: { status: 'Failed', failureReason: errorMessage(error) } };
  }
}
