import type { Command } from 'commander';
import { ValidationError, loadProjectConfig } from '@slipway/core';
import {
  bootstrapProject,
  bootstrapStage,
  checkGitHubToken,
  ghApiCommand,
  ghVariableCommand,
  publishProjectsTemplate,
} from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';
import { promptSecret } from './secret-prompt.js';
import { githubSetupTokenHelp, printGitHubSetup, setUpGitHubRepository } from './bootstrap-github.js';

/** The environment variable that carries the GitHub token, so it never appears on a command line. */
export const GITHUB_TOKEN_ENV = 'SLIPWAY_GITHUB_TOKEN';

interface BootstrapOptions {
  githubOidcProviderArn?: string;
  defaultBranch?: string;
  alarmEmail?: string;
  reviewers?: string;
  projectsTemplate?: boolean;
  studioRoleArn?: string;
  launchRoleArn?: string;
  stage?: string;
}

export function registerBootstrap(program: Command, context: CliContext): void {
  program
    .command('bootstrap')
    .description(
      `deploy the project stack to AWS (roles, bucket, registry group, approval route); reads the GitHub token from ${GITHUB_TOKEN_ENV} or asks for it without echo`,
    )
    .option('--github-oidc-provider-arn <arn>', "reuse the account's existing GitHub OIDC provider")
    .option('--default-branch <branch>', 'the branch whose workflow files the AWS roles trust', 'main')
    .option('--alarm-email <address>', 'email to notify when an approval cannot reach GitHub')
    .option(
      '--reviewers <names>',
      "the production environment's required reviewers: logins and ORG/TEAM slugs, comma-separated",
    )
    .option(
      '--projects-template',
      'publish the SageMaker project template (a Service Catalog product) for Studio instead of deploying the project stack',
    )
    .option(
      '--studio-role-arn <arns>',
      'with --projects-template: the Studio execution roles that may create projects, comma-separated',
    )
    .option(
      '--launch-role-arn <arn>',
      'with --projects-template: the role Service Catalog creates the project stack as',
    )
    .option(
      '--stage <stage>',
      "deploy a stage's own-account stack (its deploy and endpoint roles, its alarms) with that account's credentials",
    )
    .action(async (options: BootstrapOptions) => {
      const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
      if (options.stage) {
        const result = await bootstrapStage({
          project,
          stage: options.stage,
          ...(options.githubOidcProviderArn ? { githubOidcProviderArn: options.githubOidcProviderArn } : {}),
          ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
          ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
          log: (line) => context.output.line(line, 'dim'),
        });
        context.output.result(result, (value) => {
          context.output.line(`Deployed ${value.stackName} in account ${value.account}`, 'good');
          for (const [key, output] of Object.entries(value.outputs)) context.output.line(`  ${key}: ${output}`);
          context.output.line(
            "Set the stage's deploy role variable (deploy.yml assumes it in that stage's jobs):",
            'bold',
          );
          for (const [name, variable] of Object.entries(value.repositoryVariables))
            context.output.line(`  ${ghVariableCommand(project.githubRepository ?? 'OWNER/REPO', name, variable)}`);
        });
        return;
      }
      if (project.template)
        context.output.warn(
          'slipway.config.json is still the template\'s ("template": true): its project id and bucket are shared by every repository made from the template; run `npx slipway init --github OWNER/REPO` first',
        );
      const reviewers = options.reviewers
        ?.split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const token =
        context.env[GITHUB_TOKEN_ENV] ?? (await promptSecret('GitHub token for repository_dispatch (input hidden): '));
      if (!token) {
        throw new ValidationError({
          where: GITHUB_TOKEN_ENV,
          field: '',
          problem: 'is not set, and there is no terminal to ask on',
          fix: `export ${GITHUB_TOKEN_ENV} with a fine-grained token (Contents: read and write on ${project.githubRepository ?? 'the repository'})`,
        });
      }
      checkGitHubToken(token);
      if (options.projectsTemplate) {
        const studioRoleArns = (options.studioRoleArn ?? '')
          .split(',')
          .map((arn) => arn.trim())
          .filter(Boolean);
        if (studioRoleArns.length === 0)
          throw new ValidationError({
            where: '--studio-role-arn',
            field: '',
            problem: 'is missing, and no one could create a project from the template without it',
            fix: "pass the Studio domain's execution role ARN (SageMaker console → Domains → the domain → Execution role)",
          });
        const published = await publishProjectsTemplate({
          project,
          githubToken: token,
          studioRoleArns,
          ...(options.launchRoleArn ? { launchRoleArn: options.launchRoleArn } : {}),
          ...(options.githubOidcProviderArn ? { githubOidcProviderArn: options.githubOidcProviderArn } : {}),
          ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
          ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
          log: (line) => context.output.line(line, 'dim'),
        });
        context.output.result(published, (value) => {
          const { output } = context;
          output.line(`Published the project template: ${value.templateUrl}`, 'good');
          output.line(`Deployed ${value.portfolioStackName}, shared with ${studioRoleArns.join(', ')}`);
          output.line('');
          output.line('Next, in SageMaker Studio:', 'bold');
          output.line(
            `  Deployments → Projects → Create project → Organization templates → "Slipway ${project.projectName}"`,
          );
          output.line(
            'Then record the project Studio made in slipway.config.json, so builds and deploys tag under it:',
          );
          output.line('  "sagemakerProject": { "projectName": "<name in Studio>", "projectId": "<its id, p-…>" }');
        });
        return;
      }
      const result = await bootstrapProject({
        project,
        githubToken: token,
        ...(options.githubOidcProviderArn ? { githubOidcProviderArn: options.githubOidcProviderArn } : {}),
        ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
        ...(options.alarmEmail ? { alarmEmail: options.alarmEmail } : {}),
        log: (line) => context.output.line(line, 'dim'),
      });
      const github = await setUpGitHubRepository(context, project, {
        variables: result.repositoryVariables,
        defaultBranch: options.defaultBranch ?? 'main',
        ...(reviewers ? { reviewers } : {}),
      });
      if (github && github.problems > 0) process.exitCode = 1;
      context.output.result({ ...result, ...(github ? { github: github.items } : {}) }, (value) => {
        const { output } = context;
        output.line(`Deployed ${value.stackName}`, 'good');
        output.line(`GitHub token stored in Secrets Manager as ${value.secretName}`);
        for (const [key, output_] of Object.entries(value.outputs)) output.line(`  ${key}: ${output_}`);
        const repository = project.githubRepository ?? 'OWNER/REPO';
        if (github) {
          printGitHubSetup(context, repository, github);
          return;
        }
        output.line('');
        output.line('Set these repository variables (Settings → Secrets and variables → Actions → Variables):', 'bold');
        for (const [name, variable] of Object.entries(value.repositoryVariables)) {
          output.line(`  ${ghVariableCommand(repository, name, variable)}`);
        }
        output.line('');
        output.line('Then set up the repository on GitHub (as an admin, with the gh CLI), in this order:', 'bold');
        value.githubSetup.forEach((step, index) => {
          output.line(`${index + 1}. ${step.title}: ${step.why}`);
          for (const line of ghApiCommand(step.request).split('\n')) output.line(`   ${line}`);
          for (const placeholder of step.placeholders ?? [])
            output.line(`   ${placeholder.name}: ${placeholder.how}`, 'dim');
          if (step.placeholders?.length && reviewers)
            output.line(`   the reviewers you named: ${reviewers.join(', ')}`, 'dim');
        });
        output.line('');
        output.line(githubSetupTokenHelp(), 'dim');
      });
    });
}
