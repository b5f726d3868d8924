/**
 * The default variant: TF-IDF and logistic regression on the SageMaker scikit-learn 1.2-1 image (seed/train.py),
 * evaluated and served on the same image.
 */
import { ParameterFloat, ParameterInteger, SKLearn, SKLearnModel, TrainingStep } from '@slipway/build-pipeline';
import { VALIDATION_ACCURACY_METRIC, type DefineVariant } from './model-variant.js';

/** The scikit-learn container version the seed code is pinned to (seed/requirements.txt). */
export const SKLEARN_VERSION = '1.2-1';

export const defineSklearnVariant: DefineVariant = (inputs) => {
  const { context, seed } = inputs;
  const role = context.roleArn;
  const maxFeatures = new ParameterInteger('MaxFeatures', { defaultValue: 20000 });
  const ngramMax = new ParameterInteger('NgramMax', { defaultValue: 2 });
  const regularization = new ParameterFloat('Regularization', { defaultValue: 4.0 });

  const train = new TrainingStep('Train', {
    description: 'TF-IDF and logistic regression; logs validation accuracy.',
    estimator: new SKLearn({
      frameworkVersion: SKLEARN_VERSION,
      entryPoint: seed('train.py'),
      // inference.py rides along so train.py can copy it into the model as code/inference.py.
      dependencies: [seed('inference.py')],
      role,
      instanceType: inputs.trainingInstanceType,
      hyperparameters: {
        'max-features': maxFeatures,
        'ngram-max': ngramMax,
        'min-df': 2,
        regularization,
      },
      metricDefinitions: [VALIDATION_ACCURACY_METRIC],
      outputPath: inputs.modelOutputPath,
      // A scikit-learn job has nothing for SageMaker Debugger to hook into or profile.
      debuggerHookConfig: false,
      disableProfiler: true,
    }),
    inputs: {
      train: { s3Data: inputs.trainData, contentType: 'text/csv' },
      validation: { s3Data: inputs.validationData, contentType: 'text/csv' },
    },
    cacheConfig: inputs.cacheConfig,
    retryPolicies: [...inputs.retryPolicies],
  });

  return {
    parameters: [maxFeatures, ngramMax, regularization],
    train,
    evaluationProcessor: inputs.sklearnProcessor,
    model: new SKLearnModel({
      frameworkVersion: SKLEARN_VERSION,
      entryPoint: 'inference.py',
      modelData: train.properties.ModelArtifacts.S3ModelArtifacts,
      role,
    }),
  };
};
