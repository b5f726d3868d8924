import type { RuntimeDefinition } from './runtime-definition.js';

/**
 * The images Slipway can run out of the box. Each pin list mirrors what the SageMaker container ships where it
 * matters to user code; `seed/requirements.txt` pins the same versions for the seed code's own venv, and a
 * test holds the two equal.
 */
export const BUILTIN_RUNTIMES: readonly RuntimeDefinition[] = [
  {
    name: 'sklearn-1.2-1',
    description: 'the SageMaker scikit-learn 1.2-1 container (sagemaker-scikit-learn:1.2-1-cpu-py3)',
    source: 'built-in',
    images: ['sagemaker-scikit-learn:1.2-1', 'sagemaker-scikit-learn:1.2-1-cpu-py3'],
    awsImagesOnly: true,
    trainingModule: 'sagemaker_sklearn_container.training:main',
    environment: {
      kind: 'venv',
      requirements: [
        'scikit-learn==1.2.1',
        'numpy==1.24.1',
        // The container's scipy predates Python 3.11 wheels; 1.10.1 is the nearest release that has them.
        'scipy==1.10.1',
        'joblib==1.2.0',
        'threadpoolctl==3.1.0',
      ],
    },
  },
];
