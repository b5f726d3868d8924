import {
  DescribeModelPackageCommand,
  UpdateModelPackageCommand,
  type DescribeModelPackageOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { awsClientConfig, canonicalJson } from '@slipway/core';
import {
  TEST_JOB,
  approvalRuleName,
  githubEnvironmentName,
  approvalRuleNamePrefix,
  deployStatus,
  endpointName,
  parsePredictions,
  promoteWaitingRun,
  readLiveDeployment,
  type DeployJob,
  type DeployRun,
} from '@slipway/deploy-pipeline';
import { localBackend } from '../local-connection.js';
import { required, type DemoContext, type DemoStage, type StageReport } from './demo-context.js';
import { describeRun } from './deploy-run-output.js';

/**
 * The second half of the demo: approval → the event on the local bus → the deploy workflow's jobs (the first
 * stage, its test, each later stage) → predictions from the last stage. The demo only approves and then watches: the deployment is the
 * event-driven one `slipway local up` runs too, read back from the workflow's run record.
 */

/** Reviews the model has not seen (not in the training data or the endpoint tests). */
export const DEMO_REVIEWS: readonly string[] = [
  'Arrived quickly and works perfectly, my kids love it.',
  'Stopped charging after a week and the seller ignored my emails.',
  'It does the job. Nothing special, nothing wrong.',
  'Best purchase I have made this year, worth every penny.',
  'Cheap plastic, the lid cracked the first time I used it.',
];

/** How long the demo waits for the approval event to start a deploy run, and for each job of that run. */
const EVENT_TIMEOUT_MS = 30_000;
const JOB_TIMEOUT_MS = 5 * 60_000;
const POLL_MS = 100;

/** A newly registered version that is the same model as the one live in prod: the demo keeps prod as it is. */
export interface ReusedDeployment {
  readonly liveModelPackageArn: string;
  readonly registeredModelPackageArn: string;
  readonly reason: string;
}

export interface Prediction {
  readonly text: string;
  readonly label: string;
  readonly score?: number;
}

const approveStage: DemoStage = {
  name: 'approve',
  title: 'Approve the registered model package (UpdateModelPackage)',
  async run(context) {
    const arn = required(context.run?.modelPackageArn, 'pipeline');
    const { sagemaker } = required(context.clients, 'server');
    const output = context.cli.output;
    context.reused = await sameModelAsProd(context, sagemaker, arn);
    if (context.reused) {
      output.line(context.reused.reason);
      output.line(`  nothing to approve or deploy; ${arn} stays PendingManualApproval`, 'dim');
      return { skipped: 'the same model is already live in prod' };
    }
    await requireApprovalRoute(context);
    output.line('In a real project a person reviews the metrics and approves this step, for example with', 'warn');
    output.line(`  npx slipway registry approve ${arn} --reason "accuracy checked"`, 'warn');
    output.line('  (or in SageMaker Studio, or aws sagemaker update-model-package). The demo approves it now.', 'warn');
    context.runsBeforeApproval = (await context.runs.list()).at(-1)?.number ?? 0;
    await sagemaker.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: arn,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'Approved by `slipway demo` (a person would review the metrics first)',
      }),
    );
    context.approvedArn = arn;
    output.line(`Approved ${arn}`, 'good');
  },
};

const eventStage: DemoStage = {
  name: 'event',
  title: 'The approval event on the local bus starts the deploy workflow (repository_dispatch)',
  async run(context) {
    if (!context.approvedArn) return { skipped: skipReason(context) };
    const arn = context.approvedArn;
    const run = await poll(
      async () =>
        (await context.runs.list()).find(
          (candidate) =>
            candidate.number > (context.runsBeforeApproval ?? 0) &&
            candidate.dispatch.client_payload['model_package_arn'] === arn,
        ),
      EVENT_TIMEOUT_MS,
      () =>
        `no deploy run started within ${EVENT_TIMEOUT_MS / 1000} s of the approval: the local bus did not deliver the ` +
        `event to the deploy workflow; see the server's log and \`npx slipway deploy status\``,
    );
    context.deployRun = run;
    const rule = approvalRuleName(approvalRuleNamePrefix(context.config), 'Approved');
    context.cli.output.line(
      `Rule ${rule} matched the Model Package State Change and sent ${run.dispatch.event_type} ` +
        `(the body GitHub would receive) to the deploy workflow: run #${run.number}`,
    );
  },
};

