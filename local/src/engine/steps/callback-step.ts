import { describeValue } from '@slipway/core';
import type { AddIssue, StepDefinition } from '../definition/index.js';
import { checkOutputParameters, declaredOutputs, missingOutputs, type OutputDeclaration } from './output-parameters.js';
import { errorMessage, resolveArgumentsAnd, type StepExecutor } from './step-executor.js';

/** A Callback step's SqsQueueUrl and OutputParameters, checked at CreatePipeline. */
export function checkCallbackStep(step: StepDefinition, add: AddIssue): void {
  const queue = step.envelope['SqsQueueUrl'];
  if (typeof queue !== 'string' || queue.length === 0) {
    add(
      `${step.field}.SqsQueueUrl`,
      `(step "${step.name}") is required, got ${describeValue(queue)}`,
      'name the queue the token goes to',
    );
  }
  checkOutputParameters(step, add);
}

/** An output's value as its declared type (SendPipelineExecutionStepSuccess sends strings). */
function typed(value: string, declaration: OutputDeclaration): string | number | boolean {
  switch (declaration.type) {
    case 'Integer':
    case 'Float': {
      const number = Number(value);
      if (
        value.trim() === '' ||
        !Number.isFinite(number) ||
        (declaration.type === 'Integer' && !Number.isInteger(number))
      ) {
        throw new Error(`output ${declaration.name} is declared ${declaration.type}, got ${JSON.stringify(value)}`);
      }
      return number;
    }
    case 'Boolean':
      if (value !== 'true' && value !== 'false') {
        throw new Error(`output ${declaration.name} is declared Boolean, got ${JSON.stringify(value)}`);
      }
      return value === 'true';
    default:
      return value;
  }
}

/**
 * Callback: sends `{token, pipelineExecutionArn, arguments, status}` to the step's queue (a local queue, read with
 * SQS's ReceiveMessage against this server), then waits for SendPipelineExecutionStepSuccess (its OutputParameters
 * become `Steps.X.OutputParameters['name']`, typed as declared) or SendPipelineExecutionStepFailure.
 */
export const runCallbackStep: StepExecutor = async (context) => {
  const { step, execution, services } = context;
  const resolved = await resolveArgumentsAnd(context, 'SqsQueueUrl');
  if ('failed' in resolved) return resolved.failed;
  const { args, value: queue } = resolved;
  const { token, answer } = services.callbacks.issue(execution.arn, step.name, context.signal);
  const metadata = { Callback: { CallbackToken: token, SqsQueueUrl: queue } };
  context.reportMetadata(metadata);
  services.queues.send(
    queue,
    JSON.stringify({ token, pipelineExecutionArn: execution.arn, arguments: args, status: 'Executing' }),
  );
  const result = await answer;
  if (!result)
    return {
      status: 'Stopped',
      failureReason: 'The execution was stopped while the step waited for its callback.',
      metadata,
    };
  if (result.status === 'Failed') return { status: 'Failed', failureReason: result.failureReason, metadata };
  const declared = declaredOutputs(step);
  const missing = missingOutputs(declared, result.outputs);
  const reported = {
    Callback: {
      ...metadata.Callback,
      OutputParameters: Object.entries(result.outputs).map(([Name, Value]) => ({ Name, Value })),
    },
  };
  if (missing.length > 0) {
    return {
      status: 'Failed',
      failureReason: `SendPipelineExecutionStepSuccess did not give the declared output(s) ${missing.join(', ')}`,
      metadata: reported,
    };
  }
  try {
    const outputs = Object.fromEntries(
      declared.map((output) => [output.name, typed(result.outputs[output.name]!, output)]),
    );
    return { status: 'Succeeded', properties: { OutputParameters: outputs }, metadata: reported };
  } catch (error) {
    return { status: 'Failed', failureReason: errorMessage(error), metadata: reported };
  }
};
