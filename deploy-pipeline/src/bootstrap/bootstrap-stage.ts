import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ValidationError, stageTarget, type LoadedProjectConfig } from '@slipway/core';
import { cdkCommand, spawnCdk, type CdkRunner } from '../deploy/backends/cdk.js';
import { stageAccountStackName } from '../names.js';
import { deployRoleVariable, stageOutputId } from './repository-variables.js';
import { deployStackForOutputs } from './stack-outputs.js';

export interface BootstrapStageOptions {
  readonly project: LoadedProjectConfig;
  /** A stage with its own account in `stageAccounts`. */
  readonly stage: string;
  /** @default - a new GitHub OIDC provider is created in the stage account */
  readonly githubOidcProviderArn?: string;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** @default - no email subscription to the endpoint alarms */
  readonly alarmEmail?: string;
  readonly log?: (message: string) => void;
}

export interface BootstrapStageDeps {
  readonly sts?: STSClient;
  readonly cloudformation?: CloudFormationClient;
  readonly runCdk?: CdkRunner;
}

export interface BootstrapStageResult {
  readonly stackName: string;
  readonly account: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** The stage's deploy role variable, which deploy.yml's jobs of that stage assume. */
  readonly repositoryVariables: Readonly<Record<string, string>>;
}

/**
 * `slipway bootstrap --stage S`: deploys the stage's StageAccountStack into its own account, with that
 * account's credentials (checked first: a stack in the wrong account would leave the stage without roles),
 * and returns the deploy role variable to set. The build account's ProjectStack shares the registry and
 * artifacts with the roles this creates; either may be deployed first.
 */
export async function bootstrapStage(
  options: BootstrapStageOptions,
  deps: BootstrapStageDeps = {},
): Promise<BootstrapStageResult> {
  const { project, stage } = options;
  const log = options.log ?? ((): void => undefined);
  const target = stageTarget(project, stage);
  if (!project.stages.includes(stage) || !target.crossAccount || !target.account) {
    throw new ValidationError({
      where: '--stage',
      field: '',
      problem: `names ${JSON.stringify(stage)}, which ${project.stages.includes(stage) ? 'deploys in the build account (it has no account of its own in stageAccounts)' : `is not one of the project's stages (${project.stages.join(', ')})`}`,
      fix: `give it an account in slipway.config.json ("stageAccounts": {"${stage}": {"account": "<12 digits>"}}), or run bootstrap without --stage for the build account`,
    });
  }
  const region = { region: target.region };
  const sts = deps.sts ?? new STSClient(region);
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (identity.Account !== target.account) {
    throw new ValidationError({
      where: 'AWS credentials',
      field: '',
      problem: `are for account ${identity.Account ?? 'unknown'}, not ${stage}'s account ${target.account}`,
      fix: `use credentials of account ${target.account} (e.g. AWS_PROFILE=<its profile>) for bootstrap --stage ${stage}`,
    });
  }
  const stackName = stageAccountStackName(project, stage);
  const runCdk = deps.runCdk ?? spawnCdk(cdkCommand(project).cliPath);
  log(`Deploying ${stackName} to account ${target.account} (${target.region})`);
  const outputs = await deployStackForOutputs(
    project,
    stackName,
    {
      stageAccount: stage,
      ...(options.githubOidcProviderArn ? { githubOidcProviderArn: options.githubOidcProviderArn } : {}),
      ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
      ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
    },
    { runCdk, cloudformation: deps.cloudformation ?? new CloudFormationClient(region), log },
  );
  const deployRoleArn = outputs[stageOutputId(stage, 'DeployRoleArn')];
  if (!deployRoleArn)
    throw new Error(
      `The stack ${stackName} has no output ${stageOutputId(stage, 'DeployRoleArn')}; was it deployed from this version of Slipway?`,
    );
  return {
    stackName,
    account: target.account,
    outputs,
    repositoryVariables: { [deployRoleVariable(stage)]: deployRoleArn },
  };
}
