import type {
  DescribeModelOutput,
  DescribeModelPackageOutput,
  DescribeProcessingJobResponse,
  DescribeTrainingJobResponse,
} from '@aws-sdk/client-sagemaker';

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
