import type {
  DescribeModelOutput,
  DescribeModelPackageOutput,
  DescribeProcessingJobResponse,
  DescribeTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';
import { PIPELINE_STEP_TYPES } from '@slipway/core';
import type { StepType } from '../definition/types.js';

/** The Describe* response each step type's `properties` mirror, by the SDK's name for its shape. */
export interface PropertyRoots {
  readonly DescribeModelOutput: DescribeModelOutput;
  readonly DescribeModelPackageOutput: DescribeModelPackageOutput;
  readonly DescribeProcessingJobResponse: DescribeProcessingJobResponse;
  readonly DescribeTrainingJobResponse: DescribeTrainingJobResponse;
}

export type PropertyRoot = keyof PropertyRoots;

/** The same names at run time, for generating the shape table (`satisfies` keeps the two lists equal). */
export const PROPERTY_ROOTS = {
  DescribeModelOutput: true,
  DescribeModelPackageOutput: true,
  DescribeProcessingJobResponse: true,
  DescribeTrainingJobResponse: true,
} as const satisfies Record<PropertyRoot, true>;

/**
 * The shape each DSL step type's `properties` follow, taken from the step types' facts in `@slipway/core` (the
 * table the local engine reads too): a type whose shape is missing from PropertyRoots fails to compile here.
 */
export const STEP_PROPERTY_ROOTS = {
  Processing: PIPELINE_STEP_TYPES.Processing.properties[0],
  Training: PIPELINE_STEP_TYPES.Training.properties[0],
  Model: PIPELINE_STEP_TYPES.Model.properties[0],
  RegisterModel: PIPELINE_STEP_TYPES.RegisterModel.properties[0],
} as const satisfies Partial<Record<StepType, PropertyRoot>>;
