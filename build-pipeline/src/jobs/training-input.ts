import type { Value } from '../dsl/pipeline-variable.js';
import type { Arguments } from '../steps/step.js';

/** One training channel's data (the Python SDK's TrainingInput). */
export interface TrainingInput {
  readonly s3Data: Value<string>;
  /** @default 'FullyReplicated' */
  readonly distribution?: Value<'FullyReplicated' | 'ShardedByS3Key'>;
  readonly compression?: Value<'None' | 'Gzip'>;
  readonly contentType?: Value<string>;
  readonly recordWrapping?: Value<'None' | 'RecordIO'>;
  /** @default 'S3Prefix' */
  readonly s3DataType?: Value<'S3Prefix' | 'ManifestFile' | 'AugmentedManifestFile'>;
  readonly inputMode?: Value<'File' | 'Pipe' | 'FastFile'>;
}

/** A step's training data: one input (channel `training`), or one per channel name. */
export type TrainingInputs = Value<string> | TrainingInput | Readonly<Record<string, Value<string> | TrainingInput>>;

function isTrainingInput(value: unknown): value is TrainingInput {
  return typeof value === 'object' && value !== null && 's3Data' in value;
}

function channel(name: string, input: Value<string> | TrainingInput): Arguments {
  const spec: TrainingInput = isTrainingInput(input) ? input : { s3Data: input };
  return {
    ChannelName: name,
    DataSource: {
      S3DataSource: {
        S3DataType: spec.s3DataType ?? 'S3Prefix',
        S3Uri: spec.s3Data,
        S3DataDistributionType: spec.distribution ?? 'FullyReplicated',
      },
    },
    CompressionType: spec.compression,
    ContentType: spec.contentType,
    RecordWrapperType: spec.recordWrapping,
    InputMode: spec.inputMode,
  };
}

/** `InputDataConfig`: a single input becomes the channel `training`, as in the Python SDK. */
export function inputDataConfig(inputs: TrainingInputs | undefined): Arguments[] | undefined {
  if (inputs === undefined) return undefined;
  if (typeof inputs === 'string' || isTrainingInput(inputs) || !isPlainRecord(inputs)) {
    return [channel('training', inputs as Value<string> | TrainingInput)];
  }
  return Object.entries(inputs).map(([name, input]) => channel(name, input));
}

function isPlainRecord(value: unknown): value is Readonly<Record<string, Value<string> | TrainingInput>> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** The channel names of a step's inputs. */
export function channelNames(inputs: TrainingInputs | undefined): string[] {
  return (inputDataConfig(inputs) ?? []).map((entry) => entry.ChannelName as string);
}
