import type { DescribeModelPackageOutput } from '@aws-sdk/client-sagemaker';
import type { PipelineVariable, Value } from '../dsl/pipeline-variable.js';
import { tagsArgument, type Tag } from '../jobs/common.js';
import type { Model } from '../jobs/model.js';
import {
  driftCheckBaselinesArgument,
  modelMetricsArgument,
  type DriftCheckBaselines,
  type ModelMetrics,
} from '../jobs/model-metrics.js';
import { STEP_PROPERTY_ROOTS } from '../properties/property-roots.js';
import { createProperties, type PropertyStruct } from '../properties/property-tree.js';
import { Step, type Arguments, type RetryableStepOptions, type StepBuildContext } from './step.js';

export type ModelApprovalStatus = 'PendingManualApproval' | 'Approved' | 'Rejected';

export interface MetadataProperties {
  readonly commitId?: Value<string>;
  readonly repository?: Value<string>;
  readonly generatedBy?: Value<string>;
  readonly projectId?: Value<string>;
}

interface RegisterModelCommon extends RetryableStepOptions {
  readonly modelPackageGroupName: Value<string>;
  readonly contentTypes?: readonly Value<string>[];
  readonly responseTypes?: readonly Value<string>[];
  readonly inferenceInstances?: readonly Value<string>[];
  readonly transformInstances?: readonly Value<string>[];
  readonly modelMetrics?: ModelMetrics;
  readonly driftCheckBaselines?: DriftCheckBaselines;
  /** A literal or a String parameter (give it `enumValues`). @default 'PendingManualApproval' */
  readonly approvalStatus?: ModelApprovalStatus | PipelineVariable<string>;
  /** The step's description and the package's `ModelPackageDescription`, as in the Python SDK. */
  readonly description?: string;
  /** Free-form key/values on the version, e.g. the commit and run that built it. */
  readonly customerMetadataProperties?: Readonly<Record<string, Value<string>>>;
  readonly metadataProperties?: MetadataProperties;
  readonly tags?: readonly Tag[];
  readonly domain?: Value<string>;
  readonly task?: Value<string>;
  readonly samplePayloadUrl?: Value<string>;
  readonly sourceUri?: Value<string>;
  /** @default 'None' */
  readonly skipModelValidation?: 'None' | 'All' | PipelineVariable<string>;
}

/** Register one or more models (their containers, with environment). */
export interface RegisterModelFromModels extends RegisterModelCommon {
  readonly model: Model | readonly Model[];
}

/** Register an image and an artifact directly (the Python SDK's `estimator=`/`image_uri=` form). */
export interface RegisterModelFromImage extends RegisterModelCommon {
  readonly imageUri: Value<string>;
  readonly modelData: Value<string>;
}

export type RegisterModelProps = RegisterModelFromModels | RegisterModelFromImage;

/**
 * Registers a model package version (`Type: "RegisterModel"`): a CreateModelPackage request without the
 * package name. The step is named exactly as given (the Python SDK's collection appends `-RegisterModel`).
 */
export class RegisterModel extends Step {
  readonly stepType = 'RegisterModel' as const;
  readonly props: RegisterModelProps;

  constructor(name: string, props: RegisterModelProps) {
    super(name, props);
    this.props = props;
  }

  /** DescribeModelPackage's output, e.g. `properties.ModelPackageArn`. */
  get properties(): PropertyStruct<DescribeModelPackageOutput> {
    return createProperties(this, STEP_PROPERTY_ROOTS.RegisterModel);
  }

  private containers(context: StepBuildContext): Arguments[] {
    const props = this.props;
    if ('model' in props) {
      const models = Array.isArray(props.model) ? (props.model as readonly Model[]) : [props.model as Model];
      return models.map((model) => model.containerDefinition(context));
    }
    return [{ Image: props.imageUri, ModelDataUrl: props.modelData }];
  }

  buildArguments(context: StepBuildContext): Arguments {
    const props = this.props;
    const metadata = props.metadataProperties;
    return {
      ModelPackageGroupName: props.modelPackageGroupName,
      ModelPackageDescription: props.description,
      Tags: tagsArgument(props.tags),
      ModelMetrics: props.modelMetrics ? modelMetricsArgument(props.modelMetrics) : undefined,
      DriftCheckBaselines: props.driftCheckBaselines
        ? driftCheckBaselinesArgument(props.driftCheckBaselines)
        : undefined,
      MetadataProperties: metadata && {
        CommitId: metadata.commitId,
        Repository: metadata.repository,
        GeneratedBy: metadata.generatedBy,
        ProjectId: metadata.projectId,
      },
      CustomerMetadataProperties: props.customerMetadataProperties && { ...props.customerMetadataProperties },
      Domain: props.domain,
      SamplePayloadUrl: props.samplePayloadUrl,
      Task: props.task,
      SourceUri: props.sourceUri,
      InferenceSpecification: {
        Containers: this.containers(context),
        SupportedContentTypes: props.contentTypes,
        SupportedResponseMIMETypes: props.responseTypes,
        SupportedRealtimeInferenceInstanceTypes: props.inferenceInstances,
        SupportedTransformInstanceTypes: props.transformInstances,
      },
      ModelApprovalStatus: props.approvalStatus ?? 'PendingManualApproval',
      SkipModelValidation: props.skipModelValidation ?? 'None',
    };
  }
}
