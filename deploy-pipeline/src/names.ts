import { createHash } from 'node:crypto';
import { ValidationError, canonicalJson, checkName, sagemakerProjectOf, type ProjectConfig } from '@slipway/core';

/**
 * Every AWS name Slipway derives from the project config, in one place: the CDK stacks, the deploy logic and
 * the CLI import these, so a role, stack or endpoint is spelled the same everywhere.
 */
/**
 * The tags SageMaker Projects put on every resource of a project: the Studio project's when the config has one
 * (`sagemakerProject`), so Studio lists the resources under it; else the config's own name and id.
 */
export function projectTags(
  project: Pick<ProjectConfig, 'projectName' | 'projectId' | 'sagemakerProject'>,
): Record<string, string> {
  const { projectName, projectId } = sagemakerProjectOf(project);
  return { [SAGEMAKER_PROJECT_TAGS.name]: projectName, [SAGEMAKER_PROJECT_TAGS.id]: projectId };
}

/** The tag keys SageMaker Projects use. */
export const SAGEMAKER_PROJECT_TAGS = Object.freeze({
  name: 'sagemaker:project-name',
  id: 'sagemaker:project-id',
});

/** CloudFormation stack names must start with a letter; project names may not, hence the prefix. */
export function projectStackName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-project`;
}

/** A stage account's own stack (its deploy and endpoint roles, its alarms), deployed by `bootstrap --stage`. */
export function stageAccountStackName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return `slipway-${project.projectName}-stage-${stage}`;
}

/** The alarms of a stage account's endpoint, on SageMaker's own metrics in that account. */
export function stageEndpointAlarmName(
  project: Pick<ProjectConfig, 'projectName'>,
  stage: string,
  alarm: 'errors' | 'latency',
): string {
  return `slipway-${project.projectName}-${stage}-endpoint-${alarm}`;
}

export function endpointStackName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return `slipway-${project.projectName}-endpoint-${stage}`;
}

/** The stable name of a stage's endpoint: it never changes between versions, only its config does. */
export function endpointName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return `${project.projectName}-${stage}`;
}

/**
 * The name of the Model and EndpointConfig for one deployment. Endpoint configs are immutable, so each
 * version (and each change of the stage config) gets a new name; `fingerprint` covers both.
 */
export function deploymentResourceName(
  project: Pick<ProjectConfig, 'projectName'>,
  stage: string,
  version: number,
  fingerprint: string,
): string {
  const name = `${deploymentResourceNamePrefix(project, stage)}${version}-${fingerprint}`;
  const problem = checkName('endpointName', name);
  if (problem) {
    throw new ValidationError({
      where: 'slipway.config.json',
      field: 'projectName',
      problem: `gives the endpoint config name ${JSON.stringify(name)}, which ${problem}`,
      fix: 'shorten the project name or the stage name',
    });
  }
  return name;
}

/** IAM role names ProjectStack creates; fixed so that other stacks and the workflows can name them. */
export function roleNames(project: Pick<ProjectConfig, 'projectName'>): {
  readonly sagemakerExecution: string;
  readonly sagemakerTraining: string;
  readonly githubBuild: string;
} {
  const prefix = `slipway-${project.projectName}`;
  return {
    sagemakerExecution: `${prefix}-sagemaker-execution`,
    sagemakerTraining: `${prefix}-sagemaker-training`,
    githubBuild: `${prefix}-github-build`,
  };
}

/** IAM's limit on role names. */
export const ROLE_NAME_MAX_LENGTH = 64;

function stageRoleName(project: Pick<ProjectConfig, 'projectName'>, stage: string, role: string): string {
  const name = `slipway-${project.projectName}-${role}-${stage}`;
  if (name.length > ROLE_NAME_MAX_LENGTH) {
    throw new ValidationError({
      where: 'slipway.config.json',
      field: 'stages',
      problem: `gives the IAM role name ${JSON.stringify(name)}, which must be at most ${ROLE_NAME_MAX_LENGTH} characters, got ${name.length}`,
      fix: 'shorten the project name or the stage name',
    });
  }
  return name;
}

/** The role one stage's deploy jobs assume through GitHub's OIDC provider: that stage's resources only. */
export function githubDeployRoleName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return stageRoleName(project, stage, 'github-deploy');
}

/** The role CloudFormation assumes for one stage's endpoint stack; only that stage's deploy role may pass it. */
export function endpointDeployerRoleName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return stageRoleName(project, stage, 'endpoint-deployer');
}

/**
 * The GitHub environment that guards a stage's jobs in deploy.yml: the stage's own name, except that the
 * `prod` stage is guarded by GitHub's conventional `production` environment.
 */
export function githubEnvironmentName(stage: string): string {
  return stage === 'prod' ? 'production' : stage;
}

/** The workflows whose jobs the OIDC roles trust, relative to the repository root. */
export const WORKFLOW_FILES = Object.freeze({
  build: '.github/workflows/build.yml',
  deploy: '.github/workflows/deploy.yml',
});

/**
 * The first characters of the names of one stage's models and endpoint configs
 * (`<project>-<stage>-v<version>-<fingerprint>`, see `deploymentResourceName`); the endpoint itself is named
 * exactly `endpointName(project, stage)`.
 */
export function deploymentResourceNamePrefix(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return `${project.projectName}-${stage}-v`;
}

export type RollbackAlarm = 'invocation-5xx' | 'model-latency';

export function alarmName(project: Pick<ProjectConfig, 'projectName'>, stage: string, alarm: RollbackAlarm): string {
  return `slipway-${project.projectName}-${stage}-${alarm}`;
}

/** Every rollback alarm a stage's endpoint stack creates, by its exact name. */
export function rollbackAlarmNames(project: Pick<ProjectConfig, 'projectName'>, stage: string): string[] {
  return ROLLBACK_ALARMS.map((alarm) => alarmName(project, stage, alarm));
}

const ROLLBACK_ALARMS: readonly RollbackAlarm[] = ['invocation-5xx', 'model-latency'];

/** The approval route's alarm on undelivered approvals; named so the key policy can name it without a cycle. */
export function approvalAlarmName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-approval-dead-letters`;
}

