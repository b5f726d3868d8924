import type { SageMakerClient, Tag } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '@slipway/core';
import type { PipelineDefinition } from '../definition/types.js';
import { MIN_ACCURACY_PARAMETER, findChampion, minimumToBeat, type Champion } from './champion.js';
import type { Clock } from './clock.js';
import { readEvaluationReports, type EvaluationReport } from './evaluation-report.js';
import { writeModelCard } from './model-card.js';
import { describeExecution, registeredModelPackageArn } from './execution-steps.js';
import { followExecution } from './follow-execution.js';
import { ensureModelPackageGroup } from './model-package-group.js';
import { checkParameterValues, effectiveParameter, parseParameterLines } from './parameters.js';
import { AWS_POLL_SCHEDULE, type PollSchedule } from './poll-schedule.js';
import type { CompiledPipeline, ExecutionStatus, RunReporter, StepRecord } from './run-types.js';
import {
  PIPELINE_VERSION_PARAMETER,
  SOURCE_PARAMETERS,
  executionDescription,
  executionDisplayName,
  executionRequestToken,
  type SourceContext,
} from './source-context.js';
import { startExecution } from './start-execution.js';
import { uploadAssets } from './upload-assets.js';
import { upsertPipeline, type UpsertPipelineResult } from './upsert-pipeline.js';
import { awsCommands } from './aws-commands.js';

/** The tags SageMaker Projects put on a project's resources; the pipeline and its group carry them. */
export const PROJECT_NAME_TAG = 'sagemaker:project-name';
export const PROJECT_ID_TAG = 'sagemaker:project-id';

export interface RunPipelineOptions {
  /** Compiles the pipeline (no AWS calls). The action and the CLI pass the project's compiler. */
  readonly compile: () => Promise<CompiledPipeline>;
  readonly region: string;
  /** `NAME=VALUE` lines (a multiline input) or one per `--param`. */
  readonly parameters?: string | readonly string[];
  /** What the parameters are called where the user wrote them, for error messages. @default 'parameters' */
  readonly parametersInput?: string;
  readonly source?: SourceContext;
  readonly project: { readonly name: string; readonly id: string };
  /** Follow the execution to its end. */
  readonly wait: boolean;
  /** How long to follow before giving up (the execution keeps running). */
  readonly timeoutMs: number;
  /** Raise MinAccuracy to the newest Approved package's accuracy. */
  readonly compareWithApproved: boolean;
  /** @default AWS_POLL_SCHEDULE */
  readonly schedule?: PollSchedule;
  /** Create the artifact bucket if it is missing (local server, moto). @default false */
  readonly createMissingBucket?: boolean;
  /** @default derived from the source's commit, run id and attempt; a fresh one when there is no run id */
  readonly clientRequestToken?: string;
}

export interface RunPipelineDeps {
  readonly sagemaker: SageMakerClient;
  readonly s3: S3Client;
  readonly onEvent?: RunReporter;
  readonly clock?: Clock;
}

/** The quality bar a run applied when comparing with the approved champion. */
export interface QualityBar {
  readonly given: number;
  readonly effective: number;
  readonly champion?: Champion;
}

