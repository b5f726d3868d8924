import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import {
  Join,
  ParameterString,
  Pipeline,
  PyTorch,
  PyTorchModel,
  CreateModelStep,
  TrainingStep,
  compile,
  frameworkImageUri,
  processorFor,
} from '@slipway/build-pipeline';
import { BuildProblem } from '../src/build-problem.js';
import { PYTORCH_ACCOUNTS } from '../src/images/pytorch-images.js';
import { SKLEARN_ACCOUNTS } from '../src/images/sklearn-images.js';

const SEED = join(import.meta.dirname, 'fixtures', 'seed');
const role = 'arn:aws:iam::123456789012:role/SageMaker';

describe('framework images', () => {
  it('scikit-learn: one CPU image per version in every commercial region of the table', () => {
    expect(Object.keys(SKLEARN_ACCOUNTS).length).toBeGreaterThanOrEqual(29);
    for (const [region, account] of Object.entries(SKLEARN_ACCOUNTS)) {
      expect(region).not.toMatch(/^(cn|us-gov|us-iso)/);
      expect(frameworkImageUri({ framework: 'sklearn', version: '1.2-1', region, scope: 'training' }).imageUri).toBe(
        `${account}.dkr.ecr.${region}.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`,
      );
    }
    expect(
      frameworkImageUri({ framework: 'sklearn', version: '1.4-2', region: 'eu-west-1', scope: 'training' }).imageUri,
    ).toBe('141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3');
    expect(
      frameworkImageUri({ framework: 'sklearn', version: '0.23-1', region: 'us-west-2', scope: 'inference' }).imageUri,
    ).toBe('246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:0.23-1-cpu-py3');
  });

  it('PyTorch: cpu or gpu from the instance family, the version as written, the Python of that version', () => {
    for (const region of Object.keys(PYTORCH_ACCOUNTS)) {
      expect(frameworkImageUri({ framework: 'pytorch', version: '2.5.1', region, scope: 'training' }).imageUri).toMatch(
        new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.amazonaws\\.com/pytorch-training:2\\.5\\.1-cpu-py311$`),
      );
    }
    const uri = (version: string, instanceType: string, scope: 'training' | 'inference' = 'training'): string =>
      frameworkImageUri({ framework: 'pytorch', version, region: 'us-west-2', scope, instanceType }).imageUri;
    expect(uri('2.1', 'ml.g5.xlarge')).toBe(
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1-gpu-py310',
    );
    expect(uri('2.1.0', 'ml.p4d.24xlarge')).toBe(
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-gpu-py310',
    );
    expect(uri('2.6', 'ml.m5.xlarge', 'inference')).toBe(
      '763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-inference:2.6-cpu-py312',
    );
    expect(processorFor('ml.c5.2xlarge')).toBe('cpu');
    expect(processorFor('ml.trn1.2xlarge')).toBe('accelerator');
  });

  it('fails with the versions and regions that exist', () => {
    const attempt = (run: () => unknown): BuildProblem => {
      try {
        run();
      } catch (error) {
        if (error instanceof BuildProblem) return error;
      }
      throw new Error('no BuildProblem');
    };
    expect(
      attempt(() =>
        frameworkImageUri({ framework: 'sklearn', version: '1.4-2', region: 'us-east-1', scope: 'inference' }),
      ),
    ).toMatchObject({
      field: 'frameworkVersion',
      fix: 'use one of 0.23-1, 1.0-1, 1.2-1',
    });
    expect(
      attempt(() =>
        frameworkImageUri({ framework: 'pytorch', version: '2.8', region: 'us-east-1', scope: 'inference' }),
      ).problem,
    ).toBe("PyTorch 2.8 has no inference image in this SDK's table");
    expect(
      attempt(() =>
        frameworkImageUri({ framework: 'sklearn', version: '1.2-1', region: 'us-gov-west-1', scope: 'training' }),
      ).problem,
    ).toBe('has no scikit-learn image in region us-gov-west-1');
    expect(
      attempt(() =>
        frameworkImageUri({
          framework: 'pytorch',
          version: '2.5',
          region: 'us-east-1',
          scope: 'training',
          instanceType: new Join({ values: ['ml.', 'g5.xlarge'] }),
        }),
      ),
    ).toMatchObject({ field: 'instanceType', problem: expect.stringMatching(/needs a literal instance type/) });
  });

  it('choose from a parameter’s default, as the Python SDK does, and warn that a run-time value would not change it', () => {
    const instanceType = new ParameterString('TrainingInstanceType', { defaultValue: 'ml.g5.2xlarge' });
    const train = new TrainingStep('Train', {
      estimator: new PyTorch({ frameworkVersion: '2.5', entryPoint: join(SEED, 'train.py'), role, instanceType }),
    });
    const model = new CreateModelStep('Model', {
      model: new PyTorchModel({
        frameworkVersion: '2.5',
        modelData: train.properties.ModelArtifacts.S3ModelArtifacts,
        role,
      }),
    });
    const result = compile(new Pipeline('images', { parameters: [instanceType], steps: [train, model] }), {
      region: 'eu-central-1',
      bucket: 'my-bucket',
    });
    const [trainStep, modelStep] = result.definition.Steps;
    expect(trainStep!.Arguments).toMatchObject({
      AlgorithmSpecification: {
        TrainingImage: '763104351884.dkr.ecr.eu-central-1.amazonaws.com/pytorch-training:2.5-gpu-py311',
        EnableSageMakerMetricsTimeSeries: true,
      },
    });
    expect(modelStep!.Arguments).toMatchObject({
      PrimaryContainer: {
        Image: '763104351884.dkr.ecr.eu-central-1.amazonaws.com/pytorch-inference:2.5-cpu-py311',
        Environment: {
          SAGEMAKER_PROGRAM: 'inference.py',
          SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code',
          SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
          SAGEMAKER_REGION: 'eu-central-1',
        },
      },
    });
    expect(result.warnings).toEqual([
      {
        where: 'Train',
        field: 'estimator',
        message: expect.stringMatching(
          /gpu image was chosen from the default \(ml.g5.2xlarge\) of parameter TrainingInstanceType/,
        ),
      },
    ]);
  });
});
