import { CloudFormationClient, type Stack } from '@aws-sdk/client-cloudformation';
import {
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetRoleCommand, IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  DescribePipelineCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { sagemakerProjectOf, stageTarget, type ProjectConfig } from '@slipway/core';
import { inspectGitHubRepository, type Octokit } from '../bootstrap/github-repository.js';
import { findProjectStack } from '../bootstrap/project-stack-lookup.js';
import { repositoryVariableOutputs, repositoryVariables } from '../bootstrap/repository-variables.js';
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER, githubOidcSubject } from '../github/oidc-subject.js';
import {
  WORKFLOW_FILES,
  approvalRuleName,
  approvalRuleNamePrefix,
  githubDeployRoleName,
  githubEnvironmentName,
  githubTokenSecretName,
  roleNames,
} from '../names.js';

/**
 * `slipway doctor`: checks a project's whole setup, AWS and GitHub, and says for each part what is wrong and
 * what would fix it. Every check is read-only; one that cannot run (its prerequisite failed, or there is no
 * GitHub token) says so instead of passing.
 */

export interface DoctorCheck {
  /** `aws`, `github` or `local`. */
  readonly area: string;
  readonly name: string;
  readonly ok: boolean;
  /** The check could not run; `detail` says why. Not a pass. */
  readonly skipped?: boolean;
  readonly detail: string;
  /** What to do about it, when not ok. */
  readonly fix?: string;
}

export interface AwsDoctorClients {
  readonly sts: STSClient;
  readonly cloudformation: CloudFormationClient;
  readonly iam: IAMClient;
  readonly secrets: SecretsManagerClient;
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
}

export function awsDoctorClients(config: { region: string; endpoint?: string }): AwsDoctorClients {
  const s3Config = config.endpoint ? { ...config, forcePathStyle: true } : config;
  return {
    sts: new STSClient(config),
    cloudformation: new CloudFormationClient(config),
    iam: new IAMClient(config),
    secrets: new SecretsManagerClient(config),
    events: new EventBridgeClient(config),
    sqs: new SQSClient(config),
    sagemaker: new SageMakerClient(config),
    s3: new S3Client(s3Config),
  };
}

export interface ProjectDoctorOptions {
  readonly project: ProjectConfig;
  readonly clients: AwsDoctorClients;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** @default - the GitHub checks are reported as skipped */
  readonly github?: Octokit;
}

const BOOTSTRAP_FIX = 'run `npx slipway bootstrap`';

function errorText(error: unknown): string {
  const { name, message } = error as { name?: string; message?: string };
  return name && message && !message.startsWith(name) ? `${name}: ${message}` : (message ?? String(error));
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? '';
}

class Report {
  readonly checks: DoctorCheck[] = [];
  pass(area: string, name: string, detail: string): void {
    this.checks.push({ area, name, ok: true, detail });
  }
  fail(area: string, name: string, detail: string, fix: string): void {
    this.checks.push({ area, name, ok: false, detail, fix });
  }
  skip(area: string, name: string, detail: string): void {
    this.checks.push({ area, name, ok: false, skipped: true, detail });
  }
  /** Runs one check; an unexpected error is its failure, with the fix given. */
  async run(area: string, name: string, fix: string, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      this.fail(area, name, errorText(error), fix);
    }
  }
}

/** The trust policy's OIDC statement, as IAM returns it (URL-encoded JSON). */
function trustConditions(document: string | undefined): { provider: string; sub?: string; aud?: string }[] {
  if (!document) return [];
  const policy = JSON.parse(decodeURIComponent(document)) as {
    Statement?: {
      Action?: string | string[];
      Principal?: { Federated?: string | string[] };
      Condition?: { StringEquals?: Record<string, string | string[]> };
    }[];
  };
  return (policy.Statement ?? [])
    .filter((statement) => [statement.Action].flat().includes('sts:AssumeRoleWithWebIdentity'))
    .map((statement) => {
      const equals = statement.Condition?.StringEquals ?? {};
      const one = (value: string | string[] | undefined): string | undefined =>
        Array.isArray(value) ? (value.length === 1 ? value[0] : JSON.stringify(value)) : value;
      const sub = one(equals[`${GITHUB_OIDC_ISSUER}:sub`]);
      const aud = one(equals[`${GITHUB_OIDC_ISSUER}:aud`]);
      return {
        provider: [statement.Principal?.Federated ?? []].flat().join(','),
        ...(sub ? { sub } : {}),
        ...(aud ? { aud } : {}),
      };
    });
}

