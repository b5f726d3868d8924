import type { JsonValue } from '../definition/types.js';
import { operandDefinition, type Join } from './join.js';
import {
  PipelineVariable,
  type PropertyFileHandle,
  type ReferenceSink,
  type StepHandle,
  type Value,
  type ValueKind,
} from './pipeline-variable.js';

export interface JsonGetFromPropertyFile {
  /** The processing step that declares the property file (or its name). */
  readonly step: StepHandle | string;
  /** The property file (or its name). */
  readonly propertyFile: PropertyFileHandle | string;
  /** JsonPath without the leading `$`, e.g. `multiclass_classification_metrics.accuracy.value`. */
  readonly jsonPath: string;
}

export interface JsonGetFromS3 {
  /** Where the JSON document is, as a Join of literals, parameters, execution variables and properties. */
  readonly s3Uri: Join;
  readonly jsonPath: string;
}

/**
 * A value read from a JSON document when the pipeline runs. Its type is known only then, so it fits any
 * comparison and any field (its static type is `never`); the service fails the step if the types differ.
 */
export class JsonGet extends PipelineVariable<never> {
  readonly kind: ValueKind = 'unknown';
  readonly source: JsonGetFromPropertyFile | JsonGetFromS3;

  constructor(source: JsonGetFromPropertyFile | JsonGetFromS3) {
    super();
    this.source = source;
  }

  get jsonPath(): string {
    return this.source.jsonPath;
  }

  toDefinition(sink: ReferenceSink): JsonValue {
    const source = this.source;
    if ('s3Uri' in source) {
      return {
        'Std:JsonGet': { S3Uri: operandDefinition(source.s3Uri as Value<string>, sink), Path: source.jsonPath },
      };
    }
    sink.add({ kind: 'propertyFile', step: source.step, propertyFile: source.propertyFile });
    return {
      'Std:JsonGet': {
        PropertyFile: { Get: `Steps.${stepName(source.step)}.PropertyFiles.${fileName(source.propertyFile)}` },
        Path: source.jsonPath,
      },
    };
  }

  describe(): string {
    const source = this.source;
    const from =
      's3Uri' in source ? source.s3Uri.describe() : `${stepName(source.step)}.${fileName(source.propertyFile)}`;
    return `JsonGet(${from}, ${JSON.stringify(source.jsonPath)})`;
  }
}

function stepName(step: StepHandle | string): string {
  return typeof step === 'string' ? step : step.name;
}

function fileName(file: PropertyFileHandle | string): string {
  return typeof file === 'string' ? file : file.name;
}
