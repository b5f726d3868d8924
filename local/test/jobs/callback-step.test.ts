import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StopPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import {
  callOperation,
  definition,
  runPipeline,
  startTestServer,
  stepsByName,
  waitForExecution,
  type TestServer,
} from '../support/harness.js';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/approvals';

interface CallbackMessage {
  token: string;
  pipelineExecutionArn: string;
  arguments: unknown;
  status: string;
}

async function call(t: TestServer, target: string, input: object) {
  const response = await callOperation(t.server, target, input);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** What a worker does: long-poll the queue for the step's message, delete it, return its parsed body. */
async function receiveToken(t: TestServer): Promise<CallbackMessage> {
  const received = await call(t, 'AmazonSQS.ReceiveMessage', {
    QueueUrl: QUEUE,
    WaitTimeSeconds: 10,
    MaxNumberOfMessages: 1,
  });
  expect(received.status).toBe(200);
  const [message] = received.body['Messages'] as { Body: string; ReceiptHandle: string }[];
  const deleted = await call(t, 'AmazonSQS.DeleteMessage', { QueueUrl: QUEUE, ReceiptHandle: message!.ReceiptHandle });
  expect(deleted.status).toBe(200);
  return JSON.parse(message!.Body) as CallbackMessage;
}

function callbackPipeline() {
  return definition(
    [
      {
        Name: 'WaitForApproval',
        Type: 'Callback',
        Arguments: { model: 'm-1', run: { Get: 'Parameters.Run' } },
        SqsQueueUrl: QUEUE,
        OutputParameters: [
          { OutputName: 'approved', OutputType: 'Boolean' },
          { OutputName: 'score', OutputType: 'Float' },
        ],
      },
      {
        Name: 'Check',
        Type: 'Condition',
        Arguments: {
          Conditions: [
            {
              Type: 'Equals',
              LeftValue: { Get: "Steps.WaitForApproval.OutputParameters['approved']" },
              RightValue: true,
            },
          ],
          IfSteps: [],
          ElseSteps: [{ Name: 'Rejected', Type: 'Fail', Arguments: { ErrorMessage: 'rejected' } }],
        },
      },
    ],
    [{ Name: 'Run', Type: 'String', DefaultValue: 'r1' }],
  );
}

describe('Callback steps', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends its token to the queue and completes with SendPipelineExecutionStepSuccess, outputs typed', async () => {
    // Before: a Callback step was refused at CreatePipeline.
    const arn = await runPipeline(t.sagemaker, 'callback-ok', callbackPipeline(), { Run: 'r7' });
    const message = await receiveToken(t);
    expect(message).toMatchObject({
      pipelineExecutionArn: arn,
      arguments: { model: 'm-1', run: 'r7' },
      status: 'Executing',
    });
    const waiting = await stepsByName(t.sagemaker, arn);
    expect(waiting['WaitForApproval']).toMatchObject({
      StepStatus: 'Executing',
      Metadata: { Callback: { CallbackToken: message.token, SqsQueueUrl: QUEUE } },
    });
    const answered = await call(t, 'SageMaker.SendPipelineExecutionStepSuccess', {
      CallbackToken: message.token,
      OutputParameters: [
        { Name: 'approved', Value: 'true' },
        { Name: 'score', Value: '0.93' },
      ],
    });
    expect(answered.body).toEqual({ PipelineExecutionArn: arn });
    const done = await waitForExecution(t.sagemaker, arn);
    expect(done.PipelineExecutionStatus).toBe('Succeeded');
    const steps = await stepsByName(t.sagemaker, arn);
    expect(steps['Check']!.Metadata?.Condition?.Outcome).toBe('True');
    expect(steps['WaitForApproval']!.Metadata?.Callback?.OutputParameters).toEqual([
      { Name: 'approved', Value: 'true' },
      { Name: 'score', Value: '0.93' },
    ]);
    // A token is good once.
    const again = await call(t, 'SageMaker.SendPipelineExecutionStepSuccess', { CallbackToken: message.token });
    expect(again.status).toBe(400);
    expect(String(again.body['message'])).toMatch(/is not waiting/);
  }, 30_000);

  it('fails with SendPipelineExecutionStepFailure, and with an output of the wrong type', async () => {
    const failing = await runPipeline(t.sagemaker, 'callback-fail', callbackPipeline());
    const first = await receiveToken(t);
    await call(t, 'SageMaker.SendPipelineExecutionStepFailure', {
      CallbackToken: first.token,
      FailureReason: 'the reviewer said no',
    });
    expect((await waitForExecution(t.sagemaker, failing)).PipelineExecutionStatus).toBe('Failed');
    expect((await stepsByName(t.sagemaker, failing))['WaitForApproval']!.FailureReason).toBe('the reviewer said no');

    const typed = await runPipeline(t.sagemaker, 'callback-typed', callbackPipeline());
    const second = await receiveToken(t);
    await call(t, 'SageMaker.SendPipelineExecutionStepSuccess', {
      CallbackToken: second.token,
      OutputParameters: [
        { Name: 'approved', Value: 'yes' },
        { Name: 'score', Value: '1' },
      ],
    });
    await waitForExecution(t.sagemaker, typed);
    expect((await stepsByName(t.sagemaker, typed))['WaitForApproval']!.FailureReason).toBe(
      'output approved is declared Boolean, got "yes"',
    );
  }, 30_000);

  it('stops while waiting; the token is then unknown', async () => {
    const arn = await runPipeline(t.sagemaker, 'callback-stop', callbackPipeline());
    const message = await receiveToken(t);
    await t.sagemaker.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: 'stop-the-callback-while-it-waits-0001',
      }),
    );
    expect((await waitForExecution(t.sagemaker, arn)).PipelineExecutionStatus).toBe('Stopped');
    const late = await call(t, 'SageMaker.SendPipelineExecutionStepSuccess', { CallbackToken: message.token });
    expect(late.body['__type']).toBe('ValidationException');
  }, 30_000);

  it('is refused at CreatePipeline without SqsQueueUrl or with a bad OutputType', async () => {
    const step = {
      Name: 'Cb',
      Type: 'Callback',
      Arguments: {},
      OutputParameters: [{ OutputName: 'x', OutputType: 'Date' }],
    };
    await expect(runPipeline(t.sagemaker, 'callback-bad', definition([step]))).rejects.toThrow(
      /Steps\[0\]\.SqsQueueUrl \(step "Cb"\) is required.*Steps\[0\]\.OutputParameters\[0\]\.OutputType \(step "Cb"\) must be one of String, Integer, Boolean, Float/s,
    );
  });
});
