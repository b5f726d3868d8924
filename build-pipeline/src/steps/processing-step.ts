import { posix } from 'node:path';
import type {
  DescribeProcessingJobResponse,
  ProcessingOutput as ProcessingOutputShape,
  ProcessingOutputConfig as ProcessingOutputConfigShape,
} from '@aws-sdk/client-sagemaker';
import { BuildProblem } from '../build-problem.js';
import { ExecutionVariables } from '../dsl/execution-variables.js';
import { FileAsset } from '../dsl/file-asset.js';
import { Join } from '../dsl/join.js';
import type { Value } from '../dsl/pipeline-variable.js';
import type { PropertyFile } from '../dsl/property-file.js';
import { PROCESSING_CODE_DIR, ScriptProcessor, type Processor } from '../jobs/processor.js';
import { STEP_PROPERTY_ROOTS } from '../properties/property-roots.js';
import { createProperties, type PropertyStruct, type PropertyTree } from '../properties/property-tree.js';
import { Step, type Arguments, type ArgumentValue, type CacheableStepOptions, type StepBuildContext } from './step.js';

export interface ProcessingInput {
  /** An `s3://` URI, a pipeline variable holding one, or a local file to upload as an asset. */
  readonly source: Value<string> | FileAsset;
  /** Where the job sees it, under `/opt/ml/processing/`. */
  readonly destination: Value<string>;
  /** @default `input-<position>` */
  readonly inputName?: string;
  /** @default 'S3Prefix' */
  readonly s3DataType?: Value<'S3Prefix' | 'ManifestFile'>;
  /** @default 'File' */
  readonly s3InputMode?: Value<'File' | 'Pipe' | 'FastFile'>;
  /** @default 'FullyReplicated' */
  readonly s3DataDistributionType?: Value<'FullyReplicated' | 'ShardedByS3Key'>;
  /** @default 'None' */
  readonly s3CompressionType?: Value<'None' | 'Gzip'>;
  /** @default false */
  readonly appManaged?: Value<boolean>;
}

export interface ProcessingOutput<O extends string = string> {
  /** The folder in the container whose files are uploaded, under `/opt/ml/processing/`. */
  readonly source: Value<string>;
  /** @default `s3://<bucket>/<pipeline>/<execution id>/<step>/output/<output name>` */
  readonly destination?: Value<string>;
  /** @default `output-<position>` */
  readonly outputName?: O;
  /** @default 'EndOfJob' */
  readonly s3UploadMode?: Value<'EndOfJob' | 'Continuous'>;
  /** @default false */
  readonly appManaged?: Value<boolean>;
}

export interface ProcessingStepProps<O extends string> extends CacheableStepOptions {
  readonly processor: Processor;
  readonly inputs?: readonly ProcessingInput[];
  readonly outputs?: readonly ProcessingOutput<O>[];
  /** A script (local file or `s3://` URI) run by a ScriptProcessor, delivered as the `code` input. */
  readonly code?: string;
  /** Arguments after the script, `ContainerArguments`. */
  readonly jobArguments?: readonly Value<string>[];
  readonly propertyFiles?: readonly PropertyFile<NoInfer<O>>[];
}

type OutputsByName<O extends string> = { readonly [K in O]: PropertyTree<ProcessingOutputShape> } & {
  readonly [index: number]: PropertyTree<ProcessingOutputShape>;
};

/** DescribeProcessingJobResponse, with `ProcessingOutputConfig.Outputs` keyed by this step's output names. */
export type ProcessingStepProperties<O extends string> = Omit<
  PropertyStruct<DescribeProcessingJobResponse>,
  'ProcessingOutputConfig'
> & {
  readonly ProcessingOutputConfig: Omit<PropertyStruct<ProcessingOutputConfigShape>, 'Outputs'> & {
    readonly Outputs: OutputsByName<O>;
  };
};

function isS3Uri(value: string): boolean {
  return value.startsWith('s3://');
}

/** A processing job (`Type: "Processing"`): the CreateProcessingJob request without a job name. */
export class ProcessingStep<O extends string = string> extends Step {
  readonly stepType = 'Processing' as const;
  readonly processor: Processor;
  readonly inputs: readonly ProcessingInput[];
  readonly outputs: readonly ProcessingOutput<O>[];
  readonly code: string | undefined;
  readonly jobArguments: readonly Value<string>[] | undefined;
  readonly propertyFiles: readonly PropertyFile[];

