import { ValidationError } from '@slipway/core';
import { deployRoleVariable } from '../bootstrap/repository-variables.js';
import { WORKFLOW_FILES, githubEnvironmentName } from '../names.js';
import { RESOLVE_JOB, TEST_JOB } from '../workflow/deploy-run.js';
import { EVENT_RUN_TITLE_FORMAT } from './run-title.js';

/**
 * The pinned third-party actions of every workflow: one version each (a test keeps the workflows to these).
 * Pinned by commit, the tag in the comment.
 */
export const PINNED_ACTIONS = Object.freeze({
  checkout: 'actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2',
  setupNode: 'actions/setup-node@53b83947a5a98c8d113130e565377fae1a50d02f # v6.3.0',
  configureAwsCredentials: 'aws-actions/configure-aws-credentials@ec61189d14ec14c8efccab744f656cffd0e33f37 # v6.1.0',
});

/** How long each kind of deploy job may run, in minutes (its AWS session lasts as long). */
const TIMEOUT_MINUTES = Object.freeze({ resolve: 15, firstStage: 90, test: 20, laterStage: 120 });

/** The command that writes deploy.yml from slipway.config.json. */
export const DEPLOY_WORKFLOW_COMMAND = 'npx slipway deploy workflow --write';

function checkStageNames(stages: readonly string[]): void {
  if (stages.length === 0) {
    throw new ValidationError({
      where: 'slipway.config.json',
      field: 'stages',
      problem: 'is empty, so the deploy workflow would deploy nothing',
      fix: 'list the stages in deploy order, e.g. ["staging", "prod"]',
    });
  }
  for (const stage of stages) {
    if (stage === RESOLVE_JOB || stage === TEST_JOB || !/^[a-z][a-z0-9-]*$/.test(stage)) {
      throw new ValidationError({
        where: 'slipway.config.json',
        field: 'stages',
        problem: `has ${JSON.stringify(stage)}, which cannot be a job of the deploy workflow`,
        fix: `name stages with lower-case letters, digits and hyphens, other than "${RESOLVE_JOB}" and "${TEST_JOB}"`,
      });
    }
  }
}

function checkout(): string[] {
  return [
    '      - name: Check out the repository',
    `        uses: ${PINNED_ACTIONS.checkout}`,
    '        with:',
    '          persist-credentials: false',
  ];
}

function buildCdkApp(): string[] {
  return [
    '      - name: Set up Node.js',
    `        uses: ${PINNED_ACTIONS.setupNode}`,
    '        with:',
    '          node-version: 22',
    "      - name: Install the CDK app's dependencies",
    '        run: npm ci --ignore-scripts --no-audit --no-fund',
    '      - name: Build the CDK app',
    '        run: npx tsc -b deploy-pipeline',
  ];
}

function awsCredentials(purpose: string, stage: string, sessionName: string, timeoutMinutes: number): string[] {
  return [
    `      - name: Configure AWS credentials for ${purpose}`,
    `        uses: ${PINNED_ACTIONS.configureAwsCredentials}`,
    '        with:',
    `          role-to-assume: \${{ vars.${deployRoleVariable(stage)} }}`,
    '          aws-region: ${{ vars.SLIPWAY_AWS_REGION }}',
    `          role-session-name: ${sessionName}`,
    `          role-duration-seconds: ${Math.max(900, timeoutMinutes * 60)}`,
  ];
}

/** A stage's deploy job records its deploy as a GitHub deployment (actions/deploy-model/src/github-deployment.ts). */
const DEPLOYMENTS_PERMISSION =
  "      deployments: write # record the deploy in the environment's deployments (which model version is live)";

/** The stage a person's rollback names (empty for every other run). */
const ROLLBACK_STAGE = `needs.${RESOLVE_JOB}.outputs.rollback-stage`;

/** A stage job runs in a deploy, and in a rollback only when the rollback names its stage. */
function runsForStage(stage: string): string {
  return `(${ROLLBACK_STAGE} == '' || ${ROLLBACK_STAGE} == '${stage}')`;
}

