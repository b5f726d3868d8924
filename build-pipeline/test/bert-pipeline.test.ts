/**
 * The BERT variant of the project's pipeline (`"model": "bert"`): a PyTorch estimator trains seed/bert/, the same
 * evaluate.py runs on the PyTorch image, and everything the variants share (preprocessing, the report, the condition,
 * registration, parameters) compiles exactly as in the scikit-learn variant. Pinned by its own golden file
 * (`npm run golden:update -w @slipway/build-pipeline`).
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CompileResult, JsonObject, StepDefinition } from '@slipway/build-pipeline';
import {
  GOLDEN_ROLE_ARN,
  GOLDEN_TRAINING_ROLE_ARN,
  compileProjectPipelineFor,
  expectGoldenDefinition,
} from './support/golden.js';
import { tarEntries } from './support/tar-entries.js';

const HERE = import.meta.dirname;
const REPO = join(HERE, '..', '..');
const GOLDEN = join(HERE, 'golden', 'pipeline.bert.definition.json');
const PYTORCH_TRAINING = '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-training:2.5.1-cpu-py311';
const PYTORCH_INFERENCE = '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.5.1-cpu-py311';

const compileFor = (model: 'sklearn' | 'bert', seedDir?: string): CompileResult =>
  compileProjectPipelineFor({ model, ...(seedDir ? { seedDir } : {}) });

const bert = compileFor('bert');
const sklearn = compileFor('sklearn');

function stepsOf(result: CompileResult): StepDefinition[] {
  const top = result.definition.Steps;
  const condition = top.find((step) => step.Name === 'CheckAccuracy')!.Arguments as unknown as {
    IfSteps: StepDefinition[];
    ElseSteps: StepDefinition[];
  };
  return [...top, ...condition.IfSteps, ...condition.ElseSteps];
}

const step = (result: CompileResult, name: string): StepDefinition => {
  const found = stepsOf(result).find((candidate) => candidate.Name === name);
  if (!found) throw new Error(`no step ${name}`);
  return found;
};
const args = (result: CompileResult, name: string): JsonObject => step(result, name).Arguments;

describe("the project's pipeline with the BERT variant", () => {
  it('compiles to the checked-in golden definition; the one warning says the training image follows a default', async () => {
    await expectGoldenDefinition(bert.json, GOLDEN);
    expect(compileFor('bert').json).toBe(bert.json);
    expect(bert.warnings.map((warning) => `${warning.where}: ${warning.message}`)).toEqual([
      expect.stringMatching(
        /^Train: .*the cpu image was chosen from the default \(ml\.m5\.xlarge\) of parameter TrainingInstanceType/,
      ),
    ]);
  });

  it('has the same steps, shared parameters, preprocessing, condition and failure as the scikit-learn variant', () => {
    expect(stepsOf(bert).map((s) => [s.Name, s.Type])).toEqual(stepsOf(sklearn).map((s) => [s.Name, s.Type]));
    for (const name of ['Preprocess', 'AccuracyTooLow']) expect(args(bert, name)).toEqual(args(sklearn, name));
    expect((args(bert, 'CheckAccuracy') as { Conditions: unknown }).Conditions).toEqual(
      (args(sklearn, 'CheckAccuracy') as { Conditions: unknown }).Conditions,
    );
    const parameters = (result: CompileResult): [string, unknown][] =>
      result.definition.Parameters.map((parameter) => [parameter.Name, parameter.DefaultValue]);
    const modelParameters = ['MaxFeatures', 'NgramMax', 'Regularization'];
    expect(parameters(bert)).toEqual([
      ...parameters(sklearn).slice(0, 6),
      ['PretrainedModel', 'none'],
      ['Epochs', 4],
      ...parameters(sklearn)
        .filter(([name]) => !modelParameters.includes(name))
        .slice(6),
    ]);
  });

  it('trains seed/bert/ with a PyTorch estimator: the source dir with requirements.txt, the hyperparameters, the metric', () => {
    const train = args(bert, 'Train') as unknown as {
      AlgorithmSpecification: { TrainingImage: string; MetricDefinitions: unknown[] };
      InputDataConfig: unknown[];
      HyperParameters: Record<string, unknown>;
      OutputDataConfig: unknown;
    };
    const sklearnTrain = args(sklearn, 'Train') as unknown as typeof train;
    expect(train.AlgorithmSpecification.TrainingImage).toBe(PYTORCH_TRAINING);
    expect(train.AlgorithmSpecification.MetricDefinitions).toEqual(
      sklearnTrain.AlgorithmSpecification.MetricDefinitions,
    );
    expect(train.InputDataConfig).toEqual(sklearnTrain.InputDataConfig);
    expect(train.OutputDataConfig).toEqual(sklearnTrain.OutputDataConfig);
    expect(train.HyperParameters).toMatchObject({
      'pretrained-model': { Get: 'Parameters.PretrainedModel' },
      epochs: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Epochs' }] } },
      sagemaker_program: '"train.py"',
    });
    const bundle = bert.assets.find(
      (asset) => JSON.stringify(asset.s3Uri) === train.HyperParameters['sagemaker_submit_directory'],
    )!;
    expect(tarEntries(bundle.bytes!).map((entry) => entry.path)).toEqual([
      'inference.py',
      'requirements.txt',
      'train.py',
    ]);
  });

  it("makes a deployable version as the scikit-learn variant does: the training role, the models/ prefix, the model's SHA-256", () => {
    // The deploy refuses a version without a recorded checksum, and the bucket lets only the training role write
    // under models/: a variant that built these itself could drift, so pipeline.ts builds them for both.
    for (const result of [bert, sklearn]) {
      expect(args(result, 'Train')).toMatchObject({
        RoleArn: GOLDEN_TRAINING_ROLE_ARN,
        OutputDataConfig: { S3OutputPath: 's3://slipway-golden-p-g01den0000ab/models/golden-pipeline' },
      });
    }
    expect(step(bert, 'ChecksumModel')).toEqual(step(sklearn, 'ChecksumModel'));
    expect(args(bert, 'ChecksumModel')).toMatchObject({
      RoleArn: GOLDEN_ROLE_ARN,
      ProcessingInputs: [
        expect.objectContaining({
          InputName: 'model',
          S3Input: expect.objectContaining({ S3Uri: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }),
        }),
        expect.objectContaining({ InputName: 'code' }),
      ],
    });
    const metadata = (result: CompileResult): unknown => args(result, 'RegisterModel')['CustomerMetadataProperties'];
    expect(metadata(bert)).toEqual(metadata(sklearn));
    expect(metadata(bert)).toMatchObject({
      'slipway:model-data-sha256': {
        'Std:JsonGet': {
          PropertyFile: { Get: 'Steps.ChecksumModel.PropertyFiles.ChecksumModelReport' },
          Path: 'sha256',
        },
      },
    });
  });

  it('evaluates with the same evaluate.py, inputs and report, on the PyTorch image', () => {
    const evaluate = args(bert, 'Evaluate') as unknown as { AppSpecification: { ImageUri: string } };
    const { AppSpecification: sklearnApp, ...sklearnRest } = args(sklearn, 'Evaluate') as unknown as {
      AppSpecification: { ImageUri: string; ContainerEntrypoint: string[] };
    };
    const { AppSpecification: app, ...rest } = evaluate as unknown as typeof sklearnApp & {
      AppSpecification: { ImageUri: string; ContainerEntrypoint: string[] };
    };
    expect(app).toEqual({ ...sklearnApp, ImageUri: PYTORCH_TRAINING });
    expect(rest).toEqual(sklearnRest); // the same code asset (evaluate.py's hash), inputs and outputs
    expect(step(bert, 'Evaluate').PropertyFiles).toEqual(step(sklearn, 'Evaluate').PropertyFiles);
  });

  it('computes the drift baseline with the same monitoring.py, inputs and output, on the PyTorch image', () => {
    type Job = { AppSpecification: { ImageUri: string } };
    const { AppSpecification: sklearnApp, ...sklearnRest } = args(sklearn, 'Baseline') as unknown as Job;
    const { AppSpecification: app, ...rest } = args(bert, 'Baseline') as unknown as Job;
    expect(app).toEqual({ ...sklearnApp, ImageUri: PYTORCH_TRAINING });
    expect(rest).toEqual(sklearnRest);
  });

  it('registers and creates the model with the PyTorch inference image, everything else as the scikit-learn variant', () => {
    for (const name of ['RegisterModel', 'CreateModel']) {
      const swapImage = (json: JsonObject, image: string): unknown =>
        JSON.parse(JSON.stringify(json).split(image).join('<serving image>'));
      expect(JSON.stringify(args(bert, name))).toContain(PYTORCH_INFERENCE);
      expect(swapImage(args(bert, name), PYTORCH_INFERENCE)).toEqual(
        swapImage(
          args(sklearn, name),
          '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
        ),
      );
    }
    expect(args(bert, 'RegisterModel')).toMatchObject({
      InferenceSpecification: {
        Containers: [
          {
            Image: PYTORCH_INFERENCE,
            Environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
          },
        ],
      },
    });
  });

  const seedDir = join(REPO, 'seed');
  const bertFiles = existsSync(join(seedDir, 'bert')) ? readdirSync(join(seedDir, 'bert')).sort() : [];
  it('compiles with the real seed code; the bundle is exactly what seed/bert/ ships', () => {
    expect(bertFiles).toEqual(expect.arrayContaining(['inference.py', 'requirements.txt', 'train.py']));
    const real = compileFor('bert', seedDir);
    const bundle = real.assets.find((asset) => asset.key.endsWith('sourcedir.tar.gz'))!;
    expect(tarEntries(bundle.bytes!).map((entry) => entry.path)).toEqual([
      'inference.py',
      'requirements.txt',
      'train.py',
    ]);
  });
});
