import { stageTarget, type ProjectConfig } from '@slipway/core';

/**
 * The GitHub repository variables the workflows read, and the ProjectStack output each comes from.
 * `slipway bootstrap` prints them; a test checks the workflows use exactly these names.
 */
export const REPOSITORY_VARIABLES = Object.freeze({
  SLIPWAY_AWS_REGION: 'Region',
  SLIPWAY_BUILD_ROLE_ARN: 'BuildRoleArn',
  SLIPWAY_SAGEMAKER_ROLE_ARN: 'SageMakerExecutionRoleArn',
  SLIPWAY_TRAINING_ROLE_ARN: 'SageMakerTrainingRoleArn',
  SLIPWAY_ARTIFACT_BUCKET: 'ArtifactBucketName',
} as const);

/** The part of a variable or output name that names a stage: `prod` → `PROD` / `Prod`, `qa-eu` → `QA_EU` / `QaEu`. */
function stageWords(stage: string): string[] {
  return stage.split('-').filter((word) => word.length > 0);
}

/** The ProjectStack output of one stage's value, e.g. `ProdDeployRoleArn`. */
export function stageOutputId(stage: string, suffix: string): string {
  return `${stageWords(stage)
    .map((word) => `${word[0]!.toUpperCase()}${word.slice(1)}`)
    .join('')}${suffix}`;
}

/** The repository variable holding one stage's deploy role, e.g. `SLIPWAY_PROD_DEPLOY_ROLE_ARN`. */
export function deployRoleVariable(stage: string): string {
  return `SLIPWAY_${stageWords(stage)
    .map((word) => word.toUpperCase())
    .join('_')}_DEPLOY_ROLE_ARN`;
}

/**
 * Every repository variable ProjectStack sets, and the output it comes from (`Region`: the project's region).
 * A stage in its own account gets its deploy role variable from `bootstrap --stage` instead.
 */
export function repositoryVariableOutputs(
  project: Pick<ProjectConfig, 'stages'> & Partial<Pick<ProjectConfig, 'buildAccount' | 'stageAccounts'>>,
): Readonly<Record<string, string>> {
  const inBuildAccount = project.stages.filter((stage) => !stageTarget({ region: '', ...project }, stage).crossAccount);
  return {
    ...REPOSITORY_VARIABLES,
    ...Object.fromEntries(
      inBuildAccount.map((stage) => [deployRoleVariable(stage), stageOutputId(stage, 'DeployRoleArn')]),
    ),
  };
}

/** Maps stack outputs (plus the region) to repository variables; a missing output is an error. */
export function repositoryVariables(
  outputs: Readonly<Record<string, string>>,
  project: Pick<ProjectConfig, 'stages' | 'region'> & Partial<Pick<ProjectConfig, 'buildAccount' | 'stageAccounts'>>,
): Record<string, string> {
  const values: Record<string, string> = { ...outputs, Region: project.region };
  const result: Record<string, string> = {};
  for (const [variable, output] of Object.entries(repositoryVariableOutputs(project))) {
    const value = values[output];
    if (!value)
      throw new Error(`The project stack has no output ${output}; was it deployed from this version of Slipway?`);
    result[variable] = value;
  }
  return result;
}