function jobHeader(
  id: string,
  name: string,
  needs: string,
  timeoutMinutes: number,
  stage: string,
  why = '',
  extraPermissions: readonly string[] = [],
): string[] {
  return [
    `  ${id}:`,
    `    name: ${name}`,
    `    needs: ${needs}`,
    '    runs-on: ubuntu-24.04',
    `    timeout-minutes: ${timeoutMinutes}${why}`,
    `    environment: ${githubEnvironmentName(stage)}`,
    '    permissions:',
    '      contents: read # check out the repository (actions and configs)',
    "      id-token: write # exchange the job's OIDC token for the AWS role",
    ...extraPermissions,
    '    steps:',
  ];
}

function resolveJob(first: string): string[] {
  return [
    `  ${RESOLVE_JOB}:`,
    '    name: Resolve the model package',
    '    runs-on: ubuntu-24.04',
    `    timeout-minutes: ${TIMEOUT_MINUTES.resolve}`,
    `    # It reads what the ${first} deploy reads (the registry), with the ${first} role.`,
    `    environment: ${githubEnvironmentName(first)}`,
    '    permissions:',
    '      contents: read # check out the repository (actions and configs)',
    "      id-token: write # exchange the job's OIDC token for the AWS role",
    "      actions: read # list this workflow's earlier runs, to act on each event id once",
    '    outputs:',
    '      action: ${{ steps.resolve.outputs.action }}',
    '      model-package-arn: ${{ steps.resolve.outputs.model-package-arn }}',
    '      replaces-model-package-arn: ${{ steps.resolve.outputs.replaces-model-package-arn }}',
    '      rollback-stage: ${{ steps.resolve.outputs.rollback-stage }}',
    '    steps:',
    ...checkout(),
    ...awsCredentials('reading the registry', first, 'slipway-deploy-resolve', TIMEOUT_MINUTES.resolve),
    '      - name: Check the request against the Model Registry',
    '        id: resolve',
    '        uses: ./actions/resolve-deployment',
    '        with:',
    '          trigger: ${{ github.event_name }}',
    "          event-type: ${{ github.event_name == 'workflow_dispatch' && 'model-package-approved' || github.event.action }}",
    "          model-package-arn: ${{ github.event_name == 'workflow_dispatch' && inputs.model_package_arn || github.event.client_payload.model_package_arn }}",
    '          event-id: ${{ github.event.client_payload.event_id }}',
    '          model-package-group: ${{ github.event.client_payload.model_package_group }}',
    '          model-package-version: ${{ github.event.client_payload.model_package_version }}',
    '          approval-status: ${{ github.event.client_payload.approval_status }}',
    '          github-token: ${{ github.token }}',
    "          rollback-stage: ${{ github.event_name == 'workflow_dispatch' && inputs.rollback != 'none' && inputs.rollback || '' }}",
    "          rollback-to: ${{ github.event_name == 'workflow_dispatch' && inputs.rollback_to || '' }}",
  ];
}

/** The deploy-model step's inputs every stage job passes. */
function deployModelInputs(stage: string): string[] {
  return [
    '        uses: ./actions/deploy-model',
    '        with:',
    `          stage: ${stage}`,
    `          model-package-arn: \${{ needs.${RESOLVE_JOB}.outputs.model-package-arn }}`,
    `          replaces-model-package-arn: \${{ needs.${RESOLVE_JOB}.outputs.replaces-model-package-arn }}`,
    `          rollback: \${{ ${ROLLBACK_STAGE} == '${stage}' }}`,
    '          github-token: ${{ github.token }}',
  ];
}

function firstStageJob(stage: string): string[] {
  const minutes = TIMEOUT_MINUTES.firstStage;
  const header = jobHeader(
    stage,
    `Deploy to ${githubEnvironmentName(stage)}`,
    RESOLVE_JOB,
    minutes,
    stage,
    " # the endpoint wait (up to 60 min) and the CDK app's build",
    [DEPLOYMENTS_PERMISSION],
  );
  return [
    ...header.slice(0, 3),
    `    if: needs.${RESOLVE_JOB}.outputs.action != 'none' && ${runsForStage(stage)}`,
    ...header.slice(3),
    ...checkout(),
    ...buildCdkApp(),
    ...awsCredentials('deploying', stage, `slipway-deploy-${stage}`, minutes),
    `      - name: Deploy the resolved version to ${githubEnvironmentName(stage)}`,
    ...deployModelInputs(stage),
    '          # Only a person may replace a newer Approved version with an older one.',
    "          allow-downgrade: ${{ github.event_name == 'workflow_dispatch' }}",
  ];
}