export interface RunPipelineResult {
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  readonly failureReason?: string;
  /** False when the run did not wait for the execution (`wait: false`). */
  readonly followed: boolean;
  readonly timedOut: boolean;
  readonly steps: readonly StepRecord[];
  readonly modelPackageArn?: string;
  readonly modelApprovalStatus?: string;
  readonly evaluation: readonly EvaluationReport[];
  /** The parameter overrides sent to StartPipelineExecution. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly qualityBar?: QualityBar;
  readonly definition: PipelineDefinition;
  readonly region: string;
  readonly startedAt?: Date;
  readonly endedAt?: Date;
}

/** An execution that was started but did not succeed (failed, stopped, or still running at the timeout). */
export class PipelineRunError extends Error {
  override readonly name = 'PipelineRunError';
  constructor(
    message: string,
    readonly result: RunPipelineResult,
  ) {
    super(message);
  }
}

/**
 * Runs the pipeline the way the build workflow does: compile; check the parameters (all before any AWS
 * call); upload the assets S3 lacks; make sure the model package group exists; optionally raise MinAccuracy
 * to the approved champion's accuracy; create or update the pipeline; start the execution (idempotent per
 * CI run); follow it. The same calls serve SageMaker and the local server: only the clients differ.
 *
 * Resolves with the result when the execution succeeded (or was not followed); a failed or stopped execution
 * or a timeout rejects with a PipelineRunError carrying the result and the pipeline's own failure reason.
 */
export async function runPipeline(options: RunPipelineOptions, deps: RunPipelineDeps): Promise<RunPipelineResult> {
  const where = options.parametersInput ?? 'parameters';
  const lines = parseParameterLines(options.parameters ?? [], where);
  const emit: RunReporter = (event) => deps.onEvent?.(event);
  const compiled = await compileAndReport(options, emit);
  const declared = compiled.definition.Parameters;
  const parameters = { ...sourceParameters(declared, options.source), ...checkParameterValues(lines, declared, where) };
  const given = Number(effectiveParameter(declared, parameters, MIN_ACCURACY_PARAMETER));
  if (options.compareWithApproved && !Number.isFinite(given)) {
    throw new ValidationError({
      where: 'compare-with-approved',
      field: '',
      problem: `needs a numeric ${MIN_ACCURACY_PARAMETER} parameter in the pipeline, and ${compiled.pipelineName} has none`,
      fix: `declare ParameterFloat('${MIN_ACCURACY_PARAMETER}') and compare the accuracy with it, or turn compare-with-approved off`,
    });
  }

  // From here on: AWS calls.
  const tags = projectTags(options.project);
  await uploadCompiledAssets(compiled, options, deps.s3, emit);
  await ensureModelPackageGroup(deps.sagemaker, compiled.modelPackageGroupName, {
    tags,
    description: `Model versions of ${options.project.name}, registered by ${compiled.pipelineName}`,
    onEvent: emit,
  });
  let qualityBar: QualityBar | undefined;
  if (options.compareWithApproved) {
    const champion = await findChampion(deps.sagemaker, deps.s3, compiled.modelPackageGroupName);
    const effective = minimumToBeat(given, champion);
    qualityBar = { given, effective, ...(champion ? { champion } : {}) };
    if (effective !== given) parameters[MIN_ACCURACY_PARAMETER] = String(effective);
    emit({
      kind: 'champion',
      given,
      minAccuracy: effective,
      ...(champion ? { modelPackageArn: champion.modelPackageArn, accuracy: champion.accuracy } : {}),
    });
  }
  const source = options.source ?? {};
  const description = executionDescription(source);
  const upserted = await upsertCompiled(deps.sagemaker, compiled, options.project, emit);
  if (
    upserted.pipelineVersionId !== undefined &&
    declared.some((parameter) => parameter.Name === PIPELINE_VERSION_PARAMETER)
  ) {
    parameters[PIPELINE_VERSION_PARAMETER] = String(upserted.pipelineVersionId);
  }
  const token = options.clientRequestToken ?? executionRequestToken(compiled.pipelineName, source);
  const displayName = executionDisplayName(source);
  const executionArn = await startExecution(deps.sagemaker, {
    pipelineName: compiled.pipelineName,
    parameters,
    ...(token ? { clientRequestToken: token } : {}),
    ...(displayName ? { displayName } : {}),
    ...(description ? { description } : {}),
    ...(upserted.pipelineVersionId !== undefined ? { pipelineVersionId: upserted.pipelineVersionId } : {}),
  });
  emit({ kind: 'started', executionArn, parameters });

  const base = {
    pipelineName: compiled.pipelineName,
    pipelineArn: upserted.pipelineArn,
    executionArn,
    parameters,
    definition: compiled.definition,
    region: options.region,
    ...(qualityBar ? { qualityBar } : {}),
  };
  if (!options.wait) {
    const described = await describeExecution(deps.sagemaker, executionArn);
    return {
      ...base,
      status: described.PipelineExecutionStatus ?? 'Unknown',
      followed: false,
      timedOut: false,
      steps: [],
      evaluation: [],
      ...(described.CreationTime ? { startedAt: described.CreationTime } : {}),
    };
  }

  const followed = await followExecution(deps.sagemaker, executionArn, {
    schedule: options.schedule ?? AWS_POLL_SCHEDULE,
    timeoutMs: options.timeoutMs,
    onEvent: emit,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  const modelPackageArn = registeredModelPackageArn(followed.steps);
  const { DescribeModelPackageCommand } = await awsCommands();
  const modelApprovalStatus = modelPackageArn
    ? (await deps.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn })))
        .ModelApprovalStatus
    : undefined;
  const evaluation = await readEvaluationReports(deps.sagemaker, deps.s3, compiled.definition, followed.steps);
  if (modelPackageArn && followed.status === 'Succeeded') {
    // The card is a record of the version, not a gate: a card that cannot be written is a warning.
    const card = await writeModelCard(deps.sagemaker, {
      modelPackageArn,
      steps: followed.steps,
      evaluation,
      creator: source.repository ?? options.project.name,
    });
    emit(card.written ? { kind: 'model-card', modelPackageArn } : { kind: 'warning', message: card.reason });
  }
  const result: RunPipelineResult = {
    ...base,
    status: followed.status,
    ...(followed.failureReason ? { failureReason: followed.failureReason } : {}),
    followed: true,
    timedOut: followed.timedOut,
    steps: followed.steps,
    ...(modelPackageArn ? { modelPackageArn } : {}),
    ...(modelApprovalStatus ? { modelApprovalStatus } : {}),
    evaluation,
    ...(followed.startedAt ? { startedAt: followed.startedAt } : {}),
    ...(followed.endedAt ? { endedAt: followed.endedAt } : {}),
  };
  const problem = runProblem(result, options.timeoutMs);
  if (problem) throw new PipelineRunError(problem, result);
  return result;
}

/** What an upsert without a start needs: the compiler, where to upload, and the project's tags. */
export type UpsertProjectPipelineOptions = Pick<
  RunPipelineOptions,
  'compile' | 'region' | 'project' | 'createMissingBucket'