export async function runProjectDoctor(options: ProjectDoctorOptions): Promise<DoctorCheck[]> {
  const { project, clients } = options;
  const branch = options.defaultBranch ?? 'main';
  const report = new Report();
  const repository = project.githubRepository;

  if (project.template)
    report.fail(
      'config',
      'project id',
      `slipway.config.json is the template's (${project.projectId}), shared by every repository made from it`,
      'run `npx slipway init --github OWNER/REPO`',
    );
  else report.pass('config', 'project id', `${project.projectId}, this repository's own`);
  if (!repository)
    report.fail(
      'config',
      'GitHub repository',
      'slipway.config.json names none',
      'run `npx slipway init --github OWNER/REPO`',
    );

  // Credentials first: without them no AWS check can say anything useful.
  let account: string | undefined;
  await report.run(
    'aws',
    'credentials and region',
    'configure AWS credentials (AWS_PROFILE, aws sso login)',
    async () => {
      const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
      account = identity.Account;
      report.pass('aws', 'credentials and region', `account ${identity.Account} as ${identity.Arn}, ${project.region}`);
    },
  );
  if (!account) {
    report.skip('aws', 'the AWS checks', 'need working credentials');
    await githubChecks(report, options, undefined);
    return report.checks;
  }

  let stack: Stack | undefined;
  // A project created in Studio has the stack Service Catalog provisioned, under a name of its choosing.
  const stackFix = project.sagemakerProject
    ? 'create the project in SageMaker Studio from the Slipway template (`npx slipway bootstrap --projects-template` publishes it), or correct sagemakerProject in slipway.config.json'
    : BOOTSTRAP_FIX;
  await report.run('aws', 'project stack', stackFix, async () => {
    const found = await findProjectStack(clients.cloudformation, project);
    stack = found.stack;
    const stackName = found.description;
    if (!stack)
      return report.fail('aws', 'project stack', `${stackName} does not exist in ${project.region}`, stackFix);
    const status = stack.StackStatus ?? '';
    if (!/_COMPLETE$/.test(status) || /ROLLBACK|DELETE/.test(status))
      return report.fail(
        'aws',
        'project stack',
        `${stackName} is ${status}: ${stack.StackStatusReason ?? ''}`.trim(),
        BOOTSTRAP_FIX,
      );
    const outputs = new Set((stack.Outputs ?? []).map((output) => output.OutputKey));
    const missing = [...Object.values(repositoryVariableOutputs(project)), 'ApprovalDeadLetterQueueUrl'].filter(
      (key) => key !== 'Region' && !outputs.has(key),
    );
    if (missing.length > 0)
      return report.fail('aws', 'project stack', `${stackName} lacks the outputs ${missing.join(', ')}`, BOOTSTRAP_FIX);
    report.pass('aws', 'project stack', `${stackName} ${status}, with every output`);
  });
  const outputs = Object.fromEntries(
    (stack?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
  );

  let providerArn: string | undefined;
  await report.run('aws', 'GitHub OIDC provider', BOOTSTRAP_FIX, async () => {
    const { OpenIDConnectProviderList = [] } = await clients.iam.send(new ListOpenIDConnectProvidersCommand({}));
    providerArn = OpenIDConnectProviderList.map((provider) => provider.Arn ?? '').find((arn) =>
      arn.endsWith(`oidc-provider/${GITHUB_OIDC_ISSUER}`),
    );
    if (providerArn) report.pass('aws', 'GitHub OIDC provider', providerArn);
    else
      report.fail(
        'aws',
        'GitHub OIDC provider',
        `the account has no provider for ${GITHUB_OIDC_ISSUER}`,
        BOOTSTRAP_FIX,
      );
  });

  const roles = [
    {
      roleName: roleNames(project).githubBuild,
      context: { ref: `refs/heads/${branch}` },
      workflowFile: WORKFLOW_FILES.build,
    },
    // A stage in its own account has its deploy role there (bootstrap --stage), not in this account.
    ...project.stages
      .filter((stage) => !stageTarget(project, stage).crossAccount)
      .map((stage) => ({
        roleName: githubDeployRoleName(project, stage),
        context: { environment: githubEnvironmentName(stage) },
        workflowFile: WORKFLOW_FILES.deploy,
      })),
  ];
  for (const role of roles) {
    const name = `role ${role.roleName}`;
    if (!repository) {
      report.skip('aws', name, 'its trust names the repository, and the config names none');
      continue;
    }
    await report.run('aws', name, BOOTSTRAP_FIX, async () => {
      let document: string | undefined;
      try {
        document = (await clients.iam.send(new GetRoleCommand({ RoleName: role.roleName }))).Role
          ?.AssumeRolePolicyDocument;
      } catch (error) {
        if (errorName(error) !== 'NoSuchEntityException' && errorName(error) !== 'NoSuchEntity') throw error;
        return report.fail('aws', name, 'does not exist', BOOTSTRAP_FIX);
      }
      const expected = githubOidcSubject({
        repository,
        context: role.context,
        workflowFile: role.workflowFile,
        branch,
      });
      const trusts = trustConditions(document);
      const match = trusts.find((trust) => trust.sub === expected);
      if (!match)
        return report.fail(
          'aws',
          name,
          `trusts ${trusts.map((trust) => trust.sub ?? 'any subject').join(', ') || 'no GitHub workflow'}, not ${expected}`,
          `${BOOTSTRAP_FIX} (with --default-branch if the default branch is not ${branch})`,
        );
      if (match.aud !== GITHUB_OIDC_AUDIENCE || (providerArn && !match.provider.includes(providerArn)))
        return report.fail('aws', name, `trusts ${match.provider} for audience ${match.aud ?? 'any'}`, BOOTSTRAP_FIX);
      report.pass('aws', name, `trusts ${expected}`);
    });
  }

  const secretName = githubTokenSecretName(project);
  await report.run('aws', 'GitHub token secret', BOOTSTRAP_FIX, async () => {
    try {
      const secret = await clients.secrets.send(new DescribeSecretCommand({ SecretId: secretName }));
      report.pass(
        'aws',
        'GitHub token secret',
        `${secretName}, changed ${secret.LastChangedDate?.toISOString() ?? 'at creation'}`,
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      report.fail(
        'aws',
        'GitHub token secret',
        `${secretName} does not exist`,
        `${BOOTSTRAP_FIX} with SLIPWAY_GITHUB_TOKEN`,
      );
    }
  });

  const rotate =
    'check the token (Contents: read and write on the repository, not expired), then rotate it: SLIPWAY_GITHUB_TOKEN=… npx slipway bootstrap';
  await report.run('aws', 'approval route connection', BOOTSTRAP_FIX, async () => {
    const rule = approvalRuleName(approvalRuleNamePrefix(project), 'Approved');
    let targets;
    try {
      targets = (await clients.events.send(new ListTargetsByRuleCommand({ Rule: rule }))).Targets ?? [];
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      return report.fail('aws', 'approval route connection', `the rule ${rule} does not exist`, BOOTSTRAP_FIX);
    }
    const destinationArn = targets.map((target) => target.Arn ?? '').find((arn) => arn.includes(':api-destination/'));
    if (!destinationArn)
      return report.fail(
        'aws',
        'approval route connection',
        `the rule ${rule} has no API destination target`,
        BOOTSTRAP_FIX,
      );
    const destinationName = destinationArn.split(':api-destination/')[1]!.split('/')[0]!;
    const destination = await clients.events.send(new DescribeApiDestinationCommand({ Name: destinationName }));
    const connectionName = (destination.ConnectionArn ?? '').split(':connection/')[1]?.split('/')[0] ?? '';
    const connection = await clients.events.send(new DescribeConnectionCommand({ Name: connectionName }));
    if (connection.ConnectionState !== 'AUTHORIZED')
      return report.fail(
        'aws',
        'approval route connection',
        `${connectionName} is ${connection.ConnectionState ?? 'in no state'}${connection.StateReason ? `: ${connection.StateReason}` : ''}`,
        rotate,
      );
    report.pass('aws', 'approval route connection', `${connectionName} AUTHORIZED, ${rule} → ${destinationName}`);
  });

  await report.run('aws', 'dead-letter queue', BOOTSTRAP_FIX, async () => {
    const queueUrl = outputs.ApprovalDeadLetterQueueUrl;
    if (!queueUrl)
      return report.skip('aws', 'dead-letter queue', 'its URL is a project stack output, and the stack has none');
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    const count = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? '0');
    if (count === 0) return report.pass('aws', 'dead-letter queue', 'empty: every approval reached GitHub');
    // A peek: visibility 0 leaves the messages where they are, for the person to redrive.
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const errors = (received.Messages ?? []).map((message) => {
      const attribute = (key: string): string => message.MessageAttributes?.[key]?.StringValue ?? '';
      return `${attribute('ERROR_CODE') || 'error'} ${attribute('ERROR_MESSAGE')}`.trim();
    });
    report.fail(
      'aws',
      'dead-letter queue',
      `${count} approval event(s) never reached GitHub: ${[...new Set(errors)].join('; ') || 'no error recorded'}`,
      `${rotate}; then redrive the queue's messages or approve again`,
    );
  });

  await report.run('aws', 'pipeline', 'push to the default branch: build.yml creates it', async () => {
    try {
      const pipeline = await clients.sagemaker.send(
        new DescribePipelineCommand({ PipelineName: project.pipelineName }),
      );
      report.pass('aws', 'pipeline', `${project.pipelineName} ${pipeline.PipelineStatus ?? ''}`.trim());
    } catch (error) {
      // SageMaker answers ResourceNotFound; some stand-ins a ValidationException saying so.
      if (errorName(error) !== 'ResourceNotFound' && !/could not find|does not exist/i.test(errorText(error)))
        throw error;
      report.fail(
        'aws',
        'pipeline',
        `${project.pipelineName} does not exist`,
        'push to the default branch: build.yml creates and runs it',
      );
    }
  });

  let lastApproval: { version: number; time: Date } | undefined;
  await report.run('aws', 'model package group', BOOTSTRAP_FIX, async () => {
    try {
      await clients.sagemaker.send(
        new DescribeModelPackageGroupCommand({ ModelPackageGroupName: project.modelPackageGroupName }),
      );
    } catch (error) {
      if (!/does not exist|not found/i.test(errorText(error))) throw error;
      return report.fail(
        'aws',
        'model package group',
        `${project.modelPackageGroupName} does not exist`,
        BOOTSTRAP_FIX,
      );
    }
    const approved = await clients.sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: project.modelPackageGroupName,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 1,
      }),
    );
    const newest = approved.ModelPackageSummaryList?.[0];
    if (newest?.ModelPackageArn && newest.ModelPackageVersion) {
      // The approval is the package's last modification; its creation is when it was registered.
      const described = await clients.sagemaker.send(
        new DescribeModelPackageCommand({ ModelPackageName: newest.ModelPackageArn }),
      );
      const time = described.LastModifiedTime ?? newest.CreationTime;
      if (time) lastApproval = { version: newest.ModelPackageVersion, time };
    }
    report.pass(
      'aws',
      'model package group',
      `${project.modelPackageGroupName}${newest ? `, newest approved version ${newest.ModelPackageVersion}` : ', no approved version yet'}`,
    );
  });

  await report.run('aws', 'artifact bucket', BOOTSTRAP_FIX, async () => {
    const bucket = project.artifactBucket;
    try {
      await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 403)
        return report.fail(
          'aws',
          'artifact bucket',
          `${bucket} exists but belongs to someone else (S3 names are global)`,
          'run `npx slipway init` in a repository made from the template to get a project id and bucket of its own',
        );
      if (status === 404 || errorName(error) === 'NotFound')
        return report.fail('aws', 'artifact bucket', `${bucket} does not exist`, BOOTSTRAP_FIX);
      throw error;
    }
    const tags = await clients.s3
      .send(new GetBucketTaggingCommand({ Bucket: bucket }))
      .then((result) => result.TagSet ?? [])
      .catch(() => []);
    const projectId = tags.find((tag) => tag.Key === 'sagemaker:project-id')?.Value;
    // Created from the Studio template, the bucket carries the Studio project's id.
    const expected = sagemakerProjectOf(project).projectId;
    if (projectId !== expected)
      return report.fail(
        'aws',
        'artifact bucket',
        `${bucket} is tagged sagemaker:project-id=${projectId ?? '(none)'}, not ${expected}: it is not this project's`,
        'choose another artifactBucket in slipway.config.json, or run `npx slipway init` for a new project id',
      );
    report.pass('aws', 'artifact bucket', `${bucket}, tagged ${expected}`);
  });

  await githubChecks(report, options, { outputs, lastApproval });
  return report.checks;
}