function testJob(stage: string): string[] {
  const minutes = TIMEOUT_MINUTES.test;
  return [
    ...jobHeader(TEST_JOB, `Test the ${githubEnvironmentName(stage)} endpoint`, stage, minutes, stage),
    ...checkout(),
    ...awsCredentials('invoking the endpoint', stage, 'slipway-deploy-test', minutes),
    `      - name: Test the ${githubEnvironmentName(stage)} endpoint against its thresholds`,
    '        uses: ./actions/test-endpoint',
    '        with:',
    `          stage: ${stage}`,
  ];
}

function laterStageJob(stage: string, previousStage: string, previousJob: string): string[] {
  const minutes = TIMEOUT_MINUTES.laterStage;
  const environment = githubEnvironmentName(stage);
  const header = jobHeader(
    stage,
    `Deploy to ${environment}`,
    `[${RESOLVE_JOB}, ${previousJob}]`,
    minutes,
    stage,
    ' # a canary with its bake time can take more than an hour',
    [DEPLOYMENTS_PERMISSION],
  );
  return [
    ...header.slice(0, 3),
    // A rollback of this stage skips the stages before it: nothing before it may have failed, and the run
    // still passes this stage's gate (its environment's reviewers) and smoke test.
    `    if: \${{ !cancelled() && !failure() && needs.${RESOLVE_JOB}.outputs.action != 'none' && ${runsForStage(stage)} }}`,
    ...header.slice(3),
    ...checkout(),
    ...buildCdkApp(),
    ...awsCredentials('deploying', stage, `slipway-deploy-${stage}`, minutes),
    `      # The same version ${previousStage} deployed; the action re-checks that it is still Approved and, for a`,
    `      # deploy, that ${previousStage} still serves it (promoted-from), whatever happened while the gate waited.`,
    `      - name: Deploy the version that passed ${githubEnvironmentName(previousStage)} to ${environment}`,
    ...deployModelInputs(stage),
    `          promoted-from: \${{ needs.${RESOLVE_JOB}.outputs.action == 'deploy' && '${previousStage}' || '' }}`,
    "          allow-downgrade: ${{ github.event_name == 'workflow_dispatch' }}",
    `      - name: Smoke-test the ${environment} endpoint`,
    '        uses: ./actions/test-endpoint',
    '        with:',
    `          stage: ${stage}`,
  ];
}

/**
 * The text of `.github/workflows/deploy.yml` for the project's stages, in order: resolve the request, deploy
 * the first stage, test it, then deploy each later stage (each after the one before it, with its smoke test).
 * `slipway.config.json`'s stages are the one source: `npx slipway deploy workflow --write` rewrites the file,
 * and a test fails while the committed file differs from what this returns.
 */
