import { App, Validations, type AppProps, type IStackSynthesizer } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ValidationError, describeValue, stageTarget, type LoadedProjectConfig } from '@slipway/core';
import { loadStageConfig } from '../config/stage-config.js';
import {
  endpointStackName,
  monitoringStackName,
  portfolioStackName,
  projectStackName,
  projectTemplateStackName,
  projectTemplatesBucketName,
  stageAccountStackName,
} from '../names.js';
import { CDK_CONTEXT as CONTEXT } from '../cdk-context.js';
import { CliCredentialsOnlySynthesizer } from './cli-credentials-synthesizer.js';
import { EndpointStack } from './endpoint-stack.js';
import { MonitoringStack } from './monitoring-stack.js';
import { PortfolioStack } from './portfolio-stack.js';
import { ProjectStack } from './project-stack.js';
import { asInterface } from './private/as-interface.js';
import { ProjectTemplateStack } from './project-template-stack.js';
import { StageAccountStack } from './stage-account-stack.js';

/**
 * CDK feature flags the stacks rely on, set in code so that an app built in a test agrees with `cdk synth` and
 * `cdk deploy`, and written in deploy-pipeline/cdk.json too (a test keeps the two the same) so that `cdk` run
 * by hand, or a tool that reads cdk.json, sees them.
 * - S3 server access logs are allowed by a bucket policy instead of the legacy LogDeliveryWrite ACL.
 */
export const FEATURE_FLAGS = Object.freeze({
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
});

export interface SlipwayApp {
  readonly app: App;
  /** Absent when the app was asked for one stage's EndpointStack only. */
  readonly projectStack?: ProjectStack;
  /** The drift route and monitoring alarms; with ProjectStack, whose API destination it uses. */
  readonly monitoringStack?: MonitoringStack;
  readonly endpointStacks: readonly EndpointStack[];
  /** With context `projectsTemplate=true`: the SageMaker project template and the portfolio that publishes it. */
  readonly projectsTemplate?: { readonly template: ProjectTemplateStack; readonly portfolio: PortfolioStack };
  /** With context `stageAccount`: that stage's stack for its own account, alone. */
  readonly stageAccountStack?: StageAccountStack;
}

export interface BuildAppOptions {
  readonly project: LoadedProjectConfig;
  /** App props, e.g. `context` and `outdir` in tests. */
  readonly appProps?: AppProps;
  /**
   * Run cdk-nag's AwsSolutions pack on synthesis.
   * @default true
   */
  readonly nag?: boolean;
}

function optionalString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new ValidationError({
      where: `context ${key}`,
      field: '',
      problem: `must be a string, got ${describeValue(value)}`,
      fix: `pass -c ${key}=VALUE`,
    });
  }
  return value;
}

/**
 * Builds the Slipway CDK app: ProjectStack, plus one EndpointStack per stage when a package ARN is given; or,
 * with a `stage` in the context, that stage's EndpointStack alone.
 */
export function buildApp({ project, appProps, nag = true }: BuildAppOptions): SlipwayApp {
  const app = new App({ ...appProps, context: { ...FEATURE_FLAGS, ...appProps?.context } });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const onlyStageAccount = optionalString(app, CONTEXT.stageAccount);
  if (onlyStageAccount)
    return { app, endpointStacks: [], stageAccountStack: buildStageAccountStack(app, project, onlyStageAccount) };
  const modelPackageArn = optionalString(app, CONTEXT.modelPackageArn);
  const onlyStage = optionalString(app, CONTEXT.stage);
  if (onlyStage && !modelPackageArn) {
    throw new ValidationError({
      where: `context ${CONTEXT.modelPackageArn}`,
      field: '',
      problem: `is missing, and the ${onlyStage} endpoint stack needs the model package to serve`,
      fix: `pass -c ${CONTEXT.modelPackageArn}=ARN`,
    });
  }
  // Deploying one stage needs only its EndpointStack: the project stack (and its GitHub settings) stay out.
  const projectStack = onlyStage ? undefined : buildProjectStack(app, project);
  const monitoringStack = projectStack && buildMonitoringStack(app, project, projectStack);
  const stages = onlyStage ? [onlyStage] : modelPackageArn ? project.stages : [];
  const endpointStacks = stages.map(
    (stage) =>
      new EndpointStack(app, endpointStackName(project, stage), {
        project,
        stageConfig: loadStageConfig(project, stage),
        modelPackageArn: modelPackageArn!,
      }),
  );
  const projectsTemplate =
    !onlyStage && optionalString(app, CONTEXT.projectsTemplate) === 'true'
      ? buildProjectsTemplate(app, project)
      : undefined;
  return {
    app,
    ...(projectStack ? { projectStack } : {}),
    ...(monitoringStack ? { monitoringStack } : {}),
    endpointStacks,
    ...(projectsTemplate ? { projectsTemplate } : {}),
  };
}

