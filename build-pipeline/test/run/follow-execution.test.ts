import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AWS_POLL_SCHEDULE,
  describeRunEvent,
  followExecution,
  nextPollDelay,
  type RunEvent,
} from '@slipway/build-pipeline';
import { EXECUTION_ARN, fakeClock, serviceError, timeline } from './support.js';

const sagemakerMock = mockClient(SageMakerClient);
const sagemaker = new SageMakerClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

/** Answers both polling calls from a timeline, at the fake clock's time. */
function serve(run: ReturnType<typeof timeline>, clock: ReturnType<typeof fakeClock>) {
  sagemakerMock
    .on(ListPipelineExecutionStepsCommand)
    .callsFake(() => ({ PipelineExecutionSteps: run.steps(clock.time()) }));
  sagemakerMock.on(DescribePipelineExecutionCommand).callsFake(() => run.describe(clock.time()));
}

const listCalls = () => sagemakerMock.commandCalls(ListPipelineExecutionStepsCommand).length;
const describeCalls = () => sagemakerMock.commandCalls(DescribePipelineExecutionCommand).length;

beforeEach(() => {
  sagemakerMock.reset();
});

describe('nextPollDelay', () => {
  it('starts at 5 s, doubles while nothing changes up to 60 s, and resets on a change', () => {
    const delays = [AWS_POLL_SCHEDULE.initialMs];
    for (let i = 0; i < 6; i++) delays.push(nextPollDelay(delays.at(-1)!, AWS_POLL_SCHEDULE, false));
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    expect(nextPollDelay(60_000, AWS_POLL_SCHEDULE, true)).toBe(5_000);
  });
});

describe('followExecution', () => {
  it('reports each step transition in order, backs off while nothing changes and resets on change', async () => {
    const clock = fakeClock();
    serve(
      timeline(
        [
          { name: 'Preprocess', start: 0, end: 30 },
          { name: 'Train', start: 31, end: 400 },
          { name: 'RegisterModel', start: 401, end: 402, metadata: { RegisterModel: { Arn: 'arn:pkg' } } },
        ],
        { at: 402, status: 'Succeeded' },
      ),
      clock,
    );
    const events: RunEvent[] = [];
    const result = await followExecution(sagemaker, EXECUTION_ARN, {
      schedule: AWS_POLL_SCHEDULE,
      timeoutMs: 3_600_000,
      clock,
      onEvent: (event) => events.push(event),
    });
    expect(result).toMatchObject({ status: 'Succeeded', timedOut: false });
    expect(result.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'Preprocess:Succeeded',
      'Train:Succeeded',
      'RegisterModel:Succeeded',
    ]);
    expect(events.map(describeRunEvent)).toEqual([
      'Step Preprocess: Executing',
      'Execution: Executing',
      'Step Preprocess: Executing → Succeeded (30 s)',
      'Step Train: Executing',
      'Step Train: Executing → Succeeded (6 min 09 s)',
      'Step RegisterModel: Succeeded (1.0 s)',
      'Execution: Executing → Succeeded',
    ]);
    // Polls at t=0 (change), 5 and 15 (idle), 35 (Preprocess ended, Train started), then 40, 50, 70, 110 and
    // one a minute until t=410, which sees Train, RegisterModel and the execution all done.
    expect(clock.sleeps).toEqual([
      5_000, 10_000, 20_000, 5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('asks DescribePipelineExecution only when a step changed or none is running', async () => {
    const clock = fakeClock();
    serve(timeline([{ name: 'Train', start: 0, end: 600 }], { at: 600, status: 'Succeeded' }), clock);
    await followExecution(sagemaker, EXECUTION_ARN, { schedule: AWS_POLL_SCHEDULE, timeoutMs: 3_600_000, clock });
    const polls = clock.sleeps.length + 1;
    // One list per poll plus the closing list; Describe on the first poll and the poll that saw the end.
    expect(listCalls()).toBe(polls + 1);
    expect(describeCalls()).toBe(2);
    // Ten idle minutes cost 14 polls: 4 while the interval grows, then one a minute.
    expect(polls).toBe(14);
  });

  it('waits longer when throttled instead of failing, then carries on', async () => {
    const clock = fakeClock();
    const run = timeline([{ name: 'Train', start: 0, end: 100 }], { at: 100, status: 'Succeeded' });
    let throttles = 2;
    sagemakerMock.on(ListPipelineExecutionStepsCommand).callsFake(() => {
      if (clock.time() > 0 && throttles-- > 0) throw serviceError('ThrottlingException', 'Rate exceeded');
      return { PipelineExecutionSteps: run.steps(clock.time()) };
    });
    sagemakerMock.on(DescribePipelineExecutionCommand).callsFake(() => run.describe(clock.time()));
    const events: RunEvent[] = [];
    const result = await followExecution(sagemaker, EXECUTION_ARN, {
      schedule: AWS_POLL_SCHEDULE,
      timeoutMs: 3_600_000,
      clock,
      onEvent: (event) => events.push(event),
    });
    expect(result.status).toBe('Succeeded');
    expect(events.filter((event) => event.kind === 'throttled').map(describeRunEvent)).toEqual([
      'Throttled on ListPipelineExecutionSteps; next poll in 10 s',
      'Throttled on ListPipelineExecutionSteps; next poll in 20 s',
    ]);
    expect(clock.sleeps.slice(0, 3)).toEqual([5_000, 10_000, 20_000]);
  });

  it('rethrows errors that are not throttling', async () => {
    sagemakerMock.on(ListPipelineExecutionStepsCommand).rejects(serviceError('AccessDeniedException', 'not allowed'));
    await expect(
      followExecution(sagemaker, EXECUTION_ARN, { schedule: AWS_POLL_SCHEDULE, timeoutMs: 60_000, clock: fakeClock() }),
    ).rejects.toThrow('not allowed');
  });

  it('stops following at the timeout and says the execution is still running', async () => {
    const clock = fakeClock();
    serve(timeline([{ name: 'Train', start: 0, end: 99_999 }], undefined), clock);
    const result = await followExecution(sagemaker, EXECUTION_ARN, {
      schedule: AWS_POLL_SCHEDULE,
      timeoutMs: 10 * 60_000,
      clock,
    });
    expect(result).toMatchObject({ status: 'Executing', timedOut: true });
    expect(clock.time()).toBe(10 * 60_000);
  });

  it('returns a failed execution with its reason and the failed step', async () => {
    const clock = fakeClock();
    serve(
      timeline(
        [{ name: 'Train', start: 0, end: 20, status: 'Failed', failureReason: 'AlgorithmError: bad hyperparameter' }],
        { at: 20, status: 'Failed', reason: 'Step failure: One or multiple steps failed.' },
      ),
      clock,
    );
    const result = await followExecution(sagemaker, EXECUTION_ARN, {
      schedule: AWS_POLL_SCHEDULE,
      timeoutMs: 3_600_000,
      clock,
    });
    expect(result).toMatchObject({ status: 'Failed', failureReason: 'Step failure: One or multiple steps failed.' });
    expect(result.steps[0]).toMatchObject({
      name: 'Train',
      status: 'Failed',
      failureReason: 'AlgorithmError: bad hyperparameter',
    });
  });
});