export function deployWorkflowYaml(stages: readonly string[]): string {
  checkStageNames(stages);
  const [first, ...later] = stages as [string, ...string[]];
  const environments = stages.map((stage) => `\`${githubEnvironmentName(stage)}\``);
  const laterJobs = later.flatMap((stage, index) => {
    const previousStage = index === 0 ? first : (later[index - 1] as string);
    const previousJob = index === 0 ? TEST_JOB : previousStage;
    return ['', ...laterStageJob(stage, previousStage, previousJob)];
  });
  const lines = [
    `# Generated from the stages of slipway.config.json by \`${DEPLOY_WORKFLOW_COMMAND}\`: edit the config`,
    '# (or the generator, deploy-pipeline/src/github/deploy-workflow-file.ts) and run it again.',
    '#',
    '# Deploy on approval. Approving a model package version in the SageMaker Model Registry makes the',
    "# project's EventBridge rule send a repository_dispatch (model-package-approved / model-package-rejected);",
    '# a person can also deploy a version by hand, or roll one stage back (workflow_dispatch: model_package_arn,',
    '# or rollback with an optional rollback_to, the same rollback as `npx slipway deploy rollback`: the version',
    "# named, or the one the stage served before, refused unless Approved; it passes that stage's gates and tests",
    '# and leaves the other stages alone). Each stage job records its deploy as a GitHub deployment of its',
    "# environment (the model package in the payload, the endpoint as the environment's URL). The payload is",
    '# untrusted: the resolve job re-checks it against the registry, and every later job deploys exactly the',
    '# version it resolved.',
    '#',
    '# Late and repeated approvals: EventBridge delivers at least once and retries for up to 24 hours. An event',
    '# deploys only the newest Approved version of the group (an older one only by hand, workflow_dispatch), and',
    '# each event id once: the run is named after its event id (run-name) and the resolve job reads the earlier',
    "# runs' names. Runs go one at a time (concurrency below), so no run can change a stage while another waits",
    "# at a later stage's gate; each later stage's job still checks that the stage before it serves the run's",
    '# version before deploying.',
    '#',
    `# Stages, in order: ${stages.join(' → ')}. Gates: the \`${githubEnvironmentName(first)}\` environment deploys and tests`,
    "# without review; each later stage's environment has required reviewers who approve its job (Settings >",
    `# Environments > … > Required reviewers). The environments (${environments.join(', ')}) accept the default branch only.`,
    "# AWS access is by OIDC only, one role per stage: a job in a stage's environment can assume only that",
    "# stage's role, and only from this file on the default branch (the roles trust",
    `# \`repo:…:environment:<env>:job_workflow_ref:…/${WORKFLOW_FILES.deploy.split('/').pop()}@refs/heads/main\`). Each session lasts as long as`,
    '# its job may (role-duration-seconds = timeout-minutes × 60). The role ARNs are repository variables printed',
    '# by `npx slipway bootstrap`; a stage in its own AWS account (stageAccounts) has its role there, printed by',
    "# `npx slipway bootstrap --stage <stage>` run with that account's credentials, and its jobs assume that one.",
    'name: Deploy on approval',
    "# The run's title names its event id: the resolve job recognises a repeated delivery by it (run-title.ts).",
    'run-name: >-',
    "  ${{ github.event_name == 'workflow_dispatch' && inputs.rollback != 'none' && format('Roll back {0} to {1} by hand',",
    "  inputs.rollback, inputs.rollback_to || 'the version before') || github.event_name == 'workflow_dispatch' &&",
    "  format('Deploy {0} by hand', inputs.model_package_arn)",
    `  || format('${EVENT_RUN_TITLE_FORMAT}', github.event.action, github.event.client_payload.model_package_version,`,
    '  github.event.client_payload.event_id) }}',
    '',
    'on:',
    '  repository_dispatch:',
    '    types: [model-package-approved, model-package-rejected]',
    '  workflow_dispatch:',
    '    inputs:',
    '      model_package_arn:',
    '        description: ARN of the Approved model package version to deploy (arn:aws:sagemaker:REGION:ACCOUNT:model-package/GROUP/VERSION); empty for a rollback',
    '        required: false',
    '        type: string',
    '      rollback:',
    '        description: Roll this stage back instead (through its gates), to rollback_to or to the version it served before',
    '        required: false',
    '        type: choice',
    `        options: [none, ${stages.join(', ')}]`,
    '        default: none',
    '      rollback_to:',
    '        description: For a rollback, the Approved version to go back to (a version number or ARN); empty for the one before',
    '        required: false',
    '        type: string',
    '',
    'permissions:',
    '  contents: read # jobs widen this by id-token: write (AWS OIDC), and resolve by actions: read',
    '',
    '# One deploy at a time, in the order the approvals arrived: none is cancelled, running or waiting.',
    'concurrency:',
    '  group: slipway-deploy',
    '  cancel-in-progress: false',
    '  queue: max',
    '',
    'jobs:',
    ...resolveJob(first),
    '',
    ...firstStageJob(first),
    '',
    ...testJob(first),
    ...laterJobs,
    '',
  ];
  return lines.join('\n');
}