>;

export interface UpsertProjectPipelineResult {
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly action: 'created' | 'updated';
  readonly pipelineVersionId?: number;
  readonly definition: PipelineDefinition;
  readonly region: string;
}

/**
 * The first half of `runPipeline` and nothing after it: compile, upload the assets S3 lacks, create or update
 * the pipeline. No execution is started and no model package group is made: for a pipeline something else
 * starts, such as the drift check that MonitoringStack's schedules run (build.yml upserts it on each build).
 */
export async function upsertProjectPipeline(
  options: UpsertProjectPipelineOptions,
  deps: Pick<RunPipelineDeps, 'sagemaker' | 's3' | 'onEvent'>,
): Promise<UpsertProjectPipelineResult> {
  const emit: RunReporter = (event) => deps.onEvent?.(event);
  const compiled = await compileAndReport(options, emit);
  await uploadCompiledAssets(compiled, options, deps.s3, emit);
  const upserted = await upsertCompiled(deps.sagemaker, compiled, options.project, emit);
  return {
    pipelineName: compiled.pipelineName,
    pipelineArn: upserted.pipelineArn,
    action: upserted.action,
    ...(upserted.pipelineVersionId !== undefined ? { pipelineVersionId: upserted.pipelineVersionId } : {}),
    definition: compiled.definition,
    region: options.region,
  };
}

async function compileAndReport(
  options: Pick<RunPipelineOptions, 'compile'>,
  emit: RunReporter,
): Promise<CompiledPipeline> {
  const compiled = await options.compile();
  for (const warning of compiled.warnings) emit({ kind: 'warning', message: warning });
  emit({
    kind: 'compiled',
    pipelineName: compiled.pipelineName,
    steps: compiled.definition.Steps.length,
    assets: compiled.assets.length,
  });
  return compiled;
}

function projectTags(project: RunPipelineOptions['project']): Tag[] {
  return [
    { Key: PROJECT_NAME_TAG, Value: project.name },
    { Key: PROJECT_ID_TAG, Value: project.id },
  ];
}

async function uploadCompiledAssets(
  compiled: CompiledPipeline,
  options: Pick<RunPipelineOptions, 'region' | 'createMissingBucket'>,
  s3: S3Client,
  emit: RunReporter,
): Promise<void> {
  await uploadAssets(s3, compiled.assets, {
    region: options.region,
    createMissingBucket: options.createMissingBucket ?? false,
    onEvent: emit,
  });
}

function upsertCompiled(
  sagemaker: SageMakerClient,
  compiled: CompiledPipeline,
  project: RunPipelineOptions['project'],
  emit: RunReporter,
): Promise<UpsertPipelineResult> {
  return upsertPipeline(
    sagemaker,
    {
      pipelineName: compiled.pipelineName,
      definition: compiled.json,
      roleArn: compiled.roleArn,
      description: `Built by Slipway for ${project.name}`,
      tags: projectTags(project),
    },
    emit,
  );
}

/** The source parameters (commit, repository, run URL) the pipeline declares, filled from the run's source. */
function sourceParameters(
  declared: PipelineDefinition['Parameters'],
  source: SourceContext | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  if (!source) return values;
  for (const [field, name] of Object.entries(SOURCE_PARAMETERS) as [keyof typeof SOURCE_PARAMETERS, string][]) {
    const value = source[field];
    if (value && declared.some((parameter) => parameter.Name === name)) values[name] = value.slice(0, 1024);
  }
  return values;
}

/** Why a followed run did not succeed, in the pipeline's own words; undefined when it did. */
export function runProblem(result: RunPipelineResult, timeoutMs: number): string | undefined {
  if (result.timedOut) {
    return (
      `Pipeline execution ${result.executionArn} was still ${result.status} after ${Math.round(timeoutMs / 60_000)} min; ` +
      'it keeps running: follow it with `npx slipway pipeline status <ARN>` or stop it in SageMaker'
    );
  }
  if (result.status === 'Succeeded') return undefined;
  const failedSteps = result.steps
    .filter((step) => step.status === 'Failed' && step.failureReason)
    .map((step) => `${step.name}: ${step.failureReason}`);
  const reason = result.failureReason ?? failedSteps[0] ?? 'no failure reason given';
  const extra = failedSteps.filter((text) => !reason.includes(text));
  return `Pipeline execution ${result.executionArn} ${result.status}: ${reason}${
    extra.length > 0 ? `\n${extra.map((text) => `  - ${text}`).join('\n')}` : ''
  }`;
}

/**
 * A run's result whether the execution succeeded or not: a PipelineRunError becomes `{ result, failure }` so
 * the caller can publish the result before failing; any other error still rejects.
 */
export async function settleRun(
  running: Promise<RunPipelineResult>,
): Promise<{ readonly result: RunPipelineResult; readonly failure?: PipelineRunError }> {
  try {
    return { result: await running };
  } catch (error) {
    if (error instanceof PipelineRunError) return { result: error.result, failure: error };
    throw error;
  }
}