/** A stage that waits for one job of the deploy run and reports it. */
function jobStage(name: string, title: string, job: (context: DemoContext) => string): DemoStage {
  return {
    name,
    title,
    async run(context) {
      if (!context.deployRun) return { skipped: skipReason(context) };
      const { run, job: done } = await waitForJob(context, job(context));
      context.deployRun = run;
      return reportJob(context, done);
    },
  };
}

/** A finished job as the stage's result: its message, and its own duration; throws unless it succeeded. */
function reportJob(context: DemoContext, job: DeployJob): StageReport {
  if (job.conclusion !== 'success')
    throw new Error(`${job.name} ${job.conclusion ?? job.status}: ${job.message ?? ''}`);
  context.cli.output.line(job.message ?? `${job.name} done`);
  return job.startedAt && job.completedAt ? { workMs: Date.parse(job.completedAt) - Date.parse(job.startedAt) } : {};
}

/**
 * A stage after the first: waits for its job of the deploy run; where the run waits at the gate before it,
 * stops there (`--manual-promote`) or promotes, as the environment's reviewers would.
 */
function promoteStage(stage: string): DemoStage {
  return {
    name: stage,
    title: `Promote to ${stage} (the ${githubEnvironmentName(stage)} environment's gate)`,
    async run(context) {
      if (!context.deployRun) return { skipped: skipReason(context) };
      if (context.waitingForPromotion) return { skipped: 'an earlier stage waits for promotion' };
      let { run, job } = await waitForJob(context, stage);
      const output = context.cli.output;
      if (run.status === 'waiting') {
        if (context.promotion === 'manual') {
          context.deployRun = run;
          context.waitingForPromotion = true;
          output.line(
            `Run #${run.number} waits for promotion to ${stage}, as the ${githubEnvironmentName(stage)} environment's reviewers would.`,
            'warn',
          );
          output.line(`  promote it: npx slipway deploy promote --data-dir ${context.dataDir}`, 'warn');
          return { skipped: 'waiting for promotion (--manual-promote)' };
        }
        // A server started by `slipway local up` without --auto-promote holds the run at the gate.
        output.line(
          'The running server holds the run for promotion; the demo promotes it (npx slipway deploy promote).',
        );
        await promoteWaitingRun({
          project: context.config,
          backend: localBackend(required(context.connection, 'server'), context.config.region),
          runs: context.runs,
        });
        ({ run, job } = await waitForJob(context, stage));
      }
      context.deployRun = run;
      return reportJob(context, job);
    },
  };
}

const predictStage: DemoStage = {
  name: 'predict',
  title: 'Send sample reviews to the prod endpoint',
  async run(context) {
    if (context.waitingForPromotion) return { skipped: 'prod waits for promotion' };
    const runtime = new SageMakerRuntimeClient(
      awsClientConfig(localBackend(required(context.connection, 'server'), context.config.region)),
    );
    try {
      const response = await runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName(context.config, context.config.stages.at(-1) ?? 'prod'),
          ContentType: 'application/json',
          Accept: 'application/json',
          Body: new TextEncoder().encode(JSON.stringify({ instances: DEMO_REVIEWS })),
        }),
      );
      const body = new TextDecoder().decode(response.Body);
      const parsed = parsePredictions(body, DEMO_REVIEWS.length);
      if ('error' in parsed) throw new Error(`the prod endpoint answered unexpectedly: ${parsed.error}`);
      const scores = scoresOf(body);
      context.predictions = DEMO_REVIEWS.map((text, index) => {
        const label = parsed.labels[index] as string;
        const score = scores[index]?.[label];
        return { text, label, ...(score !== undefined ? { score } : {}) };
      });
    } finally {
      runtime.destroy();
    }
    for (const prediction of context.predictions) {
      const score = prediction.score !== undefined ? ` ${prediction.score.toFixed(2)}` : '';
      context.cli.output.line(`  ${`${prediction.label}${score}`.padEnd(14)} ${prediction.text}`);
    }
  },
};

/**
 * What the demo runs after the pipeline: the deployment half of the loop, one demo stage per job of the
 * deploy workflow for the project's stages (`jobNames`: the first stage, its test, then each later stage).
 */
export function deployStages(stages: readonly string[]): DemoStage[] {
  const [first, ...later] = stages;
  const jobs = first
    ? [
        jobStage(first, `Deploy that exact package to ${first} (SageMaker API on the local server)`, () => first),
        jobStage(TEST_JOB, `Test the ${first} endpoint (labelled reviews, accuracy, latency)`, () => TEST_JOB),
        ...later.map(promoteStage),
      ]
    : [];
  return [approveStage, eventStage, ...jobs, predictStage];
}

