/**
 * The project's pipeline: sentiment of product reviews (negative / neutral / positive).
 *
 *   Preprocess → Train → Evaluate → CheckAccuracy ─ accuracy ≥ MinAccuracy → RegisterModel, CreateModel
 *                      ↘ ChecksumModel ↗           └ otherwise             → AccuracyTooLow (fails the run)
 *                      ↘ Baseline ────────────────────────────────────────↗ (RegisterModel's drift baseline)
 *
 * Train runs as the training role, the only one that may write under the bucket's models/ prefix, and
 * RegisterModel records the model's SHA-256, which the deploy checks before deploying the version.
 *
 * Baseline scores the model on the validation split with seed/monitoring.py and writes Model Monitor's
 * statistics.json and constraints.json; RegisterModel registers them with the version as its ModelDataQuality
 * metrics and DriftCheckBaselines, which the endpoint's drift check compares captured traffic with.
 *
 * Script names, arguments, channels, outputs and the evaluation report follow SEED-CONTRACT (see
 * seed/README.md); change both sides together. `npx slipway pipeline compile` shows what this compiles to.
 *
 * The model is a variant chosen by slipway.config.json's `model` (variants/): `sklearn` (the default) or `bert`.
 * A variant supplies Train, the image Evaluate runs on and the model that is registered; everything else is here.
 */
import { join } from 'node:path';
import {
  ConditionGreaterThanOrEqualTo,
  ConditionStep,
  CreateModelStep,
  FailStep,
  FileAsset,
  Join,
  JsonGet,
  ParameterFloat,
  ParameterInteger,
  ParameterString,
  Pipeline,
  ProcessingStep,
  PropertyFile,
  RegisterModel,
  SKLearnProcessor,
  SageMakerJobExceptionType,
  StepExceptionType,
  TrainingStep,
  modelArtifactsUri,
  modelDataChecksumStep,
  type CacheConfig,
  type PipelineContext,
  type RetryPolicy,
} from '@slipway/build-pipeline';
import type { ProjectModel } from '@slipway/core';
import { defineBertVariant } from './variants/bert.js';
import type { DefineVariant } from './variants/model-variant.js';
import { SKLEARN_VERSION, defineSklearnVariant } from './variants/sklearn.js';

/** The model variants, by the name slipway.config.json's `model` gives. */
export const VARIANTS: Readonly<Record<ProjectModel, DefineVariant>> = {
  sklearn: defineSklearnVariant,
  bert: defineBertVariant,
};

/** How preprocess.py splits and balances the reviews. */
const PREPROCESS_ARGUMENTS = {
  'train-ratio': '0.7',
  'validation-ratio': '0.15',
  'test-ratio': '0.15',
  'random-seed': '42',
  balance: 'true',
};

/** Unchanged job steps reuse their last successful run for 30 days (code keys are content hashes). */
const JOB_CACHE: CacheConfig = { enableCaching: true, expireAfter: 'P30D' };

/** Throttling and service faults: retried quickly on every step that allows retries. */
const SERVICE_RETRY: RetryPolicy = {
  exceptionTypes: [StepExceptionType.THROTTLING, StepExceptionType.SERVICE_FAULT],
  intervalSeconds: 5,
  backoffRate: 2,
  maxAttempts: 5,
};

/** No capacity or too many jobs at once: waited out over about half an hour. */
const CAPACITY_RETRY: RetryPolicy = {
  exceptionTypes: [
    SageMakerJobExceptionType.CAPACITY_ERROR,
    SageMakerJobExceptionType.RESOURCE_LIMIT,
    SageMakerJobExceptionType.INTERNAL_ERROR,
  ],
  intervalSeconds: 60,
  backoffRate: 2,
  maxAttempts: 5,
};

