/**
 * The default variant: TF-IDF and logistic regression on the SageMaker scikit-learn 1.2-1 image (seed/train.py),
 * evaluated and served on the same image.
 */
import { ParameterFloat, ParameterInteger, SKLearn, SKLearnModel } from '@slipway/build-pipeline';
import type { DefineVariant } from './model-variant.js';

/** The scikit-learn container version the seed code is pinned to (seed/requirements.txt). */
export const SKLEARN_VERSION = '1.2-1';

export const defineSklearnVariant: DefineVariant = ({ context, seed, estimator, sklearnProcessor }) => {
  const maxFeatures = new ParameterInteger('MaxFeatures', { defaultValue: 20000 });
  const ngramMax = new ParameterInteger('NgramMax', { defaultValue: 2 });
  const regularization = new ParameterFloat('Regularization', { defaultValue: 4.0 });
  return {
    parameters: [maxFeatures, ngramMax, regularization],
    description: 'TF-IDF and logistic regression; logs validation accuracy.',
    estimator: new SKLearn({
      ...estimator,
      frameworkVersion: SKLEARN_VERSION,
      entryPoint: seed('train.py'),
      // inference.py rides along so train.py can copy it into the model as code/inference.py.
      dependencies: [seed('inference.py')],
      hyperparameters: {
        'max-features': maxFeatures,
        'ngram-max': ngramMax,
        'min-df': 2,
        regularization,
      },
    }),
    evaluationProcessor: sklearnProcessor,
    model: (modelData) =>
      new SKLearnModel({
        frameworkVersion: SKLEARN_VERSION,
        entryPoint: 'inference.py',
        modelData,
        role: context.roleArn,
      }),
  };
};