/** What each stage serves, for the summary. */
export async function readEndpoints(context: DemoContext) {
  if (!context.connection) return [];
  const { stages } = await deployStatus({
    project: context.config,
    backend: localBackend(context.connection, context.config.region),
    ...(context.clients ? { sagemaker: context.clients.sagemaker } : {}),
  });
  return stages;
}

/**
 * The reuse rule of a second demo: a newly registered version whose container (image, model data,
 * environment) equals the one prod serves, still Approved, is the same model, so approving and redeploying
 * it would change nothing but the version number. The pipeline's cache makes this the case when neither
 * the code nor the data changed: the cached Train step reports the same model artifact.
 */
async function sameModelAsProd(
  context: DemoContext,
  sagemaker: SageMakerClient,
  registered: string,
): Promise<ReusedDeployment | undefined> {
  const live = await readLiveDeployment(
    sagemaker,
    endpointName(context.config, context.config.stages.at(-1) ?? 'prod'),
  );
  if (live?.status !== 'InService' || !live.modelPackageArn || live.modelPackageArn === registered) return undefined;
  const [current, candidate] = await Promise.all(
    [live.modelPackageArn, registered].map((arn) =>
      sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn })),
    ),
  );
  if (
    current?.ModelApprovalStatus !== 'Approved' ||
    canonicalJson(servedModel(current)) !== canonicalJson(servedModel(candidate))
  ) {
    return undefined;
  }
  const container = servedModel(current);
  return {
    liveModelPackageArn: live.modelPackageArn,
    registeredModelPackageArn: registered,
    reason:
      `${versionOf(registered)} is the same model as ${versionOf(live.modelPackageArn)}, live in prod ` +
      `(same model data ${container.modelDataUrl ?? '?'} and image): keeping ${versionOf(live.modelPackageArn)} live`,
  };
}

function servedModel(described: DescribeModelPackageOutput | undefined) {
  const container = described?.InferenceSpecification?.Containers?.[0];
  return { image: container?.Image, modelDataUrl: container?.ModelDataUrl, environment: container?.Environment ?? {} };
}

function versionOf(arn: string): string {
  return `v${arn.split('/').at(-1) ?? '?'}`;
}

/** Fails clearly when the server the demo uses has no approval route (e.g. started outside the project). */
async function requireApprovalRoute(context: DemoContext): Promise<void> {
  const connection = required(context.connection, 'server');
  const rule = approvalRuleName(approvalRuleNamePrefix(context.config), 'Approved');
  const events = new EventBridgeClient(awsClientConfig(localBackend(connection, context.config.region)));
  const targets = await events
    .send(new ListTargetsByRuleCommand({ Rule: rule }))
    .then((listed) => listed.Targets ?? [])
    .catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return [];
      throw error;
    })
    .finally(() => events.destroy());
  if (targets.length === 0) {
    throw new Error(
      `the local server at ${connection.url} has no approval route (rule ${rule} with a target), so an approval would deploy ` +
        'nothing; restart it from the project folder: npx slipway local down && npx slipway local up --detach',
    );
  }
}

/** Waits until the run's job is completed, or the run stops before it (waiting at the gate, or ended). */
async function waitForJob(context: DemoContext, jobName: string): Promise<{ run: DeployRun; job: DeployJob }> {
  const number = required(context.deployRun, 'event').number;
  return poll(
    async () => {
      const run = await context.runs.get(number);
      const job = run?.jobs.find((candidate) => candidate.name === jobName);
      if (!run || !job) return undefined;
      const settled = job.status === 'completed' || run.status === 'completed' || run.status === 'waiting';
      return settled ? { run, job } : undefined;
    },
    JOB_TIMEOUT_MS,
    async () => {
      const run = await context.runs.get(number);
      return (
        `the deploy run #${number} did not finish its ${jobName} job within ${JOB_TIMEOUT_MS / 1000} s ` +
        `(${run ? describeRun(run) : 'no record'}); its log: ${context.runs.logFile(number)}`
      );
    },
  );
}

async function poll<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  timeoutMessage: () => string | Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(await timeoutMessage());
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function scoresOf(body: string): (Record<string, number> | undefined)[] {
  const parsed = JSON.parse(body) as { predictions?: { scores?: Record<string, number> }[] };
  return (parsed.predictions ?? []).map((prediction) => prediction.scores);
}

function skipReason(context: DemoContext): string {
  return context.reused ? 'the same model is already live in prod' : 'nothing was approved';
}
