import { JOB_KINDS } from '../../jobs/job-kinds.js';
import { jobStepProperties } from '../../jobs/job-properties.js';
import type { StartedJob } from '../../jobs/job-service.js';
import { parseS3Uri } from '../../storage/object-key.js';
import type { StoredJobKind } from '../../store/job-repository.js';
import { cacheKey } from '../cache-key.js';
import type { PropertyFileDeclaration } from '../definition/index.js';
import { pipelineResourceName, pipelineTuningJobName } from '../naming.js';
import { walkPath } from '../property-path.js';
import { INTERNAL_FAILURE_TYPES } from '../retry.js';
import { errorMessage, type StepContext, type StepExecutor } from './step-executor.js';

/** How each job step type names its job and which job kind it starts. */
const STEP_JOBS = {
  Processing: { kind: 'Processing', variable: 'ProcessingJobName' },
  Training: { kind: 'Training', variable: 'TrainingJobName' },
  Transform: { kind: 'Transform', variable: undefined },
  Tuning: { kind: 'HyperParameterTuning', variable: undefined },
} as const satisfies Record<string, { kind: StoredJobKind; variable: string | undefined }>;

export type JobStepType = keyof typeof STEP_JOBS;

/**
 * Processing, Training, Transform and Tuning steps: name the job, resolve its request, reuse a cached run when
 * CacheConfig allows, otherwise start the job through the job service (the same path as Create*Job) and
 * record what it reports. A Processing step's property files are read from its outputs once it succeeds.
 */
export function jobStep(type: JobStepType): StepExecutor {
  const { kind, variable } = STEP_JOBS[type];
  const facts = JOB_KINDS[kind];
  return async (context) => {
    const { services, step, execution } = context;
    const jobName =
      kind === 'HyperParameterTuning'
        ? pipelineTuningJobName(execution.id, step.name)
        : pipelineResourceName(execution.id, step.name);
    let request: Record<string, unknown>;
    try {
      request = (await context.resolve(step.arguments, variable ? { [variable]: jobName } : {})) as Record<
        string,
        unknown
      >;
    } catch (error) {
      return { status: 'Failed', failureReason: errorMessage(error) };
    }

    const key = step.cacheConfig?.enabled ? cacheKey(step.type, request) : undefined;
    if (key) {
      const notBefore = new Date(
        step.cacheConfig?.expireAfterMs === undefined ? 0 : Date.now() - step.cacheConfig.expireAfterMs,
      );
      const hit = services.store.cache.findLatest(execution.pipelineName, key, notBefore);
      if (hit) {
        const files = await loadPropertyFiles(context, step.propertyFiles, hit.properties);
        if (typeof files === 'string') return { status: 'Failed', failureReason: files };
        return {
          status: 'Succeeded',
          properties: hit.properties,
          propertyFiles: files,
          metadata: hit.metadata,
          cacheSource: hit.executionArn,
        };
      }
    }
    if (context.signal.aborted)
      return { status: 'Stopped', failureReason: 'The execution was stopped before the job started.' };

    let started: StartedJob;
    try {
      started = services.jobs.start(kind, jobName, request, {
        executionArn: execution.arn,
        stepName: step.name,
        signal: context.signal,
      });
    } catch (error) {
      return { status: 'Failed', failureReason: errorMessage(error) };
    }
    const metadata = { [facts.metadataKey]: { Arn: started.record.arn } };
    context.reportMetadata(metadata);
    const { record: job, internalFailure } = await started.done;
    const properties = jobStepProperties(job, services.store);

    if (job.status === 'Stopped')
      return { status: 'Stopped', failureReason: job.failureReason ?? 'The job was stopped.', metadata };
    if (job.status !== 'Completed') {
      return {
        status: 'Failed',
        failureReason: `${jobWords(kind)} ${jobName} failed: ${job.failureReason ?? 'the job reported no reason'}`,
        metadata,
        failureTypes: internalFailure ? INTERNAL_FAILURE_TYPES : [],
      };
    }
    const files = await loadPropertyFiles(context, step.propertyFiles, properties);
    if (typeof files === 'string') return { status: 'Failed', failureReason: files, metadata };
    if (key) {
      services.store.cache.insert({
        pipelineName: execution.pipelineName,
        cacheKey: key,
        stepType: step.type,
        executionArn: execution.arn,
        stepName: step.name,
        properties,
        metadata,
        createdAt: new Date(),
      });
    }
    return { status: 'Succeeded', properties, propertyFiles: files, metadata };
  };
}

/** "Processing job", "Hyperparameter tuning job": how failure reasons name a job of this kind. */
function jobWords(kind: StoredJobKind): string {
  return kind === 'HyperParameterTuning' ? 'Hyperparameter tuning job' : `${kind} job`;
}

/** Reads each declared property file from `<output S3Uri>/<FilePath>`; returns an error message on failure. */
async function loadPropertyFiles(
  context: StepContext,
  files: readonly PropertyFileDeclaration[],
  properties: unknown,
): Promise<Record<string, unknown> | string> {
  const loaded: Record<string, unknown> = {};
  for (const file of files) {
    const base = walkPath(properties, [
      { key: 'ProcessingOutputConfig' },
      { key: 'Outputs' },
      { key: file.outputName },
      { key: 'S3Output' },
      { key: 'S3Uri' },
    ]);
    if (typeof base !== 'string') return `Property file ${file.name}: the step has no output named ${file.outputName}.`;
    const uri = `${base.replace(/\/+$/, '')}/${file.filePath.replace(/^\/+/, '')}`;
    try {
      const location = parseS3Uri(uri);
      const bytes = await context.services.objects.get(location.bucket, location.key);
      if (!bytes)
        return `Property file ${file.name}: ${uri} does not exist; the step must write ${file.filePath} into its "${file.outputName}" output.`;
      loaded[file.name] = JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (error) {
      return `Property file ${file.name}: could not read ${uri} as JSON: ${errorMessage(error)}`;
    }
  }
  return loaded;
}
