import * as core from '@actions/core';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, failStep, type Backend } from '@slipway/core';
import type { CompiledPipeline, RunPipelineResult, UpsertProjectPipelineResult } from '@slipway/build-pipeline/run';
import { readInputs, type RunPipelineInputs } from './inputs.js';
import { importProjectCompiler, type CompileForRun } from './project-compiler.js';

/** What `run` uses from the outside world; tests replace parts of it. */
export interface ActionDeps {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Compiles the pipeline module. @default the repository's own @slipway/build-pipeline */
  readonly compile?: (inputs: RunPipelineInputs) => Promise<CompiledPipeline>;
  readonly sagemaker?: SageMakerClient;
  readonly s3?: S3Client;
}

/** The action: inputs → runPipeline → outputs and job summary; any failure ends in core.setFailed. */
export async function run(deps: Partial<ActionDeps> = {}): Promise<void> {
  const cwd = deps.cwd ?? process.cwd();
  const env = deps.env ?? process.env;
  try {
    const inputs = readInputs((name) => core.getInput(name), cwd, env);
    // Start loading the repository's SDK (hundreds of files, read on the thread pool) before evaluating the
    // AWS SDK this bundle carries, so the two overlap: it is most of the time to the first AWS call.
    const projectCompiler = deps.compile ? undefined : settleLater(importProjectCompiler(inputs.pipelineModule));
    const logic = await import('./aws-run.js');
    const { SageMakerClient, S3Client } = logic;
    const backend: Backend = inputs.endpointUrl
      ? { kind: 'local', region: inputs.region, endpoint: inputs.endpointUrl }
      : { kind: 'aws', region: inputs.region };
    const sagemaker = deps.sagemaker ?? new SageMakerClient(awsClientConfig(backend));
    const s3 = deps.s3 ?? new S3Client(awsClientConfig(backend));
    const compile =
      deps.compile ?? (async (given: RunPipelineInputs) => compileWithProjectSdk(await projectCompiler!, given));
    if (!inputs.start) {
      const upserted = await logic.upsertProjectPipeline(
        {
          compile: () => compile(inputs),
          region: inputs.region,
          project: { name: inputs.projectName, id: inputs.projectId },
          createMissingBucket: inputs.endpointUrl !== undefined,
        },
        { sagemaker, s3, onEvent: (event) => core.info(logic.describeRunEvent(event)) },
      );
      await publishUpsert(upserted, env);
      return;
    }
    const settled = await logic.settleRun(
      logic.runPipeline(
        {
          compile: () => compile(inputs),
          region: inputs.region,
          parameters: inputs.parameters,
          source: logic.githubSourceContext(env),
          project: { name: inputs.projectName, id: inputs.projectId },
          wait: inputs.wait,
          timeoutMs: inputs.timeoutMinutes * 60_000,
          compareWithApproved: inputs.compareWithApproved,
          // A local server or moto answers at once and costs nothing to ask: follow it closely.
          schedule: inputs.endpointUrl ? logic.LOCAL_POLL_SCHEDULE : logic.AWS_POLL_SCHEDULE,
          createMissingBucket: inputs.endpointUrl !== undefined,
        },
        { sagemaker, s3, onEvent: (event) => core.info(logic.describeRunEvent(event)) },
      ),
    );
    await publish(
      settled.result,
      logic.renderRunSummary(settled.result, inputs.endpointUrl ? { endpoint: inputs.endpointUrl } : {}),
      env,
    );
    if (settled.failure) throw settled.failure;
  } catch (error) {
    failStep(core, error);
  }
}

/** A promise awaited later: marked handled now, so a rejection waits for its await instead of ending the process. */
function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function compileWithProjectSdk(compileForRun: CompileForRun, inputs: RunPipelineInputs): Promise<CompiledPipeline> {
  return compileForRun({
    cwd: inputs.config.rootDir,
    config: inputs.config,
    modulePath: inputs.pipelineModule,
    roleArn: inputs.roleArn,
    ...(inputs.trainingRoleArn ? { trainingRoleArn: inputs.trainingRoleArn } : {}),
    region: inputs.region,
    bucket: inputs.artifactBucket,
  });
}

/** Outputs, then the job summary (when the runner gave a summary file). */
async function publish(result: RunPipelineResult, summary: string, env: NodeJS.ProcessEnv): Promise<void> {
  core.setOutput('pipeline-arn', result.pipelineArn);
  core.setOutput('execution-arn', result.executionArn);
  core.setOutput('status', result.status);
  core.setOutput('model-package-arn', result.modelPackageArn ?? '');
  if (!env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(summary, true).write();
}

/** With start: false there is no execution: its outputs are empty, and the summary says what was upserted. */
async function publishUpsert(result: UpsertProjectPipelineResult, env: NodeJS.ProcessEnv): Promise<void> {
  core.setOutput('pipeline-arn', result.pipelineArn);
  core.setOutput('execution-arn', '');
  core.setOutput('status', '');
  core.setOutput('model-package-arn', '');
  if (!env.GITHUB_STEP_SUMMARY) return;
  const version = result.pipelineVersionId !== undefined ? ` (version ${result.pipelineVersionId})` : '';
  await core.summary
    .addRaw(
      `### Pipeline ${result.pipelineName} ${result.action}${version}\n\n` +
        `${result.definition.Steps.length} step(s); not started here: whatever schedules it starts it.\n`,
      true,
    )
    .write();
}
