import { describeValue } from '@slipway/core';
import { isObject, type AddIssue, type StepDefinition } from '../definition/index.js';
import { errorMessage, type StepExecutor } from './step-executor.js';

const OUTPUT_TYPES = ['String', 'Integer', 'Boolean', 'Float'] as const;
type OutputType = (typeof OUTPUT_TYPES)[number];

interface OutputDeclaration {
  readonly name: string;
  readonly type: OutputType;
}

function declaredOutputs(step: StepDefinition): OutputDeclaration[] {
  const list = step.envelope['OutputParameters'];
  return (Array.isArray(list) ? list : []).filter(isObject).map((entry) => ({
    name: String(entry['OutputName']),
    type: (entry['OutputType'] ?? 'String') as OutputType,
  }));
}

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
  const outputs = step.envelope['OutputParameters'];
  if (outputs === undefined) return;
  if (!Array.isArray(outputs)) {
    add(`${step.field}.OutputParameters`, `(step "${step.name}") must be a list, got ${describeValue(outputs)}`);
    return;
  }
  outputs.forEach((entry, index) => {
    const at = `${step.field}.OutputParameters[${index}]`;
    if (!isObject(entry) || typeof entry['OutputName'] !== 'string' || entry['OutputName'].length === 0) {
      add(at, `(step "${step.name}") must be {"OutputName": ..., "OutputType": ...}, got ${describeValue(entry)}`);
      return;
    }
    const type = entry['OutputType'] ?? 'String';
    if (!OUTPUT_TYPES.includes(type as OutputType)) {
      add(
        `${at}.OutputType`,
        `(step "${step.name}") must be one of ${OUTPUT_TYPES.join(', ')}, got ${describeValue(type)}`,
      );
    }
  });
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
  let args: unknown;
  let queue: string;
  try {
    args = await context.resolve(step.arguments ?? {});
    queue = String(await context.resolve(step.envelope['SqsQueueUrl']));
  } catch (error) {
    return { status: 'Failed', failureReason: errorMessage(error) };
  }
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
  const missing = declared.filter((output) => result.outputs[output.name] === undefined).map((output) => output.name);
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
