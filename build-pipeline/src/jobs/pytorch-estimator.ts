import type { Value } from '../dsl/pipeline-variable.js';
import { FrameworkEstimator } from './framework-estimator.js';

/**
 * Script-mode training on the AWS PyTorch training image (the Python SDK's `PyTorch`). The cpu or gpu image
 * follows `instanceType`, which should therefore be a literal.
 */
export class PyTorch extends FrameworkEstimator {
  protected readonly framework = 'pytorch' as const;

  /** The Python SDK turns SageMaker metrics on for PyTorch 1.3 and later. */
  protected override enableSageMakerMetrics(): Value<boolean> | undefined {
    return this.props.enableSageMakerMetrics ?? true;
  }
}
