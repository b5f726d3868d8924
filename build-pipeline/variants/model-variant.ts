/**
 * The contract between the project's pipeline (pipeline.ts) and a model variant. The pipeline owns what every
 * variant shares (parameters, Preprocess, Evaluate's inputs, outputs and report, CheckAccuracy, RegisterModel,
 * CreateModel, AccuracyTooLow); a variant supplies the Train step, the image Evaluate runs on and the model that
 * is registered and served. `slipway.config.json`'s `model` chooses the variant (VARIANTS in pipeline.ts).
 */
import type {
  AnyParameter,
  CacheConfig,
  FrameworkModel,
  ParameterInteger,
  ParameterString,
  PipelineContext,
  Processor,
  RetryPolicy,
  SKLearnProcessor,
  TrainingStep,
  Value,
} from '@slipway/build-pipeline';

/** What the pipeline hands a variant. */
export interface VariantInputs {
  readonly context: PipelineContext;
  /** A file or folder under seed/, as an absolute path. */
  readonly seed: (file: string) => string;
  readonly trainingInstanceType: ParameterString;
  readonly processingInstanceType: ParameterString;
  readonly processingInstanceCount: ParameterInteger;
  /** The scikit-learn processor that runs Preprocess. */
  readonly sklearnProcessor: SKLearnProcessor;
  /** Preprocess's `train` and `validation` outputs (`label,text` CSVs). */
  readonly trainData: Value<string>;
  readonly validationData: Value<string>;
  /** Where training jobs write model.tar.gz. */
  readonly modelOutputPath: string;
  readonly cacheConfig: CacheConfig;
  readonly retryPolicies: readonly RetryPolicy[];
}

/** The parts of the pipeline that differ between models. */
export interface ModelVariant {
  /** The variant's own pipeline parameters (its hyperparameters), listed after the shared ones. */
  readonly parameters: readonly AnyParameter[];
  /** Named `Train`; writes model.tar.gz with the serving code under `code/`, logs `validation_accuracy=`. */
  readonly train: TrainingStep;
  /** Runs seed/evaluate.py, so its image must load the model (scikit-learn, or PyTorch for BERT). */
  readonly evaluationProcessor: Processor;
  /** The model RegisterModel registers and CreateModel creates: the framework's inference image. */
  readonly model: FrameworkModel;
}

export type DefineVariant = (inputs: VariantInputs) => ModelVariant;

/** The training metric every variant logs and the condition's threshold is compared against on the console. */
export const VALIDATION_ACCURACY_METRIC = { name: 'validation:accuracy', regex: 'validation_accuracy=([0-9.]+)' };
