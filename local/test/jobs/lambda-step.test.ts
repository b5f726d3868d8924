import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreatePipelineCommand, StopPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { lambdaFunctionName } from '../../src/engine/steps/lambda-functions.js';
import {
  ROLE,
  definition,
  runPipeline,
  startTestServer,
  stepsByName,
  tempDir,
  waitForExecution,
  type TestServer,
} from '../support/harness.js';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** A repository with handler files, mapped in `local.lambdaFunctions` as a project would. */
function handlerRepository(): string {
  const root = tempDir('slipway-lambda-');
  mkdirSync(join(root, 'lambdas'));
  writeFileSync(
    join(root, 'lambdas', 'threshold.py'),
    [
      'import sys',
      'def handler(event, context):',
      '    print("scoring", event["model"], file=sys.stderr)',
      '    score = float(event["score"])',
      '    return {"passed": score >= 0.8, "score": score, "label": event["model"] + "-ok", "count": 3,',
      '            "remaining_ok": context.get_remaining_time_in_millis() > 0, "name": context.function_name}',
      'def explode(event, context):',
      '    raise ValueError("the threshold table is empty")',
      'def sleepy(event, context):',
      '    import time',
      '    time.sleep(30)',
      'def wrong(event, context):',
      '    return {"passed": "yes", "score": 1, "label": "x", "count": 3}',
    ].join('\n'),
  );
  writeFileSync(
    join(root, 'lambdas', 'versions.py'),
    'import sklearn\ndef handler(event, context):\n    return {"sklearn": sklearn.__version__}\n',
  );
  writeFileSync(
    join(root, 'lambdas', 'tag.mjs'),
    'export async function handler(event, context) {\n' +
      '  return { tag: `${event.prefix}-${context.functionName}`, ok: true };\n}\n',
  );
  return root;
}

function lambdaStep(name: string, functionArn: string, extra: object = {}) {
  return {
    Name: name,
    Type: 'Lambda',
    FunctionArn: functionArn,
    Arguments: { model: 'm-1', score: { Get: 'Parameters.Score' } },
    OutputParameters: [
      { OutputName: 'passed', OutputType: 'Boolean' },
      { OutputName: 'score', OutputType: 'Float' },
      { OutputName: 'label', OutputType: 'String' },
      { OutputName: 'count', OutputType: 'Integer' },
    ],
    ...extra,
  };
}

/** A Lambda step whose typed outputs feed a Condition; the Else branch fails. */
function gatedPipeline(functionArn: string, extra: object = {}) {
  return definition(
    [
      lambdaStep('Score', functionArn, extra),
      {
        Name: 'Gate',
        Type: 'Condition',
        Arguments: {
          Conditions: [
            { Type: 'Equals', LeftValue: { Get: "Steps.Score.OutputParameters['passed']" }, RightValue: true },
            {
              Type: 'GreaterThanOrEqualTo',
              LeftValue: { Get: "Steps.Score.OutputParameters['count']" },
              RightValue: 3,
            },
          ],
          IfSteps: [],
          ElseSteps: [{ Name: 'TooLow', Type: 'Fail', Arguments: { ErrorMessage: 'below threshold' } }],
        },
      },
    ],
    [{ Name: 'Score', Type: 'String', DefaultValue: '0.9' }],
  );
}