/** The project template (synthesized for `bootstrap --projects-template` to upload) and its portfolio stack. */
function buildProjectsTemplate(
  app: App,
  project: LoadedProjectConfig,
): { template: ProjectTemplateStack; portfolio: PortfolioStack } {
  const githubOidcProviderArn = optionalString(app, CONTEXT.githubOidcProviderArn);
  const defaultBranch = optionalString(app, CONTEXT.defaultBranch);
  const alarmEmail = optionalString(app, CONTEXT.alarmEmail);
  const productTemplateKey = optionalString(app, CONTEXT.productTemplateKey);
  const launchRoleArn = optionalString(app, CONTEXT.launchRoleArn);
  const studioRoleArns = (optionalString(app, CONTEXT.studioRoleArns) ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  const template = new ProjectTemplateStack(app, projectTemplateStackName(project), {
    project,
    synthesizer: asInterface<IStackSynthesizer>(new CliCredentialsOnlySynthesizer()),
    env: { region: project.region },
    ...(githubOidcProviderArn ? { githubOidcProviderArn } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
  });
  const portfolio = new PortfolioStack(app, portfolioStackName(project), {
    project,
    templatesBucketName: projectTemplatesBucketName(project),
    synthesizer: asInterface<IStackSynthesizer>(new CliCredentialsOnlySynthesizer()),
    env: { region: project.region },
    studioRoleArns,
    ...(productTemplateKey ? { productTemplateKey } : {}),
    ...(launchRoleArn ? { launchRoleArn } : {}),
  });
  return { template, portfolio };
}

function buildProjectStack(app: App, project: LoadedProjectConfig): ProjectStack {
  const githubOidcProviderArn = optionalString(app, CONTEXT.githubOidcProviderArn);
  const githubTokenSecretVersionId = optionalString(app, CONTEXT.githubTokenSecretVersionId);
  const defaultBranch = optionalString(app, CONTEXT.defaultBranch);
  const alarmEmail = optionalString(app, CONTEXT.alarmEmail);
  return new ProjectStack(app, projectStackName(project), {
    project,
    // ProjectStack has no file assets, so it deploys without `cdk bootstrap`.
    synthesizer: asInterface<IStackSynthesizer>(new CliCredentialsOnlySynthesizer()),
    env: { region: project.region },
    ...(githubOidcProviderArn ? { githubOidcProviderArn } : {}),
    ...(githubTokenSecretVersionId ? { githubTokenSecretVersionId } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
  });
}

/** Beside ProjectStack, which is at CloudFormation's inline template limit; deployed after it (it imports). */
function buildMonitoringStack(app: App, project: LoadedProjectConfig, projectStack: ProjectStack): MonitoringStack {
  const alarmEmail = optionalString(app, CONTEXT.alarmEmail);
  return new MonitoringStack(app, monitoringStackName(project), {
    project,
    destination: projectStack.approvalRoute.destination,
    synthesizer: asInterface<IStackSynthesizer>(new CliCredentialsOnlySynthesizer()),
    env: { region: project.region },
    ...(alarmEmail ? { alarmEmail } : {}),
  });
}

/** `bootstrap --stage S`: the stack a stage in its own account needs there, and nothing else. */
function buildStageAccountStack(app: App, project: LoadedProjectConfig, stage: string): StageAccountStack {
  const stageConfig = loadStageConfig(project, stage);
  const target = stageTarget(project, stage);
  if (!target.crossAccount) {
    throw new ValidationError({
      where: `context ${CONTEXT.stageAccount}`,
      field: '',
      problem: `names ${stage}, which deploys in the build account (slipway.config.json gives it no account of its own)`,
      fix: `add "stageAccounts": {"${stage}": {"account": "<12 digits>"}} to slipway.config.json, or bootstrap without --stage`,
    });
  }
  const githubOidcProviderArn = optionalString(app, CONTEXT.githubOidcProviderArn);
  const defaultBranch = optionalString(app, CONTEXT.defaultBranch);
  const alarmEmail = optionalString(app, CONTEXT.alarmEmail);
  return new StageAccountStack(app, stageAccountStackName(project, stage), {
    project,
    target,
    stageConfig,
    // No file assets: deploys without `cdk bootstrap`, like ProjectStack.
    synthesizer: asInterface<IStackSynthesizer>(new CliCredentialsOnlySynthesizer()),
    env: { account: target.account!, region: target.region },
    ...(githubOidcProviderArn ? { githubOidcProviderArn } : {}),
    ...(defaultBranch ? { defaultBranch } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
  });
}