export function definePipeline(context: PipelineContext): Pipeline {
  const { config, roleArn: role, trainingRoleArn, seedDir } = context;
  const seed = (file: string): string => join(seedDir, file);

  // Parameters (the names and defaults are part of the contract with the seed code and the workflows).
  const inputDataUrl = new ParameterString('InputDataUrl', {
    defaultValue: new FileAsset(seed('data/reviews.csv'), { kind: 'data' }),
  });
  const processingInstanceType = new ParameterString('ProcessingInstanceType', { defaultValue: 'ml.m5.xlarge' });
  const processingInstanceCount = new ParameterInteger('ProcessingInstanceCount', { defaultValue: 1 });
  const trainingInstanceType = new ParameterString('TrainingInstanceType', { defaultValue: 'ml.m5.xlarge' });
  const minAccuracy = new ParameterFloat('MinAccuracy', { defaultValue: 0.7 });
  const modelApprovalStatus = new ParameterString('ModelApprovalStatus', {
    defaultValue: 'PendingManualApproval',
    enumValues: ['PendingManualApproval', 'Approved', 'Rejected'],
  });
  // Set by whoever starts the execution (the build workflow), so every model version leads back to its source.
  const sourceRevision = new ParameterString('SourceRevision', { defaultValue: 'unknown' });
  const sourceRepository = new ParameterString('SourceRepository', { defaultValue: 'unknown' });
  const sourceRunUrl = new ParameterString('SourceRunUrl', { defaultValue: 'unknown' });
  // The pipeline version this execution runs: the one the run's upsert wrote (filled by runPipeline).
  const sourcePipelineVersion = new ParameterString('SourcePipelineVersion', { defaultValue: 'unknown' });

  const processor = new SKLearnProcessor({
    frameworkVersion: SKLEARN_VERSION,
    role,
    instanceType: processingInstanceType,
    instanceCount: processingInstanceCount,
  });

  const preprocess = new ProcessingStep('Preprocess', {
    description: 'Maps star ratings to three classes, cleans and balances the reviews, splits train/validation/test.',
    processor,
    code: seed('preprocess.py'),
    inputs: [{ inputName: 'data', source: inputDataUrl, destination: '/opt/ml/processing/input/data' }],
    outputs: [
      { outputName: 'train', source: '/opt/ml/processing/output/train' },
      { outputName: 'validation', source: '/opt/ml/processing/output/validation' },
      { outputName: 'test', source: '/opt/ml/processing/output/test' },
    ],
    jobArguments: Object.entries(PREPROCESS_ARGUMENTS).flatMap(([name, value]) => [`--${name}`, value]),
    cacheConfig: JOB_CACHE,
    retryPolicies: [SERVICE_RETRY, CAPACITY_RETRY],
  });
  const split = preprocess.properties.ProcessingOutputConfig.Outputs;

  const variant = VARIANTS[config.model]({
    context,
    seed,
    estimator: {
      // The training role: the only principal the bucket lets write under models/ (modelArtifactsUri).
      role: trainingRoleArn,
      instanceType: trainingInstanceType,
      metricDefinitions: [{ name: 'validation:accuracy', regex: 'validation_accuracy=([0-9.]+)' }],
      outputPath: modelArtifactsUri(config),
      // Nothing reads what SageMaker Debugger's hook or the profiler would collect, and the profiler's rules add
      // timestamps that would defeat the step cache.
      debuggerHookConfig: false,
      disableProfiler: true,
    },
    processingInstanceType,
    processingInstanceCount,
    sklearnProcessor: processor,
  });

  const train = new TrainingStep('Train', {
    description: variant.description,
    estimator: variant.estimator,
    inputs: {
      train: { s3Data: split.train.S3Output.S3Uri, contentType: 'text/csv' },
      validation: { s3Data: split.validation.S3Output.S3Uri, contentType: 'text/csv' },
    },
    cacheConfig: JOB_CACHE,
    retryPolicies: [SERVICE_RETRY, CAPACITY_RETRY],
  });
  const modelData = train.properties.ModelArtifacts.S3ModelArtifacts;
  const checksum = modelDataChecksumStep('ChecksumModel', {
    processor,
    modelData,
    cacheConfig: JOB_CACHE,
    retryPolicies: [SERVICE_RETRY, CAPACITY_RETRY],
  });

  const evaluationReport = new PropertyFile({
    name: 'EvaluationReport',
    outputName: 'evaluation',
    path: 'evaluation.json',
  });
  const evaluate = new ProcessingStep('Evaluate', {
    description: 'Scores the model on the test split; writes evaluation.json (multiclass_classification_metrics).',
    processor: variant.evaluationProcessor,
    code: seed('evaluate.py'),
    inputs: [
      { inputName: 'model', source: modelData, destination: '/opt/ml/processing/model' },
      { inputName: 'test', source: split.test.S3Output.S3Uri, destination: '/opt/ml/processing/test' },
    ],
    outputs: [{ outputName: 'evaluation', source: '/opt/ml/processing/evaluation' }],
    propertyFiles: [evaluationReport],
    cacheConfig: JOB_CACHE,
    retryPolicies: [SERVICE_RETRY, CAPACITY_RETRY],
  });

  // Runs on the image that evaluates the model (it loads the model as evaluate.py does: evaluate.py comes along
  // as an input), beside Evaluate.
  const baseline = new ProcessingStep('Baseline', {
    description:
      'Review length, out-of-vocabulary rate, predicted class and confidence on the validation split: the drift baseline.',
    processor: variant.evaluationProcessor,
    code: seed('monitoring.py'),
    jobArguments: ['baseline'],
    inputs: [
      { inputName: 'model', source: modelData, destination: '/opt/ml/processing/model' },
      {
        inputName: 'validation',
        source: split.validation.S3Output.S3Uri,
        destination: '/opt/ml/processing/validation',
      },
      {
        inputName: 'evaluate',
        source: new FileAsset(seed('evaluate.py'), { kind: 'code' }),
        destination: '/opt/ml/processing/input/evaluate',
      },
    ],
    outputs: [{ outputName: 'baseline', source: '/opt/ml/processing/baseline' }],
    cacheConfig: JOB_CACHE,
    retryPolicies: [SERVICE_RETRY, CAPACITY_RETRY],
  });
  const baselineFile = (file: string) => ({
    s3Uri: new Join({
      on: '/',
      values: [baseline.properties.ProcessingOutputConfig.Outputs.baseline.S3Output.S3Uri, file],
    }),
    contentType: 'application/json',
  });
  const dataQuality = {
    modelDataStatistics: baselineFile('statistics.json'),
    modelDataConstraints: baselineFile('constraints.json'),
  };

  const model = variant.model(modelData);
  const accuracy = new JsonGet({
    step: evaluate,
    propertyFile: evaluationReport,
    jsonPath: 'multiclass_classification_metrics.accuracy.value',
  });
  const register = new RegisterModel('RegisterModel', {
    description: `Sentiment of product reviews (${config.projectName})`,
    modelPackageGroupName: config.modelPackageGroupName,
    model,
    contentTypes: ['application/json', 'text/csv'],
    responseTypes: ['application/json', 'text/csv'],
    inferenceInstances: ['ml.t2.medium', 'ml.m5.large', 'ml.m5.xlarge'],
    transformInstances: ['ml.m5.large', 'ml.m5.xlarge'],
    modelMetrics: {
      modelStatistics: {
        s3Uri: new Join({
          on: '/',
          values: [evaluate.properties.ProcessingOutputConfig.Outputs.evaluation.S3Output.S3Uri, 'evaluation.json'],
        }),
        contentType: 'application/json',
      },
      ...dataQuality,
    },
    driftCheckBaselines: dataQuality,
    approvalStatus: modelApprovalStatus,
    customerMetadataProperties: {
      source_revision: sourceRevision,
      source_repository: sourceRepository,
      source_run_url: sourceRunUrl,
      source_pipeline_version: sourcePipelineVersion,
      ...checksum.customerMetadataProperties(),
    },
    // SageMaker's own lineage fields (GeneratedBy, the execution, is set by SageMaker).
    metadataProperties: { commitId: sourceRevision, repository: sourceRepository },
    retryPolicies: [SERVICE_RETRY],
  });

  const createModel = new CreateModelStep('CreateModel', { model, retryPolicies: [SERVICE_RETRY] });

  const accuracyTooLow = new FailStep('AccuracyTooLow', {
    errorMessage: new Join({
      on: ' ',
      values: ['Model accuracy', accuracy, 'is below the minimum', minAccuracy, '- not registered.'],
    }),
  });

  const checkAccuracy = new ConditionStep('CheckAccuracy', {
    conditions: [new ConditionGreaterThanOrEqualTo(accuracy, minAccuracy)],
    ifSteps: [register, createModel],
    elseSteps: [accuracyTooLow],
  });

  return new Pipeline(config.pipelineName, {
    parameters: [
      inputDataUrl,
      processingInstanceType,
      processingInstanceCount,
      trainingInstanceType,
      minAccuracy,
      modelApprovalStatus,
      ...variant.parameters,
      sourceRevision,
      sourceRepository,
      sourceRunUrl,
      sourcePipelineVersion,
    ],
    steps: [preprocess, train, evaluate, checksum.step, baseline, checkAccuracy],
  });
}
