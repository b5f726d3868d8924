import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ValidationError, type LoadedProjectConfig } from '@slipway/core';
import { cdkAppDir, cdkCommand, cdkDeployStacksArgs, spawnCdk, type CdkRunner } from '../deploy/backends/cdk.js';
import { monitoringStackName, projectStackName } from '../names.js';
import { storeGitHubToken } from './github-token.js';
import { findProjectStack } from './project-stack-lookup.js';
import { githubSetupSteps, type GitHubSetupStep } from './github-setup.js';
import { repositoryVariables } from './repository-variables.js';
import { stackOutputs } from './stack-outputs.js';

export interface BootstrapOptions {
  readonly project: LoadedProjectConfig;
  /** Token EventBridge uses for repository_dispatch; stored in Secrets Manager, never printed. */
  readonly githubToken: string;
  /** @default - a new GitHub OIDC provider is created */
  readonly githubOidcProviderArn?: string;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** @default - no email subscription to the approval route's alarm */
  readonly alarmEmail?: string;
  readonly log?: (message: string) => void;
}

export interface BootstrapDeps {
  readonly secrets?: SecretsManagerClient;
  readonly cloudformation?: CloudFormationClient;
  readonly runCdk?: CdkRunner;
}

export interface BootstrapResult {
  readonly stackName: string;
  /** Deployed after the project stack when the config asks for monitoring (`"monitoring": true`). */
  readonly monitoringStackName?: string;
  readonly secretName: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** What to set under Settings → Secrets and variables → Actions → Variables. */
  readonly repositoryVariables: Readonly<Record<string, string>>;
  /** The repository's OIDC subject template and environments, as GitHub REST calls (printed, not sent). */
  readonly githubSetup: readonly GitHubSetupStep[];
}

/**
 * Sets a project up in an AWS account: stores the GitHub token in Secrets Manager, deploys ProjectStack (and
 * MonitoringStack, when the config asks for monitoring) with the CDK CLI (no `cdk bootstrap` needed: the
 * stacks have no assets), and reads back the role ARNs the repository variables need. Safe to re-run: the
 * CDK CLI leaves a stack with no changes as it is; a new token replaces the old one.
 */
export async function bootstrapProject(options: BootstrapOptions, deps: BootstrapDeps = {}): Promise<BootstrapResult> {
  const { project } = options;
  const log = options.log ?? ((): void => undefined);
  const region = { region: project.region };
  const secrets = deps.secrets ?? new SecretsManagerClient(region);
  const { secretName, versionId } = await storeGitHubToken(secrets, project, options.githubToken);
  log(`Stored the GitHub token in Secrets Manager as ${secretName} (version ${versionId})`);

  const cloudformation = deps.cloudformation ?? new CloudFormationClient(region);
  let stackName: string;
  let monitoring: string | undefined;
  if (project.sagemakerProject) {
    // Created in Studio: Service Catalog provisioned the project stack; a second one would clash on its names.
    const found = await findProjectStack(cloudformation, project);
    if (!found.stack)
      throw new ValidationError({
        where: 'slipway.config.json',
        field: 'sagemakerProject',
        problem: `names a project that has no stack: ${found.description} does not exist in ${project.region}`,
        fix: 'create the project in SageMaker Studio from the Slipway template first (`npx slipway bootstrap --projects-template` publishes it), or correct sagemakerProject',
      });
    stackName = found.stackName;
    log(`The project stack is ${found.description}, provisioned from Studio: reading its outputs`);
    if (project.monitoring)
      log('The MonitoringStack is not deployed for a Studio project: it imports from a stack bootstrap deploys');
  } else {
    stackName = projectStackName(project);
    // MonitoringStack imports the project stack's API destination: the CDK CLI deploys the two in that order.
    monitoring = project.monitoring === true ? monitoringStackName(project) : undefined;
    const runCdk = deps.runCdk ?? spawnCdk(cdkCommand(project).cliPath);
    await runCdk(
      cdkDeployStacksArgs([stackName, ...(monitoring ? [monitoring] : [])], {
        githubTokenSecretVersionId: versionId,
        ...(options.githubOidcProviderArn ? { githubOidcProviderArn: options.githubOidcProviderArn } : {}),
        ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
        ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
      }),
      { cwd: cdkAppDir(project), log },
    );
  }

  const outputs = await stackOutputs(cloudformation, stackName);
  return {
    stackName,
    ...(monitoring ? { monitoringStackName: monitoring } : {}),
    secretName,
    outputs,
    repositoryVariables: repositoryVariables(outputs, project),
    githubSetup: githubSetupSteps(project, options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
  };
}