  constructor(name: string, props: ProcessingStepProps<O>) {
    super(name, props);
    this.processor = props.processor;
    this.inputs = [...(props.inputs ?? [])];
    this.outputs = [...(props.outputs ?? [])];
    this.code = props.code;
    this.jobArguments = props.jobArguments ? [...props.jobArguments] : undefined;
    this.propertyFiles = [...(props.propertyFiles ?? [])];
  }

  /** DescribeProcessingJob's response, e.g. `properties.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`. */
  get properties(): ProcessingStepProperties<O> {
    return createProperties(this, STEP_PROPERTY_ROOTS.Processing) as ProcessingStepProperties<O>;
  }

  /** The names the job's inputs get, including the automatic `input-N` ones and `code`. */
  inputNames(): string[] {
    const names = this.inputs.map((input, index) => input.inputName ?? `input-${index + 1}`);
    return this.code !== undefined ? [...names, 'code'] : names;
  }

  /** The names the job's outputs get, including the automatic `output-N` ones. */
  outputNames(): string[] {
    return this.outputs.map((output, index) => output.outputName ?? `output-${index + 1}`);
  }

  private codeLocation(context: StepBuildContext): { uri: string; scriptPath: string } | undefined {
    if (this.code === undefined) return undefined;
    if (!(this.processor instanceof ScriptProcessor)) {
      throw new BuildProblem(
        'runs code, but its processor cannot',
        'use a ScriptProcessor or SKLearnProcessor',
        'code',
      );
    }
    const uri = isS3Uri(this.code) ? this.code : context.fileAsset(this.code, 'code').s3Uri;
    return { uri, scriptPath: posix.join(PROCESSING_CODE_DIR, posix.basename(uri)) };
  }

  private inputArgument(input: ProcessingInput, name: string, context: StepBuildContext): Arguments {
    const field = `ProcessingInputs[${name}].S3Input.S3Uri`;
    const source =
      input.source instanceof FileAsset
        ? context.fileAsset(input.source.localPath, input.source.kind, field).s3Uri
        : input.source;
    if (typeof source === 'string' && !isS3Uri(source)) {
      throw new BuildProblem(
        `has source ${JSON.stringify(source)}, which is not an s3:// URI`,
        'pass an s3:// URI, a pipeline variable, or new FileAsset(path) to upload a local file',
        field,
      );
    }
    return {
      InputName: name,
      AppManaged: input.appManaged ?? false,
      S3Input: {
        S3Uri: source,
        LocalPath: input.destination,
        S3DataType: input.s3DataType ?? 'S3Prefix',
        S3InputMode: input.s3InputMode ?? 'File',
        S3DataDistributionType: input.s3DataDistributionType ?? 'FullyReplicated',
        S3CompressionType: input.s3CompressionType ?? 'None',
      },
    };
  }

  private outputArgument(output: ProcessingOutput<O>, name: string, context: StepBuildContext): Arguments {
    const destination =
      output.destination ??
      new Join({
        on: '/',
        values: [
          's3:/',
          context.bucket,
          context.pipelineName,
          ExecutionVariables.PIPELINE_EXECUTION_ID,
          this.name,
          'output',
          name,
        ],
      });
    return {
      OutputName: name,
      AppManaged: output.appManaged ?? false,
      S3Output: { S3Uri: destination, LocalPath: output.source, S3UploadMode: output.s3UploadMode ?? 'EndOfJob' },
    };
  }

  buildArguments(context: StepBuildContext): Arguments {
    const code = this.codeLocation(context);
    const request = this.processor.request(context, code?.scriptPath);
    const names = this.inputNames();
    const inputs: ArgumentValue[] = this.inputs.map((input, index) =>
      this.inputArgument(input, names[index]!, context),
    );
    if (code) inputs.push(this.inputArgument({ source: code.uri, destination: PROCESSING_CODE_DIR }, 'code', context));
    const outputNames = this.outputNames();
    const outputs = this.outputs.map((output, index) => this.outputArgument(output, outputNames[index]!, context));
    return {
      ProcessingResources: request.resources,
      AppSpecification: {
        ImageUri: request.imageUri,
        ContainerEntrypoint: request.containerEntrypoint,
        ContainerArguments: this.jobArguments,
      },
      RoleArn: request.roleArn,
      ProcessingInputs: inputs.length > 0 ? inputs : undefined,
      ProcessingOutputConfig: outputs.length > 0 ? { Outputs: outputs, KmsKeyId: request.outputKmsKey } : undefined,
      Environment: request.environment,
      NetworkConfig: request.networkConfig,
      StoppingCondition: request.stoppingCondition,
      Tags: request.tags,
    };
  }
}