describe('Lambda steps', () => {
  let t: TestServer;
  let root: string;
  beforeAll(async () => {
    root = handlerRepository();
    t = await startTestServer({
      lambdaFunctions: {
        rootDir: root,
        functions: {
          'score-model': { file: 'lambdas/threshold.py' },
          [ARN('explode')]: { file: 'lambdas/threshold.py', function: 'explode' },
          sleepy: { file: 'lambdas/threshold.py', function: 'sleepy' },
          wrong: { file: 'lambdas/threshold.py', function: 'wrong' },
          absent: { file: 'lambdas/threshold.py', function: 'not_there' },
          gone: { file: 'lambdas/deleted.py' },
          tagger: { file: 'lambdas/tag.mjs' },
          versions: { file: 'lambdas/versions.py', runtime: 'sklearn-1.2-1' },
          nowhere: { file: 'lambdas/versions.py', runtime: 'no-such-runtime' },
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reads the function name from an ARN, with or without a qualifier', () => {
    expect(lambdaFunctionName(ARN('f'))).toBe('f');
    expect(lambdaFunctionName(`${ARN('f')}:prod`)).toBe('f');
    expect(lambdaFunctionName('just-a-name')).toBe('just-a-name');
  });

  it("runs the Python handler with the step's Arguments; its typed outputs decide a later Condition", async () => {
    // Before: every Lambda step was refused at CreatePipeline.
    const passing = await runPipeline(t.sagemaker, 'lambda-pass', gatedPipeline(ARN('score-model')), { Score: '0.91' });
    expect((await waitForExecution(t.sagemaker, passing)).PipelineExecutionStatus).toBe('Succeeded');
    const steps = await stepsByName(t.sagemaker, passing);
    expect(steps['Gate']!.Metadata?.Condition?.Outcome).toBe('True');
    expect(steps['Score']!.Metadata?.Lambda).toEqual({
      Arn: ARN('score-model'),
      OutputParameters: [
        { Name: 'passed', Value: 'true' },
        { Name: 'score', Value: '0.91' },
        { Name: 'label', Value: 'm-1-ok' },
        { Name: 'count', Value: '3' },
      ],
    });

    const failing = await runPipeline(t.sagemaker, 'lambda-low', gatedPipeline(ARN('score-model')), { Score: '0.2' });
    const done = await waitForExecution(t.sagemaker, failing);
    expect(done.PipelineExecutionStatus).toBe('Failed');
    expect((await stepsByName(t.sagemaker, failing))['Gate']!.Metadata?.Condition?.Outcome).toBe('False');
  }, 60_000);

  it('runs a Node module handler, found by function name', async () => {
    const pipeline = definition([
      {
        Name: 'Tag',
        Type: 'Lambda',
        FunctionArn: `${ARN('tagger')}:live`,
        Arguments: { prefix: 'v1' },
        OutputParameters: [
          { OutputName: 'tag', OutputType: 'String' },
          { OutputName: 'ok', OutputType: 'Boolean' },
        ],
      },
    ]);
    const arn = await runPipeline(t.sagemaker, 'lambda-node', pipeline);
    expect((await waitForExecution(t.sagemaker, arn)).PipelineExecutionStatus).toBe('Succeeded');
    expect((await stepsByName(t.sagemaker, arn))['Tag']!.Metadata?.Lambda?.OutputParameters).toEqual([
      { Name: 'tag', Value: 'v1-tagger' },
      { Name: 'ok', Value: 'true' },
    ]);
  }, 30_000);

  it('runs a Python handler in the local runtime its entry names', async () => {
    const pipeline = (functionArn: string) =>
      definition([
        {
          Name: 'Versions',
          Type: 'Lambda',
          FunctionArn: functionArn,
          Arguments: {},
          OutputParameters: [{ OutputName: 'sklearn', OutputType: 'String' }],
        },
      ]);
    const arn = await runPipeline(t.sagemaker, 'lambda-runtime', pipeline(ARN('versions')));
    expect((await waitForExecution(t.sagemaker, arn)).PipelineExecutionStatus).toBe('Succeeded');
    expect((await stepsByName(t.sagemaker, arn))['Versions']!.Metadata?.Lambda?.OutputParameters).toEqual([
      // The runtime's scikit-learn (1.2.x), which the server's own Python does not have.
      { Name: 'sklearn', Value: expect.stringMatching(/^1\.2\./) },
    ]);
    const unknown = await runPipeline(t.sagemaker, 'lambda-no-runtime', pipeline(ARN('nowhere')));
    expect((await waitForExecution(t.sagemaker, unknown)).PipelineExecutionStatus).toBe('Failed');
    expect((await stepsByName(t.sagemaker, unknown))['Versions']!.FailureReason).toMatch(
      /could not run: the runtime "no-such-runtime" named for it is not a local runtime \(known: .*sklearn-1\.2-1.*\); fix its "runtime" in local\.lambdaFunctions/,
    );
  }, 120_000);

  it("fails the step with the handler's error, a wrong output type, a missing function or file", async () => {
    const cases: [string, string, RegExp][] = [
      [ARN('explode'), 'explode', /failed: ValueError: the threshold table is empty$/],
      [
        ARN('wrong'),
        'wrong',
        /the handler returned passed = "yes", but the step declares it Boolean; return a boolean or change its OutputType/,
      ],
      [
        ARN('absent'),
        'absent',
        /local handler is missing: .*threshold\.py has no function 'not_there'\. Define it, or name the right function in local\.lambdaFunctions\["absent"\] in slipway\.config\.json\.function/,
      ],
      [
        ARN('gone'),
        'gone',
        /local handler file .*deleted\.py does not exist: create it, or fix local\.lambdaFunctions\["gone"\] in slipway\.config\.json\.file/,
      ],
    ];
    for (const [functionArn, name, reason] of cases) {
      const arn = await runPipeline(t.sagemaker, `lambda-${name}`, gatedPipeline(functionArn));
      expect((await waitForExecution(t.sagemaker, arn)).PipelineExecutionStatus).toBe('Failed');
      const step = (await stepsByName(t.sagemaker, arn))['Score']!;
      expect(step.StepStatus).toBe('Failed');
      expect(step.FailureReason).toMatch(reason);
    }
  }, 60_000);

  it("ends a handler that outlives the step's TimeoutInSeconds", async () => {
    const started = Date.now();
    const arn = await runPipeline(t.sagemaker, 'lambda-timeout', gatedPipeline(ARN('sleepy'), { TimeoutInSeconds: 1 }));
    expect((await waitForExecution(t.sagemaker, arn)).PipelineExecutionStatus).toBe('Failed');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await stepsByName(t.sagemaker, arn))['Score']!.FailureReason).toMatch(
      /The Lambda function .*sleepy timed out after 1 s \(the step's TimeoutInSeconds\)/,
    );
  }, 30_000);

  it('stops a running handler when the execution is stopped', async () => {
    const started = Date.now();
    const arn = await runPipeline(t.sagemaker, 'lambda-stop', gatedPipeline(ARN('sleepy')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    await t.sagemaker.send(
      new StopPipelineExecutionCommand({
        PipelineExecutionArn: arn,
        ClientRequestToken: 'stop-the-lambda-step-while-it-runs-0001',
      }),
    );
    expect((await waitForExecution(t.sagemaker, arn)).PipelineExecutionStatus).toBe('Stopped');
    // The 30 s handler was ended, not waited for.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await stepsByName(t.sagemaker, arn))['Score']!.StepStatus).toBe('Stopped');
  }, 30_000);

  it('refuses at CreatePipeline a function with no local handler, naming local.lambdaFunctions', async () => {
    const attempt = t.sagemaker.send(
      new CreatePipelineCommand({
        PipelineName: 'lambda-unmapped',
        RoleArn: ROLE,
        PipelineDefinition: JSON.stringify(gatedPipeline(ARN('nobody'), { TimeoutInSeconds: 0 })),
      }),
    );
    await expect(attempt).rejects.toThrow(
      /Steps\[0\]\.FunctionArn \(step "Score", type Lambda\) is "arn:aws:lambda:us-east-1:000000000000:function:nobody", which has no local handler: the local server runs a Lambda step's function from local\.lambdaFunctions in slipway\.config\.json \(it maps score-model, .*\).*map it to a local handler in local\.lambdaFunctions in slipway\.config\.json, e\.g\. \{"local":\{"lambdaFunctions":\{"nobody":/s,
    );
    await expect(attempt).rejects.toThrow(/Steps\[0\]\.TimeoutInSeconds \(step "Score"\) must be a whole number/);
  });
});
