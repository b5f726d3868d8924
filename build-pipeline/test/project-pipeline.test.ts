/**
 * The project's pipeline (build-pipeline/pipeline.ts): its compiled definition is pinned by a golden file, and
 * the parts the seed code relies on (SEED-CONTRACT, documented in seed/README.md) are checked one by one.
 *
 * The golden compile uses a fixed config and stand-in seed files (test/fixtures), so only a change to the
 * pipeline or the SDK moves it. Update it deliberately with `npm run golden:update -w @slipway/build-pipeline`.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CompileResult, JsonObject, StepDefinition } from '@slipway/build-pipeline';
import {
  FIXTURE_SEED_DIR,
  GOLDEN_ROLE_ARN as roleArn,
  GOLDEN_TRAINING_ROLE_ARN as trainingRoleArn,
  compileProjectPipelineFor,
  expectGoldenDefinition,
} from './support/golden.js';
import { tarEntries } from './support/tar-entries.js';

const HERE = import.meta.dirname;
const REPO = join(HERE, '..', '..');
const GOLDEN = join(HERE, 'golden', 'pipeline.definition.json');

function compileWith(seedDir: string): CompileResult {
  return compileProjectPipelineFor({ seedDir });
}

const result = compileWith(FIXTURE_SEED_DIR);
const steps = result.definition.Steps;
const byName = (name: string, list: readonly StepDefinition[] = steps): StepDefinition => {
  const found = list.find((step) => step.Name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
};
const args = (name: string, list?: readonly StepDefinition[]): JsonObject => byName(name, list).Arguments;
const condition = args('CheckAccuracy') as unknown as {
  Conditions: JsonObject[];
  IfSteps: StepDefinition[];
  ElseSteps: StepDefinition[];
};

describe("the project's pipeline", () => {
  it('compiles to the checked-in golden definition', async () => {
    await expectGoldenDefinition(result.json, GOLDEN);
    expect(compileWith(FIXTURE_SEED_DIR).json).toBe(result.json);
    expect(result.warnings).toEqual([]);
  });

  it('has the contract’s steps: Preprocess → Train → Evaluate, ChecksumModel, Baseline → CheckAccuracy → RegisterModel + CreateModel | AccuracyTooLow', () => {
    expect(steps.map((step) => [step.Name, step.Type])).toEqual([
      ['Preprocess', 'Processing'],
      ['Train', 'Training'],
      ['Evaluate', 'Processing'],
      ['ChecksumModel', 'Processing'],
      ['Baseline', 'Processing'],
      ['CheckAccuracy', 'Condition'],
    ]);
    expect(condition.IfSteps.map((step) => [step.Name, step.Type])).toEqual([
      ['RegisterModel', 'RegisterModel'],
      ['CreateModel', 'Model'],
    ]);
    expect(condition.ElseSteps.map((step) => [step.Name, step.Type])).toEqual([['AccuracyTooLow', 'Fail']]);
  });

  it('has the contract’s parameters, types and defaults', () => {
    const parameters = Object.fromEntries(
      result.definition.Parameters.map((parameter) => [parameter.Name, [parameter.Type, parameter.DefaultValue]]),
    );
    expect(parameters).toEqual({
      InputDataUrl: [
        'String',
        expect.stringMatching(
          /^s3:\/\/slipway-golden-p-g01den0000ab\/golden-pipeline\/data\/[0-9a-f]{64}\/reviews\.csv$/,
        ),
      ],
      ProcessingInstanceType: ['String', 'ml.m5.xlarge'],
      ProcessingInstanceCount: ['Integer', 1],
      TrainingInstanceType: ['String', 'ml.m5.xlarge'],
      MinAccuracy: ['Float', 0.7],
      ModelApprovalStatus: ['String', 'PendingManualApproval'],
      MaxFeatures: ['Integer', 20000],
      NgramMax: ['Integer', 2],
      Regularization: ['Float', 4],
      SourceRevision: ['String', 'unknown'],
      SourceRepository: ['String', 'unknown'],
      SourceRunUrl: ['String', 'unknown'],
      SourcePipelineVersion: ['String', 'unknown'],
    });
    expect(
      result.definition.Parameters.find((parameter) => parameter.Name === 'ModelApprovalStatus')?.EnumValues,
    ).toEqual(['PendingManualApproval', 'Approved', 'Rejected']);
  });

  it('runs preprocess.py with the contract’s arguments, input and outputs', () => {
    const preprocess = args('Preprocess') as unknown as {
      AppSpecification: { ImageUri: string; ContainerEntrypoint: string[]; ContainerArguments: string[] };
      ProcessingInputs: { InputName: string; S3Input: { S3Uri: unknown; LocalPath: string } }[];
      ProcessingOutputConfig: { Outputs: { OutputName: string; S3Output: { LocalPath: string } }[] };
    };
    expect(preprocess.AppSpecification.ImageUri).toBe(
      '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    );
    expect(preprocess.AppSpecification.ContainerEntrypoint).toEqual([
      'python3',
      '/opt/ml/processing/input/code/preprocess.py',
    ]);
    expect(preprocess.AppSpecification.ContainerArguments).toEqual([
      '--train-ratio',
      '0.7',
      '--validation-ratio',
      '0.15',
      '--test-ratio',
      '0.15',
      '--random-seed',
      '42',
      '--balance',
      'true',
    ]);
    expect(preprocess.ProcessingInputs.map((input) => [input.InputName, input.S3Input.LocalPath])).toEqual([
      ['data', '/opt/ml/processing/input/data'],
      ['code', '/opt/ml/processing/input/code'],
    ]);
    expect(preprocess.ProcessingInputs[0]!.S3Input.S3Uri).toEqual({ Get: 'Parameters.InputDataUrl' });
    expect(
      preprocess.ProcessingOutputConfig.Outputs.map((output) => [output.OutputName, output.S3Output.LocalPath]),
    ).toEqual([
      ['train', '/opt/ml/processing/output/train'],
      ['validation', '/opt/ml/processing/output/validation'],
      ['test', '/opt/ml/processing/output/test'],
    ]);
  });

  it('trains train.py in script mode with inference.py in the bundle, both channels and the hyperparameters', () => {
    const train = args('Train') as unknown as {
      AlgorithmSpecification: { TrainingImage: string; MetricDefinitions: unknown[] };
      InputDataConfig: { ChannelName: string; DataSource: { S3DataSource: { S3Uri: unknown } } }[];
      HyperParameters: Record<string, unknown>;
    };
    expect(train.AlgorithmSpecification.TrainingImage).toBe(
      '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    );
    expect(train.AlgorithmSpecification.MetricDefinitions).toEqual([
      { Name: 'validation:accuracy', Regex: 'validation_accuracy=([0-9.]+)' },
    ]);
    expect(
      train.InputDataConfig.map((channel) => [channel.ChannelName, channel.DataSource.S3DataSource.S3Uri]),
    ).toEqual([
      ['train', { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri" }],
      ['validation', { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri" }],
    ]);
    expect(Object.keys(train.HyperParameters)).toEqual([
      'max-features',
      'ngram-max',
      'min-df',
      'regularization',
      'sagemaker_submit_directory',
      'sagemaker_program',
      'sagemaker_container_log_level',
      'sagemaker_region',
    ]);
    expect(train.HyperParameters['sagemaker_program']).toBe('"train.py"');
    expect(train.HyperParameters['max-features']).toEqual({
      'Std:Join': { On: '', Values: [{ Get: 'Parameters.MaxFeatures' }] },
    });
    const bundle = result.assets.find((asset) => asset.key.endsWith('sourcedir.tar.gz'))!;
    expect(train.HyperParameters['sagemaker_submit_directory']).toBe(JSON.stringify(bundle.s3Uri));
    expect(tarEntries(bundle.bytes!).map((entry) => entry.path)).toEqual(['inference.py', 'train.py']);
  });

  it('evaluates the model on the test split and reads accuracy back through the EvaluationReport property file', () => {
    const evaluate = byName('Evaluate');
    const inputs = (
      evaluate.Arguments as unknown as {
        ProcessingInputs: { InputName: string; S3Input: { S3Uri: unknown; LocalPath: string } }[];
      }
    ).ProcessingInputs;
    expect(inputs.map((input) => [input.InputName, input.S3Input.S3Uri, input.S3Input.LocalPath])).toEqual([
      ['model', { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' }, '/opt/ml/processing/model'],
      [
        'test',
        { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['test'].S3Output.S3Uri" },
        '/opt/ml/processing/test',
      ],
      ['code', expect.stringMatching(/\/evaluate\.py$/), '/opt/ml/processing/input/code'],
    ]);
    expect(evaluate.PropertyFiles).toEqual([
      { PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' },
    ]);
    expect(condition.Conditions).toEqual([
      {
        Type: 'GreaterThanOrEqualTo',
        LeftValue: {
          'Std:JsonGet': {
            PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' },
            Path: 'multiclass_classification_metrics.accuracy.value',
          },
        },
        RightValue: { Get: 'Parameters.MinAccuracy' },
      },
    ]);
    expect(JSON.stringify(args('AccuracyTooLow', condition.ElseSteps))).toContain(
      'multiclass_classification_metrics.accuracy.value',
    );
  });

  it('computes the drift baseline with monitoring.py on the validation split, loading the model with evaluate.py', () => {
    const baseline = args('Baseline') as unknown as {
      AppSpecification: { ImageUri: string; ContainerEntrypoint: string[]; ContainerArguments: string[] };
      ProcessingInputs: { InputName: string; S3Input: { S3Uri: unknown; LocalPath: string } }[];
      ProcessingOutputConfig: { Outputs: { OutputName: string; S3Output: { LocalPath: string } }[] };
    };
    const evaluate = args('Evaluate') as unknown as typeof baseline;
    expect(baseline.AppSpecification).toEqual({
      ImageUri: evaluate.AppSpecification.ImageUri,
      ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/monitoring.py'],
      ContainerArguments: ['baseline'],
    });
    const evaluateCode = evaluate.ProcessingInputs.find((input) => input.InputName === 'code')!.S3Input.S3Uri;
    expect(
      baseline.ProcessingInputs.map((input) => [input.InputName, input.S3Input.S3Uri, input.S3Input.LocalPath]),
    ).toEqual([
      ['model', { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' }, '/opt/ml/processing/model'],
      [
        'validation',
        { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['validation'].S3Output.S3Uri" },
        '/opt/ml/processing/validation',
      ],
      // evaluate.py's own asset: the Baseline step reads the model with the code Evaluate runs.
      ['evaluate', evaluateCode, '/opt/ml/processing/input/evaluate'],
      ['code', expect.stringMatching(/\/monitoring\.py$/), '/opt/ml/processing/input/code'],
    ]);
    expect(
      baseline.ProcessingOutputConfig.Outputs.map((output) => [output.OutputName, output.S3Output.LocalPath]),
    ).toEqual([['baseline', '/opt/ml/processing/baseline']]);
  });

  it('registers the baseline with the version: ModelDataQuality metrics and DriftCheckBaselines', () => {
    const file = (name: string) => ({
      ContentType: 'application/json',
      S3Uri: {
        'Std:Join': {
          On: '/',
          Values: [{ Get: "Steps.Baseline.ProcessingOutputConfig.Outputs['baseline'].S3Output.S3Uri" }, name],
        },
      },
    });
    const dataQuality = { Statistics: file('statistics.json'), Constraints: file('constraints.json') };
    const register = args('RegisterModel', condition.IfSteps) as unknown as {
      ModelMetrics: JsonObject;
      DriftCheckBaselines: JsonObject;
    };
    expect(register.ModelMetrics['ModelDataQuality']).toEqual(dataQuality);
    expect(register.DriftCheckBaselines).toEqual({ ModelDataQuality: dataQuality });
  });

  it('registers into the config’s group with the serving image, metrics and the source it was built from', () => {
    const register = args('RegisterModel', condition.IfSteps);
    expect(register).toMatchObject({
      ModelPackageGroupName: 'golden-models',
      ModelApprovalStatus: { Get: 'Parameters.ModelApprovalStatus' },
      InferenceSpecification: {
        Containers: [
          {
            Image: '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
            ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
            Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
          },
        ],
        SupportedContentTypes: ['application/json', 'text/csv'],
        SupportedResponseMIMETypes: ['application/json', 'text/csv'],
      },
      ModelMetrics: {
        ModelQuality: {
          Statistics: {
            ContentType: 'application/json',
            S3Uri: {
              'Std:Join': {
                On: '/',
                Values: [
                  { Get: "Steps.Evaluate.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri" },
                  'evaluation.json',
                ],
              },
            },
          },
        },
      },
      CustomerMetadataProperties: {
        source_revision: { Get: 'Parameters.SourceRevision' },
        source_repository: { Get: 'Parameters.SourceRepository' },
        source_run_url: { Get: 'Parameters.SourceRunUrl' },
        source_pipeline_version: { Get: 'Parameters.SourcePipelineVersion' },
        'slipway:model-data-sha256': {
          'Std:JsonGet': {
            PropertyFile: { Get: 'Steps.ChecksumModel.PropertyFiles.ChecksumModelReport' },
            Path: 'sha256',
          },
        },
      },
    });
    expect(args('CreateModel', condition.IfSteps)).toMatchObject({
      ExecutionRoleArn: roleArn,
      PrimaryContainer: { ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } },
    });
  });

  it("trains as the training role, into the models/ prefix only it may write, and records the model's SHA-256", () => {
    expect(args('Train')).toMatchObject({
      RoleArn: trainingRoleArn,
      OutputDataConfig: { S3OutputPath: 's3://slipway-golden-p-g01den0000ab/models/golden-pipeline' },
    });
    for (const name of ['Preprocess', 'Evaluate', 'ChecksumModel']) expect(args(name).RoleArn).toBe(roleArn);
    expect(args('ChecksumModel')).toMatchObject({
      AppSpecification: { ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/model_data_checksum.py'] },
      ProcessingInputs: [
        expect.objectContaining({
          InputName: 'model',
          S3Input: expect.objectContaining({ S3Uri: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }),
        }),
        expect.objectContaining({ InputName: 'code' }),
      ],
    });
    expect(byName('ChecksumModel').PropertyFiles).toEqual([
      { PropertyFileName: 'ChecksumModelReport', OutputName: 'checksum', FilePath: 'checksum.json' },
    ]);
  });

  it('caches the job steps and retries throttling and capacity errors', () => {
    for (const name of ['Preprocess', 'Train', 'Evaluate', 'ChecksumModel', 'Baseline']) {
      const step = byName(name);
      expect(step.CacheConfig).toEqual({ Enabled: true, ExpireAfter: 'P30D' });
      expect(step.RetryPolicies?.flatMap((policy) => policy.ExceptionType)).toEqual(
        expect.arrayContaining(['Step.THROTTLING', 'SageMaker.CAPACITY_ERROR']),
      );
    }
    expect(byName('RegisterModel', condition.IfSteps).RetryPolicies?.flatMap((policy) => policy.ExceptionType)).toEqual(
      ['Step.THROTTLING', 'Step.SERVICE_FAULT'],
    );
  });

  const seedDir = join(REPO, 'seed');
  const seedFiles = ['preprocess.py', 'train.py', 'evaluate.py', 'inference.py', 'monitoring.py', 'data/reviews.csv'];
  const seedReady = seedFiles.every((file) => existsSync(join(seedDir, file)));
  (seedReady ? it : it.skip)(
    seedReady
      ? 'compiles with the real seed code'
      : `compiles with the real seed code — SKIPPED: seed/ lacks ${seedFiles.filter((file) => !existsSync(join(seedDir, file))).join(', ')}`,
    () => {
      const real = compileWith(seedDir);
      expect(real.assets.map((asset) => asset.key.split('/').pop())).toEqual(
        expect.arrayContaining(['preprocess.py', 'evaluate.py', 'monitoring.py', 'sourcedir.tar.gz', 'reviews.csv']),
      );
    },
  );
});
