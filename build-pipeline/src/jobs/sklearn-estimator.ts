import { FrameworkEstimator } from './framework-estimator.js';

/** Script-mode training on the SageMaker scikit-learn image (the Python SDK's `SKLearn`); CPU instances only. */
export class SKLearn extends FrameworkEstimator {
  protected readonly framework = 'sklearn' as const;
}
