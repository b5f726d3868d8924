import { posix, basename } from 'node:path';
import { asString } from '../dsl/join.js';
import { PipelineVariable, type Value } from '../dsl/pipeline-variable.js';
import type { Framework } from '../images/image-uri.js';
import type { ArgumentValue, StepBuildContext } from '../steps/step.js';
import { EstimatorBase, type EstimatorProps } from './estimator.js';

export interface ScriptModeProps {
  /** The training script: a local file, or a path relative to `sourceDir`. */
  readonly entryPoint: string;
  /** A local folder bundled whole into `sourcedir.tar.gz` (caches, `.git` and `*.pyc` left out). */
  readonly sourceDir?: string;
  /** More local files or folders, each placed at the bundle's root. */
  readonly dependencies?: readonly string[];
  /** Python logging level inside the container. @default 20 (INFO) */
  readonly containerLogLevel?: number;
}

export type FrameworkEstimatorProps = EstimatorProps & ScriptModeProps & { readonly frameworkVersion: string };

/**
 * Script mode (the Python SDK's `Framework`): the code travels as a content-addressed `sourcedir.tar.gz`, and
 * the container finds it through the `sagemaker_*` hyperparameters. Every hyperparameter is JSON-encoded, so
 * the training toolkit can decode numbers and strings back.
 */
export abstract class FrameworkEstimator extends EstimatorBase<FrameworkEstimatorProps> {
  protected abstract readonly framework: Framework;

  resolveImageUri(context: StepBuildContext): Value<string> {
    const { frameworkVersion: version, instanceType } = this.props;
    return context.image({ framework: this.framework, version, scope: 'training', instanceType }, 'estimator');
  }

  get frameworkVersion(): string {
    return this.props.frameworkVersion;
  }

  /** The program the container runs: the entry point's path inside the bundle. */
  programName(): string {
    return this.props.sourceDir
      ? posix.normalize(this.props.entryPoint.split('\\').join('/'))
      : basename(this.props.entryPoint);
  }

  hyperparameters(context: StepBuildContext): Record<string, ArgumentValue> {
    const bundle = context.sourceBundle(this.props, 'estimator');
    const all: Record<string, Value<string | number | boolean>> = {
      ...this.props.hyperparameters,
      sagemaker_submit_directory: bundle.s3Uri,
      sagemaker_program: this.programName(),
      sagemaker_container_log_level: this.props.containerLogLevel ?? 20,
      sagemaker_region: context.region,
    };
    return Object.fromEntries(
      Object.entries(all).map(([key, value]) => [
        key,
        value instanceof PipelineVariable ? asString(value) : JSON.stringify(value),
      ]),
    );
  }
}
