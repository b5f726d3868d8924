import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UnsupportedImageError, type JobKind, type JobResult, type JobSpec } from '../../runners/job-runner.js';
import { parseS3Uri } from '../../storage/object-key.js';
import type { JobRecord } from '../../store/job-repository.js';
import { cacheKey } from '../cache-key.js';
import type { PropertyFileDeclaration } from '../definition/index.js';
import { describeProcessingJob, describeTrainingJob } from '../describe-shapes.js';
import { pipelineResourceName, resourceArn } from '../naming.js';
import { walkPath } from '../property-path.js';
import { INTERNAL_FAILURE_TYPES } from '../retry.js';
import { errorMessage, type StepContext, type StepExecutor } from './step-executor.js';

const KIND_DETAILS = {
  Processing: {
    variable: 'ProcessingJobName',
    arnType: 'processing-job',
    metadataKey: 'ProcessingJob',
    describe: describeProcessingJob,
  },
  Training: {
    variable: 'TrainingJobName',
    arnType: 'training-job',
    metadataKey: 'TrainingJob',
    describe: describeTrainingJob,
  },
} as const;

/**
 * Processing and Training steps: name the job, resolve its request, reuse a cached run when CacheConfig
 * allows, otherwise hand the job to the runner for its kind and record what it reports. A Processing
 * step's property files are read from its outputs once it succeeds.
 */
export function jobStep(kind: JobKind): StepExecutor {
  return async (context) => {
    const details = KIND_DETAILS[kind];
    const { services, step, execution } = context;
    const jobName = pipelineResourceName(execution.id, step.name);
    let request: Record<string, unknown>;
    try {
      request = (await context.resolve(step.arguments, { [details.variable]: jobName })) as Record<string, unknown>;
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

    const runner = services.runners[kind];
    if (!runner) {
      return {
        status: 'Failed',
        failureReason: `No runner for ${kind} jobs is configured in this local server; start it with a ${kind} runner (runners.${kind}).`,
      };
    }
    if (context.signal.aborted)
      return { status: 'Stopped', failureReason: 'The execution was stopped before the job started.' };

    const arn = resourceArn(services.scope, details.arnType, jobName);
    const jobDir = join(services.dataDir, 'jobs', jobName);
    const workDir = join(jobDir, 'work');
    const logFile = join(jobDir, 'job.log');
    await mkdir(workDir, { recursive: true });
    const created = new Date();
    services.store.jobs.insert({
      name: jobName,
      kind,
      arn,
      executionArn: execution.arn,
      stepName: step.name,
      request,
      status: 'InProgress',
      logFile,
      workDir,
      createdAt: created,
      modifiedAt: created,
    });
    context.reportMetadata({ [details.metadataKey]: { Arn: arn } });
    const spec = {
      kind,
      jobName,
      jobArn: arn,
      region: services.scope.region,
      workDir,
      logFile,
      signal: context.signal,
      request,
    } as JobSpec;

    let result: JobResult;
    let failureTypes: readonly string[] = [];
    try {
      result = await runner.run(spec, services.objects);
    } catch (error) {
      const unsupported = error instanceof UnsupportedImageError;
      failureTypes = unsupported ? [] : INTERNAL_FAILURE_TYPES;
      const now = new Date();
      result = {
        status: 'Failed',
        failureReason: unsupported
          ? errorMessage(error)
          : `InternalServerError: the ${kind} runner failed: ${errorMessage(error)}`,
        startTime: created,
        endTime: now,
        processMillis: 0,
      };
    }
    services.store.jobs.finish(jobName, {
      status: result.status,
      ...(result.failureReason !== undefined ? { failureReason: result.failureReason.slice(0, 1024) } : {}),
      ...(result.exitMessage !== undefined ? { exitMessage: result.exitMessage.slice(0, 1024) } : {}),
      ...(result.modelArtifactsS3Uri !== undefined ? { modelArtifacts: result.modelArtifactsS3Uri } : {}),
      ...(result.finalMetricDataList !== undefined ? { metrics: result.finalMetricDataList } : {}),
      startedAt: result.startTime,
      endedAt: result.endTime,
    });
    const job = services.store.jobs.get(jobName) as JobRecord;
    const properties = JSON.parse(JSON.stringify(details.describe(job))) as unknown;
    const metadata = { [details.metadataKey]: { Arn: arn } };
    await tidyWorkDir(context, workDir, result.status === 'Completed');

    if (result.status === 'Stopped')
      return { status: 'Stopped', failureReason: result.failureReason ?? 'The job was stopped.', metadata };
    if (result.status === 'Failed') {
      return {
        status: 'Failed',
        failureReason: `${kind} job ${jobName} failed: ${result.failureReason ?? 'the job reported no reason'}`,
        metadata,
        failureTypes,
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

async function tidyWorkDir(context: StepContext, workDir: string, succeeded: boolean): Promise<void> {
  const policy = context.services.keepWorkDirs;
  if (policy === 'all' || (policy === 'failed' && !succeeded)) return;
  await rm(workDir, { recursive: true, force: true }).catch((error: unknown) =>
    context.services.log.warn(`could not remove ${workDir}: ${errorMessage(error)}`),
  );
}
