import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  CreatePipelineCommand,
  DescribePipelineCommand,
  ListPipelineExecutionStepsCommand,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import {
  ROLE,
  definition,
  startTestServer,
  waitForExecution,
  type TestServer,
} from '../../local/test/support/harness.js';
import { SleepRunner } from '../../local/test/support/subprocess-runner.js';
import { recordFigures, runs } from './support/reliability.js';

/**
 * Property: any CreatePipeline (a valid seed-shaped definition mutated at a random place, a definition
 * assembled from random parts, random JSON, random text) is either accepted or refused with a
 * ValidationException naming the problem, never an internal error, and a refused one leaves nothing behind.
 * An accepted one can be started, and its execution ends (Succeeded, Failed or Stopped) with every step ended.
 */

const outputs = (name: string) => ({
  Outputs: [
    {
      OutputName: name,
      S3Output: {
        S3Uri: { 'Std:Join': { On: '/', Values: ['s3://fuzz/runs', { Get: 'Execution.PipelineExecutionId' }, name] } },
        LocalPath: `/opt/ml/processing/${name}`,
        S3UploadMode: 'EndOfJob',
      },
    },
  ],
});

const PREP = {
  Name: 'Prep',
  Type: 'Processing',
  Arguments: {
    AppSpecification: { ImageUri: 'test/sleep' },
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 } },
    RoleArn: ROLE,
    Environment: { SLEEP_MS: '0', CONTENT_evaluation: '{"accuracy": 0.9}' },
    ProcessingOutputConfig: outputs('evaluation'),
  },
  PropertyFiles: [{ PropertyFileName: 'Report', OutputName: 'evaluation', FilePath: 'result.json' }],
  RetryPolicies: [{ ExceptionType: ['Step.SERVICE_FAULT'], IntervalSeconds: 1, BackoffRate: 1, MaxAttempts: 1 }],
};
const TRAIN = {
  Name: 'Train',
  Type: 'Training',
  CacheConfig: { Enabled: true, ExpireAfter: 'PT1H' },
  DependsOn: ['Prep'],
  Arguments: {
    AlgorithmSpecification: { TrainingImage: 'test/sleep', TrainingInputMode: 'File' },
    HyperParameters: { epochs: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Epochs' }] } } },
    OutputDataConfig: { S3OutputPath: 's3://fuzz/models' },
    ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 30 },
    RoleArn: ROLE,
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    Environment: { SLEEP_MS: '0' },
  },
};
const ACCURACY = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Prep.PropertyFiles.Report' }, Path: 'accuracy' } };
const REGISTER = {
  Name: 'Register',
  Type: 'RegisterModel',
  Arguments: {
    ModelPackageGroupName: 'fuzz-models',
    InferenceSpecification: {
      Containers: [{ Image: 'img:1', ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }],
    },
  },
};
const STOP = {
  Name: 'Stop',
  Type: 'Fail',
  Arguments: { ErrorMessage: { 'Std:Join': { On: ' ', Values: ['low', ACCURACY] } } },
};
const CHECK = {
  Name: 'Check',
  Type: 'Condition',
  Arguments: {
    Conditions: [{ Type: 'GreaterThanOrEqualTo', LeftValue: ACCURACY, RightValue: { Get: 'Parameters.Threshold' } }],
    IfSteps: [REGISTER],
    ElseSteps: [STOP],
  },
};
const SEED = definition(
  [PREP, TRAIN, CHECK],
  [
    { Name: 'Threshold', Type: 'Float', DefaultValue: 0.5 },
    { Name: 'Epochs', Type: 'Integer', DefaultValue: 2 },
  ],
) as Record<string, unknown>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a JSON value (object keys and array indexes). */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => found.push(...paths(item, [...prefix, index])));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  return found;
}

/** A copy of `value` with the node at `path` deleted or replaced. */
function mutate(value: Json, path: (string | number)[], replacement: Json | undefined): Json {
  if (path.length === 0) return replacement ?? null;
  const copy: Json = Array.isArray(value) ? [...value] : { ...(value as Record<string, Json>) };
  const [head, ...rest] = path;
  const container = copy as Record<string | number, Json>;
  if (rest.length === 0) {
    if (replacement !== undefined) container[head!] = replacement;
    else if (Array.isArray(copy)) copy.splice(head as number, 1);
    else return Object.fromEntries(Object.entries(copy).filter(([key]) => key !== head));
    return copy;
  }
  container[head!] = mutate(container[head!]!, rest, replacement);
  return copy;
}

