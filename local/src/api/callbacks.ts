import type { OperationModule } from '../server/operation-registry.js';
import { ServiceError, validationException } from '../server/service-error.js';
import { Input } from './input.js';
import type { ServiceContext } from './service-context.js';

const TOKEN = { min: 1, max: 10, pattern: /^[a-zA-Z0-9]+$/ };

/**
 * SendPipelineExecutionStepSuccess / SendPipelineExecutionStepFailure: settle the token a Callback step sent to its
 * queue. A token that is not waiting (unknown, used, or its execution stopped) is a ValidationException, as on AWS.
 */
export function callbackOperations(context: ServiceContext): OperationModule {
  const unknown = (token: string) =>
    validationException(
      `CallbackToken ${token} is not waiting: no running Callback step issued it, or it was already answered`,
    );
  return {
    service: 'SageMaker',
    operations: {
      SendPipelineExecutionStepSuccess: (body) => {
        const input = new Input(body, 'SendPipelineExecutionStepSuccess');
        const token = input.string('CallbackToken', TOKEN);
        input.optionalString('ClientRequestToken', { min: 1, max: 128 });
        const list = input.optionalList('OutputParameters', 50) ?? [];
        const outputs: Record<string, string> = {};
        list.forEach((entry, index) => {
          const item = entry as { Name?: unknown; Value?: unknown };
          if (typeof item?.Name !== 'string' || typeof item.Value !== 'string') {
            input.fail(`OutputParameters[${index}]`, 'must be {"Name": string, "Value": string}');
          }
          outputs[item.Name as string] = item.Value as string;
        });
        const execution = context.callbacks.settle(token, { status: 'Succeeded', outputs });
        if (!execution) throw unknown(token);
        return { PipelineExecutionArn: execution };
      },
      SendPipelineExecutionStepFailure: (body) => {
        const input = new Input(body, 'SendPipelineExecutionStepFailure');
        const token = input.string('CallbackToken', TOKEN);
        input.optionalString('ClientRequestToken', { min: 1, max: 128 });
        const reason = input.optionalString('FailureReason', { max: 256 }) ?? 'The callback reported a failure.';
        const execution = context.callbacks.settle(token, { status: 'Failed', failureReason: reason });
        if (!execution) throw unknown(token);
        return { PipelineExecutionArn: execution };
      },
    },
  };
}

/**
 * SQS (`AmazonSQS.*`, the JSON protocol boto3 and the AWS SDKs use) over the local queues Callback steps send their
 * tokens to: GetQueueUrl, CreateQueue, SendMessage, ReceiveMessage (long polling up to 20 s), DeleteMessage. A queue
 * is named by the last segment of its URL and exists once named.
 */
export function queueOperations(context: ServiceContext): OperationModule {
  const url = (name: string) => `https://sqs.${context.scope.region}.amazonaws.com/${context.scope.accountId}/${name}`;
  const invalid = (message: string) => new ServiceError('InvalidParameterValue', message);
  const read = (body: Record<string, unknown>, member: string): string => {
    const value = body[member];
    if (typeof value !== 'string' || value.length === 0) throw invalid(`${member} is required (a string)`);
    return value;
  };
  const integer = (body: Record<string, unknown>, member: string, min: number, max: number, fallback: number) => {
    const value = body[member];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(`${member} must be a whole number from ${min} to ${max}, got ${String(value)}`);
    }
    return value;
  };
  return {
    service: 'AmazonSQS',
    operations: {
      GetQueueUrl: (body) => ({ QueueUrl: url(read(body, 'QueueName')) }),
      CreateQueue: (body) => ({ QueueUrl: url(read(body, 'QueueName')) }),
      SendMessage: (body) => ({ MessageId: context.queues.send(read(body, 'QueueUrl'), read(body, 'MessageBody')) }),
      ReceiveMessage: async (body) => {
        const messages = await context.queues.receive(
          read(body, 'QueueUrl'),
          integer(body, 'MaxNumberOfMessages', 1, 10, 1),
          integer(body, 'WaitTimeSeconds', 0, 20, 0),
          integer(body, 'VisibilityTimeout', 0, 43_200, 30),
        );
        return { Messages: messages };
      },
      DeleteMessage: (body) => {
        if (!context.queues.delete(read(body, 'QueueUrl'), read(body, 'ReceiptHandle'))) {
          throw new ServiceError('ReceiptHandleIsInvalid', 'The receipt handle is not one of a received message.');
        }
        return {};
      },
    },
  };
}