async function githubChecks(
  report: Report,
  options: ProjectDoctorOptions,
  aws: { outputs: Record<string, string>; lastApproval: { version: number; time: Date } | undefined } | undefined,
): Promise<void> {
  const { project, github } = options;
  const repository = project.githubRepository;
  if (!repository) return;
  if (!github) {
    report.skip('github', 'the GitHub checks', 'need a token: export SLIPWAY_GITHUB_SETUP_TOKEN (or GITHUB_TOKEN)');
    return;
  }
  let variables: Record<string, string> | undefined;
  if (aws && Object.keys(aws.outputs).length > 0) {
    try {
      variables = repositoryVariables(aws.outputs, project);
    } catch {
      variables = undefined;
    }
  }
  if (!variables)
    report.skip(
      'github',
      'repository variables',
      'their values are the project stack outputs, and there are none to compare with',
    );
  await report.run('github', 'repository setup', `check the token's access to ${repository}`, async () => {
    const items = await inspectGitHubRepository(github, {
      repository,
      stages: project.stages,
      defaultBranch: options.defaultBranch ?? 'main',
      ...(variables ? { variables } : {}),
    });
    for (const item of items) {
      if (item.ok) report.pass('github', item.item, item.detail);
      else
        report.fail(
          'github',
          item.item,
          item.detail,
          `${item.fix ?? ''}; \`npx slipway bootstrap\` with SLIPWAY_GITHUB_SETUP_TOKEN does it`,
        );
    }
  });

  await report.run(
    'github',
    'last approval delivered',
    'check the dead-letter queue and the connection above',
    async () => {
      const [owner, repo] = repository.split('/') as [string, string];
      const runs = await github.rest.actions.listWorkflowRuns({
        owner,
        repo,
        workflow_id: WORKFLOW_FILES.deploy.split('/').pop()!,
        event: 'repository_dispatch',
        per_page: 1,
      });
      const last = runs.data.workflow_runs[0];
      const approval = aws?.lastApproval;
      if (!last) {
        if (approval)
          return report.fail(
            'github',
            'last approval delivered',
            `version ${approval.version} is approved, but deploy.yml has never run on an approval`,
            'check the dead-letter queue and the connection above',
          );
        return report.pass('github', 'last approval delivered', 'no approval yet, and no dispatched deploy run');
      }
      const runTime = new Date(last.created_at);
      if (approval && runTime < approval.time)
        return report.fail(
          'github',
          'last approval delivered',
          `version ${approval.version} was approved after the last dispatched run (#${last.run_number}, ${last.created_at})`,
          'check the dead-letter queue and the connection above',
        );
      report.pass(
        'github',
        'last approval delivered',
        `deploy run #${last.run_number} "${last.display_title}" ${last.conclusion ?? last.status ?? ''} at ${last.created_at}`.trim(),
      );
    },
  );
}