/** Secrets Manager secret holding the `Authorization` header value EventBridge sends to GitHub. */
export function githubTokenSecretName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway/${project.projectName}/github-dispatch-token`;
}

/** Alias of the project's KMS key; endpoint stacks name the key by its alias, so they need no import. */
export function kmsKeyAlias(project: Pick<ProjectConfig, 'projectName'>): string {
  return `alias/slipway-${project.projectName}`;
}

/** SageMaker lowercases resource names inside its ARNs; IAM compares ARNs case-sensitively. */
export function sagemakerArnName(name: string): string {
  return name.toLowerCase();
}

/** Eight hex characters that change whenever `value` does. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 8);
}

/** What the approval route's EventBridge rule names start with: `<prefix>-approved`, `<prefix>-rejected`. */
export function approvalRuleNamePrefix(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}`;
}

/** The approval route's rule for one approval status: the same name on AWS (CDK) and on the local bus. */
export function approvalRuleName(prefix: string, approvalStatus: string): string {
  return `${prefix}-${approvalStatus.toLowerCase()}`;
}

/** The drift route's rule, beside the approval rules: `<prefix>-drift`. */
export function driftRuleName(prefix: string): string {
  return `${prefix}-drift`;
}

/** The SageMaker project template: ProjectStack with Studio's parameters, synthesized to be published, never deployed. */
export function projectTemplateStackName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-project-template`;
}

/** The stack with the Service Catalog portfolio and product that Studio creates projects from. */
export function portfolioStackName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-portfolio`;
}

/**
 * The bucket the project template is published to: the portfolio stack's own, because the artifact bucket is
 * created by the very stack the template provisions. At most 32 characters, so any project id fits.
 */
export function projectTemplatesBucketName(project: Pick<ProjectConfig, 'projectId'>): string {
  return `slipway-templates-${project.projectId}`;
}

/** The stack that holds the drift route, its alarms and the scheduled drift check (beside ProjectStack). */
export function monitoringStackName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-monitoring`;
}

/** The drift route's alarm on undelivered drift events; named so the key policy can name it without a cycle. */
export function driftDeadLetterAlarmName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-drift-dead-letters`;
}

/** The alarm on drift of one stage's endpoint (MonitoringStack): `slipway-<project>-<stage>-drift`. */
export function driftAlarmName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return `slipway-${project.projectName}-${stage}-drift`;
}

/** The SageMaker pipeline that checks one endpoint's last period for drift (`monitoring.py check-endpoint`). */
export function driftCheckPipelineName(project: Pick<ProjectConfig, 'projectName'>): string {
  return `slipway-${project.projectName}-drift-check`;
}

/** The EventBridge Scheduler schedule that starts the drift check of one stage's endpoint. */
export function driftCheckScheduleName(project: Pick<ProjectConfig, 'projectName'>, stage: string): string {
  return `slipway-${project.projectName}-${stage}-drift-check`;
}
