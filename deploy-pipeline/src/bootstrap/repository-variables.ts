/**
 * The GitHub repository variables the workflows read, and the ProjectStack output each comes from.
 * `slipway bootstrap` prints them; a test checks the workflows use exactly these names.
 */
export const REPOSITORY_VARIABLES = Object.freeze({
  SLIPWAY_AWS_REGION: 'Region',
  SLIPWAY_BUILD_ROLE_ARN: 'BuildRoleArn',
  SLIPWAY_DEPLOY_ROLE_ARN: 'DeployRoleArn',
  SLIPWAY_SAGEMAKER_ROLE_ARN: 'SageMakerExecutionRoleArn',
  SLIPWAY_ARTIFACT_BUCKET: 'ArtifactBucketName',
} as const);

export type RepositoryVariable = keyof typeof REPOSITORY_VARIABLES;

/** Maps stack outputs (plus the region) to repository variables; a missing output is an error. */
export function repositoryVariables(
  outputs: Readonly<Record<string, string>>,
  region: string,
): Record<RepositoryVariable, string> {
  const values: Record<string, string> = { ...outputs, Region: region };
  const result = {} as Record<RepositoryVariable, string>;
  for (const [variable, output] of Object.entries(REPOSITORY_VARIABLES) as [RepositoryVariable, string][]) {
    const value = values[output];
    if (!value)
      throw new Error(`The project stack has no output ${output}; was it deployed from this version of Slipway?`);
    result[variable] = value;
  }
  return result;
}