const tricky = fc.constantFrom<Json>(
  '',
  'x'.repeat(300),
  -1,
  1e308,
  0,
  true,
  null,
  [],
  {},
  { Get: 'Steps.Nowhere.Properties' },
  { Get: 'Parameters.Missing' },
  { Get: 'Execution.Nope' },
  { 'Std:Join': { On: 5, Values: 'x' } },
  { 'Std:JsonGet': { PropertyFile: 'x', Path: '' } },
  ['Prep', 'Prep'],
  ['Check'],
  'Prep',
  'é🎉\u0000',
  '..',
  { Type: 'Lambda', Name: 'L', Arguments: {} },
);
const replacement = fc.oneof(
  { weight: 3, arbitrary: tricky },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
);
const mutated = fc
  .tuple(fc.nat(), fc.option(replacement, { nil: undefined }), fc.nat(), fc.option(replacement, { nil: undefined }))
  .map(([first, r1, second, r2]) => {
    let value = SEED as Json;
    for (const [pick, r] of [
      [first, r1],
      [second, r2],
    ] as const) {
      const all = paths(value);
      value = mutate(value, all[pick % all.length]!, r);
    }
    return JSON.stringify(value);
  });
const stepName = fc.oneof(
  fc.constantFrom('Prep', 'Train', 'Check', 'Register', 'Stop', 'A', 'A'),
  fc.string({ maxLength: 70 }),
);
const assembled = fc
  .record({
    names: fc.array(stepName, { minLength: 0, maxLength: 6 }),
    dependsOn: fc.array(fc.array(stepName, { maxLength: 3 }), { maxLength: 6 }),
    types: fc.array(
      fc.constantFrom('Processing', 'Training', 'Condition', 'Fail', 'RegisterModel', 'Model', 'Lambda', 'Nope'),
      {
        maxLength: 6,
      },
    ),
    version: fc.constantFrom('2020-12-01', '2019-01-01', ''),
  })
  .map(({ names, dependsOn, types, version }) =>
    JSON.stringify({
      ...SEED,
      Version: version,
      Steps: names.map((name, index) => {
        const template = [PREP, TRAIN, CHECK, REGISTER, STOP][index % 5]!;
        return { ...template, Name: name, Type: types[index] ?? template.Type, DependsOn: dependsOn[index] ?? [] };
      }),
    }),
  );
const deep = fc.integer({ min: 1, max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
const definitionText = fc.oneof(
  { weight: 6, arbitrary: mutated },
  { weight: 3, arbitrary: assembled },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: deep },
);

describe('reliability: fuzzing pipeline definitions (CreatePipeline, then a run)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      runners: { Processing: new SleepRunner('Processing'), Training: new SleepRunner('Training') },
    });
    await t.s3.send(new CreateBucketCommand({ Bucket: 'fuzz' }));
  });
  afterAll(async () => {
    await t.close();
  });

  const numRuns = runs(100, 1500);
  it(
    `accepts or refuses ${numRuns} generated definitions with a clear error, never half-written; accepted ones run to an end`,
    async () => {
      let counter = 0;
      let refused = 0;
      let accepted = 0;
      let executions = 0;
      let lost = 0;
      await fc.assert(
        fc.asyncProperty(definitionText, async (text) => {
          counter += 1;
          const name = `fuzz-${counter}`;
          const before = t.server.store.pipelines.list().length;
          const created = await t.sagemaker
            .send(new CreatePipelineCommand({ PipelineName: name, RoleArn: ROLE, PipelineDefinition: text }))
            .then(
              () => undefined,
              (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } },
            );
          if (created) {
            refused += 1;
            expect(created.name).toBe('ValidationException');
            expect(created.$metadata?.httpStatusCode).toBe(400);
            expect(created.message.length).toBeGreaterThan(15);
            // Nothing half-written: no pipeline of that name, no other pipeline appeared or went.
            const described = await t.sagemaker
              .send(new DescribePipelineCommand({ PipelineName: name }))
              .catch((error: unknown) => error as Error);
            if (!(described instanceof Error) || described.name !== 'ResourceNotFound') lost += 1;
            expect(described).toMatchObject({ name: 'ResourceNotFound' });
            expect(t.server.store.pipelines.list().length).toBe(before);
            return;
          }
          accepted += 1;
          const started = await t.sagemaker
            .send(new StartPipelineExecutionCommand({ PipelineName: name }))
            .catch((error: unknown) => error as Error);
          if (started instanceof Error) {
            expect(started.name).toBe('ValidationException');
            return;
          }
          executions += 1;
          const ended = await waitForExecution(t.sagemaker, started.PipelineExecutionArn!, 20_000);
          expect(['Succeeded', 'Failed', 'Stopped']).toContain(ended.PipelineExecutionStatus);
          const steps = await t.sagemaker.send(
            new ListPipelineExecutionStepsCommand({
              PipelineExecutionArn: started.PipelineExecutionArn!,
              MaxResults: 100,
            }),
          );
          for (const step of steps.PipelineExecutionSteps ?? []) {
            expect(['Succeeded', 'Failed', 'Stopped']).toContain(step.StepStatus);
          }
        }),
        { numRuns, endOnFailure: true },
      );
      recordFigures('definitions-fuzz', {
        inputs: counter,
        crashes: 0,
        dataLost: lost,
        faultsSurvived: refused,
        notes: `${accepted} accepted, ${executions} of them started and ran to an end`,
      });
      // The generators must reach both sides for the property to say anything.
      expect(refused).toBeGreaterThan(0);
      expect(accepted).toBeGreaterThan(0);
    },
    numRuns * 1000 + 60_000,
  );
});
