import { asString } from '../dsl/join.js';
import { PipelineVariable, type Primitive, type Value } from '../dsl/pipeline-variable.js';
import type { Arguments, ArgumentValue, StepBuildContext } from '../steps/step.js';
import { environmentArgument, instanceResources, tagsArgument, vpcConfigArgument, type JobProps } from './common.js';
import { DEBUGGER_UNSUPPORTED_REGIONS } from './debugger-regions.js';

export interface MetricDefinition {
  /** The metric's name, e.g. `validation:accuracy`. */
  readonly name: string;
  /** A regex over the job's logs whose first group is the value. */
  readonly regex: string;
}

export interface EstimatorProps extends JobProps {
  readonly maxWaitInSeconds?: Value<number>;
  /** Where the model artifact goes, under `<outputPath>/<job name>/output/model.tar.gz`. @default `s3://<bucket>/` */
  readonly outputPath?: Value<string>;
  readonly hyperparameters?: Readonly<Record<string, Value<Primitive>>>;
  readonly metricDefinitions?: readonly MetricDefinition[];
  readonly environment?: Readonly<Record<string, Value<string>>>;
  /** @default 'File' */
  readonly inputMode?: 'File' | 'Pipe' | 'FastFile';
  readonly useSpotInstances?: Value<boolean>;
  readonly checkpointS3Uri?: Value<string>;
  readonly checkpointLocalPath?: Value<string>;
  readonly subnets?: readonly Value<string>[];
  readonly securityGroupIds?: readonly Value<string>[];
  readonly enableNetworkIsolation?: Value<boolean>;
  readonly encryptInterContainerTraffic?: Value<boolean>;
  readonly maxRetryAttempts?: number;
  /** `EnableSageMakerMetricsTimeSeries`. @default - unset (PyTorch: true) */
  readonly enableSageMakerMetrics?: Value<boolean>;
  /** Turns the profiler off (`ProfilerConfig: {DisableProfiler: true}`). @default false */
  readonly disableProfiler?: boolean;
  readonly profilerConfig?: { readonly s3OutputPath?: Value<string>; readonly systemMonitorIntervalMillis?: number };
  /** `false` leaves out DebugHookConfig. @default - a hook writing to the output path */
  readonly debuggerHookConfig?: false | { readonly s3OutputPath?: Value<string> };
}

/** The parts of CreateTrainingJob every estimator fills the same way (the Python SDK's EstimatorBase). */
export abstract class EstimatorBase<P extends EstimatorProps = EstimatorProps> {
  readonly props: P;

  constructor(props: P) {
    this.props = props;
  }

  abstract resolveImageUri(context: StepBuildContext): Value<string>;

  /** `HyperParameters`: every value a string, or a string-typed expression. */
  abstract hyperparameters(context: StepBuildContext): Record<string, ArgumentValue>;

  protected enableSageMakerMetrics(): Value<boolean> | undefined {
    return this.props.enableSageMakerMetrics;
  }

  outputPath(context: StepBuildContext): Value<string> {
    return this.props.outputPath ?? `s3://${context.bucket}/`;
  }

  private debugHookConfig(context: StepBuildContext): ArgumentValue {
    const hook = this.props.debuggerHookConfig;
    if (hook === false || DEBUGGER_UNSUPPORTED_REGIONS.has(context.region)) return undefined;
    return { S3OutputPath: hook?.s3OutputPath ?? this.outputPath(context), CollectionConfigurations: [] };
  }

  private profilerConfig(context: StepBuildContext): ArgumentValue {
    if (this.props.disableProfiler || DEBUGGER_UNSUPPORTED_REGIONS.has(context.region))
      return { DisableProfiler: true };
    const config = this.props.profilerConfig;
    return {
      S3OutputPath: config?.s3OutputPath ?? this.outputPath(context),
      DisableProfiler: false,
      ProfilingIntervalInMilliseconds: config?.systemMonitorIntervalMillis,
    };
  }

  /** The CreateTrainingJob request without its job name, in the Python SDK's key order. */
  trainingRequest(context: StepBuildContext, inputDataConfig: ArgumentValue): Arguments {
    const props = this.props;
    const hyperparameters = this.hyperparameters(context);
    return {
      AlgorithmSpecification: {
        TrainingInputMode: props.inputMode ?? 'File',
        TrainingImage: this.resolveImageUri(context),
        MetricDefinitions: props.metricDefinitions?.map((metric) => ({ Name: metric.name, Regex: metric.regex })),
        EnableSageMakerMetricsTimeSeries: this.enableSageMakerMetrics(),
      },
      OutputDataConfig: { S3OutputPath: this.outputPath(context), KmsKeyId: props.outputKmsKey },
      StoppingCondition: {
        MaxRuntimeInSeconds: props.maxRuntimeInSeconds ?? 86400,
        MaxWaitTimeInSeconds: props.maxWaitInSeconds,
      },
      ResourceConfig: instanceResources(props),
      RoleArn: props.role,
      InputDataConfig: inputDataConfig,
      HyperParameters: Object.keys(hyperparameters).length > 0 ? hyperparameters : undefined,
      Environment: environmentArgument(props.environment),
      Tags: tagsArgument(props.tags),
      VpcConfig: vpcConfigArgument(props.securityGroupIds, props.subnets),
      // The Python SDK writes these only when truthy; a parameter always counts as set.
      EnableNetworkIsolation: props.enableNetworkIsolation || undefined,
      EnableInterContainerTrafficEncryption: props.encryptInterContainerTraffic || undefined,
      EnableManagedSpotTraining: props.useSpotInstances || undefined,
      CheckpointConfig: props.checkpointS3Uri
        ? { S3Uri: props.checkpointS3Uri, LocalPath: props.checkpointLocalPath }
        : undefined,
      DebugHookConfig: this.debugHookConfig(context),
      ProfilerConfig: this.profilerConfig(context),
      RetryStrategy:
        props.maxRetryAttempts !== undefined ? { MaximumRetryAttempts: props.maxRetryAttempts } : undefined,
    };
  }
}

/** Python's `str()` of a plain value, which the generic Estimator applies to hyperparameters. */
function pythonString(value: Primitive): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** A training job on an image of your choice (the Python SDK's `Estimator`). */
export class Estimator extends EstimatorBase<EstimatorProps & { readonly imageUri: Value<string> }> {
  resolveImageUri(): Value<string> {
    return this.props.imageUri;
  }

  hyperparameters(): Record<string, ArgumentValue> {
    return Object.fromEntries(
      Object.entries(this.props.hyperparameters ?? {}).map(([key, value]) => [
        key,
        value instanceof PipelineVariable ? asString(value) : pythonString(value),
      ]),
    );
  }
}
