import { fileURLToPath } from 'node:url';
import { modelDataChecksumKey } from '@slipway/core';
import { JsonGet } from '../dsl/json-get.js';
import type { Value } from '../dsl/pipeline-variable.js';
import { PropertyFile } from '../dsl/property-file.js';
import type { Processor } from '../jobs/processor.js';
import { ProcessingStep } from './processing-step.js';
import type { CacheableStepOptions } from './step.js';

/** The script the step runs: standard-library Python, shipped with the SDK (any Python 3 image runs it). */
export const MODEL_DATA_CHECKSUM_SCRIPT = fileURLToPath(
  new URL('../../assets/model_data_checksum.py', import.meta.url),
);

export interface ModelDataChecksumProps extends CacheableStepOptions {
  /** A processor whose image has Python 3, e.g. the project's SKLearnProcessor. */
  readonly processor: Processor;
  /** The model data to record, e.g. `train.properties.ModelArtifacts.S3ModelArtifacts`. */
  readonly modelData: Value<string>;
}

/** A checksum step and what RegisterModel records from it. */
export interface ModelDataChecksum {
  readonly step: ProcessingStep<'checksum'>;
  /** The SHA-256 (hex) of the model data, read from the step's report when the pipeline runs. */
  readonly sha256: JsonGet;
  /**
   * The CustomerMetadataProperties entry for RegisterModel (`slipway:model-data-sha256`, or
   * `…:<n>` for the n-th container): the deploy logic refuses a version without it, or whose model data
   * no longer matches it.
   */
  customerMetadataProperties(containerIndex?: number): Record<string, Value<string>>;
}

/**
 * A processing step that records the SHA-256 of a training step's model data, so that RegisterModel can
 * register it with the version. Training jobs alone may write model artifacts (see ProjectStack); the
 * checksum makes any later change of the artifact visible before it is deployed. Generic: it reads the
 * model data as a file, whatever the framework; add one per registered container.
 */
export function modelDataChecksumStep(name: string, props: ModelDataChecksumProps): ModelDataChecksum {
  const { processor, modelData, ...options } = props;
  const report = new PropertyFile({ name: `${name}Report`, outputName: 'checksum', path: 'checksum.json' });
  const step = new ProcessingStep(name, {
    description: 'Records the SHA-256 of the model data, for RegisterModel to register with the version.',
    processor,
    code: MODEL_DATA_CHECKSUM_SCRIPT,
    inputs: [{ inputName: 'model', source: modelData, destination: '/opt/ml/processing/model' }],
    outputs: [{ outputName: 'checksum', source: '/opt/ml/processing/checksum' }],
    propertyFiles: [report],
    ...options,
  });
  const sha256 = new JsonGet({ step, propertyFile: report, jsonPath: 'sha256' });
  return {
    step,
    sha256,
    customerMetadataProperties: (containerIndex = 0) => ({ [modelDataChecksumKey(containerIndex)]: sha256 }),
  };
}
