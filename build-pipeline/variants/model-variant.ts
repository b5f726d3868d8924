/**
 * The contract between the project's pipeline (pipeline.ts) and a model variant. The pipeline owns what every
 * variant shares (parameters, Preprocess, the Train step's channels, cache and retries, Evaluate's inputs, outputs
 * and report, CheckAccuracy, RegisterModel, CreateModel, AccuracyTooLow); a variant supplies the estimator, the
 * image Evaluate runs on and the model that is registered and served. `slipway.config.json`'s `model` chooses
 * the variant (VARIANTS in pipeline.ts).
 */
import type {
  AnyParameter,
  EstimatorBase,
  EstimatorProps,
  FrameworkModel,
  ParameterInteger,
  ParameterString,
  PipelineContext,
  Processor,
  SKLearnProcessor,
  Value,
} from '@slipway/build-pipeline';

/** The estimator settings every variant's Train step uses. */
export type SharedEstimatorProps = Pick<
  EstimatorProps,
  'role' | 'instanceType' | 'outputPath' | 'metricDefinitions' | 'debuggerHookConfig' | 'disableProfiler'
>;

/** What the pipeline hands a variant. */
export interface VariantInputs {
  readonly context: PipelineContext;
  /** A file or folder under seed/, as an absolute path. */
  readonly seed: (file: string) => string;
  /** Spread into the variant's estimator: role, TrainingInstanceType, output path, the accuracy metric, ... */
  readonly estimator: SharedEstimatorProps;
  readonly processingInstanceType: ParameterString;
  readonly processingInstanceCount: ParameterInteger;
  /** The scikit-learn processor that runs Preprocess. */
  readonly sklearnProcessor: SKLearnProcessor;
}

/** The parts of the pipeline that differ between models. */
export interface ModelVariant {
  /** The variant's own pipeline parameters (its hyperparameters), listed after the shared ones. */
  readonly parameters: readonly AnyParameter[];
  /** The Train step's description. */
  readonly description: string;
  /** Trains on the `train` and `validation` channels; writes model.tar.gz with the serving code under `code/`. */
  readonly estimator: EstimatorBase;
  /** Runs seed/evaluate.py, so its image must load the model (scikit-learn, or PyTorch for BERT). */
  readonly evaluationProcessor: Processor;
  /** The model RegisterModel registers and CreateModel creates, on the framework's inference image. */
  model(modelData: Value<string>): FrameworkModel;
}

export type DefineVariant = (inputs: VariantInputs) => ModelVariant;
