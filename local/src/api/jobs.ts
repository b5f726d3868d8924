import { JOB_KINDS, JOB_NAME_PATTERN } from '../jobs/job-kinds.js';
import type { JobRequest } from '../jobs/job-service.js';
import {
  describeProcessingJob,
  describeTrainingJob,
  describeTransformJob,
  processingJobSummary,
  trainingJobSummary,
  transformJobSummary,
} from '../jobs/job-shapes.js';
import { planTransformJob } from '../runners/transform/transform-plan.js';
import { planTuningJob } from '../jobs/tuning/tuning-config.js';
import {
  describeTuningJob,
  objectiveValue,
  tuningJobSummary,
  tuningObjective,
  tuningTrainingJobs,
} from '../jobs/tuning/tuning-shapes.js';
import type { OperationHandler, OperationModule } from '../server/operation-registry.js';
import type { JobRecord, StoredJobKind } from '../store/job-repository.js';
import { ROLE_ARN } from './pipelines.js';
import { Input } from './input.js';
import { listPage } from './list-query.js';
import type { ServiceContext } from './service-context.js';

const STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'];

/** The SortBy values every List*Jobs call takes. */
const JOB_SORT_KEYS = {
  CreationTime: (job: JobRecord) => job.createdAt.getTime(),
  Name: (job: JobRecord) => job.name,
  Status: (job: JobRecord) => job.status,
};

/** What each kind's Create call must carry beyond its name (the API reference's required members). */
const REQUIRED: Readonly<Record<StoredJobKind, readonly string[]>> = {
  Processing: ['ProcessingResources', 'AppSpecification', 'RoleArn'],
  Training: ['AlgorithmSpecification', 'RoleArn', 'OutputDataConfig', 'ResourceConfig', 'StoppingCondition'],
  Transform: ['ModelName', 'TransformInput', 'TransformOutput', 'TransformResources'],
  HyperParameterTuning: ['HyperParameterTuningJobConfig'],
};

/**
 * Create/Describe/Stop/List for processing, training, transform and hyperparameter tuning jobs, plus
 * ListTrainingJobsForHyperParameterTuningJob. Create starts the job through the job service, the same runner a
 * pipeline step uses, and answers at once with the ARN; the job runs in the background (DescribeXJob shows it
 * InProgress, then Completed/Failed/Stopped).
 */
export function jobOperations(context: ServiceContext): OperationModule {
  const { jobs, store } = context;

  function create(kind: StoredJobKind): OperationHandler {
    const operation = `Create${kind}Job`;
    const facts = JOB_KINDS[kind];
    return (body) => {
      const input = new Input(body, operation);
      const name = input.string(facts.nameMember, { min: 1, max: facts.maxNameLength, pattern: JOB_NAME_PATTERN });
      for (const member of REQUIRED[kind]) {
        if (!input.has(member)) input.fail(member, 'is required', `pass ${member}`);
      }
      if (kind === 'Processing' || kind === 'Training') input.string('RoleArn', { pattern: ROLE_ARN });
      const tags = input.optionalTags();
      const request: JobRequest = Object.fromEntries(
        Object.entries(body).filter(([key]) => key !== facts.nameMember && key !== 'Tags'),
      );
      if (kind === 'HyperParameterTuning') planTuningJob(request, operation);
      if (kind === 'Transform') planTransformJob(request as Parameters<typeof planTransformJob>[0], operation);
      const { record } = jobs.start(kind, name, request, tags ? { tags } : {});
      return { [`${kind}JobArn`]: record.arn };
    };
  }

  function describe(kind: StoredJobKind, shape: (job: JobRecord) => unknown): OperationHandler {
    const facts = JOB_KINDS[kind];
    return (body) => {
      const input = new Input(body, `Describe${kind}Job`);
      return shape(jobs.get(kind, input.string(facts.nameMember, { min: 1, max: facts.maxNameLength })));
    };
  }

  function stop(kind: StoredJobKind): OperationHandler {
    const facts = JOB_KINDS[kind];
    return (body) => {
      const input = new Input(body, `Stop${kind}Job`);
      jobs.stop(kind, input.string(facts.nameMember, { min: 1, max: facts.maxNameLength }));
      return {};
    };
  }

  function list(kind: StoredJobKind, summary: (job: JobRecord) => unknown): OperationHandler {
    const operation = kind === 'HyperParameterTuning' ? 'ListHyperParameterTuningJobs' : `List${kind}Jobs`;
    return (body) => {
      const input = new Input(body, operation);
      const page = listPage(input, filtered(input, store.jobs.list(kind)), {
        window: ['CreationTimeAfter', 'CreationTimeBefore'],
        created: (job) => job.createdAt,
        sortKeys: JOB_SORT_KEYS,
        defaultOrder: 'Descending',
      });
      const key = kind === 'HyperParameterTuning' ? 'HyperParameterTuningJobSummaries' : `${kind}JobSummaries`;
      return { [key]: page.items.map(summary), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
    };
  }

  const tuningChildren = (job: JobRecord) => store.jobs.children(job.name);

  return {
    service: 'SageMaker',
    operations: {
      CreateProcessingJob: create('Processing'),
      DescribeProcessingJob: describe('Processing', describeProcessingJob),
      StopProcessingJob: stop('Processing'),
      ListProcessingJobs: list('Processing', processingJobSummary),
      CreateTrainingJob: create('Training'),
      DescribeTrainingJob: describe('Training', describeTrainingJob),
      StopTrainingJob: stop('Training'),
      ListTrainingJobs: list('Training', trainingJobSummary),
      CreateTransformJob: create('Transform'),
      DescribeTransformJob: describe('Transform', describeTransformJob),
      StopTransformJob: stop('Transform'),
      ListTransformJobs: list('Transform', transformJobSummary),
      CreateHyperParameterTuningJob: create('HyperParameterTuning'),
      DescribeHyperParameterTuningJob: describe('HyperParameterTuning', (job) =>
        describeTuningJob(job, tuningChildren(job))),
      StopHyperParameterTuningJob: stop('HyperParameterTuning'),
      ListHyperParameterTuningJobs: list('HyperParameterTuning', (job) => tuningJobSummary(job, tuningChildren(job))),
      ListTrainingJobsForHyperParameterTuningJob: (body) => {
        const operation = 'ListTrainingJobsForHyperParameterTuningJob';
        const input = new Input(body, operation);
        const tuning = jobs.get(
          'HyperParameterTuning',
          input.string('HyperParameterTuningJobName', { min: 1, max: 32 }),
        );
        const status = input.optionalString('StatusEquals', { oneOf: STATUSES });
        const { metricName } = tuningObjective(tuning);
        const children = tuningChildren(tuning).filter((job) => status === undefined || job.status === status);
        const byName = new Map(tuningTrainingJobs(tuning, children).map((entry) => [entry.TrainingJobName, entry]));
        const page = listPage(input, children, {
          window: ['CreationTimeAfter', 'CreationTimeBefore'],
          created: (job) => job.createdAt,
          sortKeys: {
            ...JOB_SORT_KEYS,
            // A job without a value (still running, failed) counts as -∞.
            FinalObjectiveMetricValue: (job) => objectiveValue(job, metricName) ?? Number.NEGATIVE_INFINITY,
          },
          defaultOrder: 'Descending',
        });
        return {
          TrainingJobSummaries: page.items.map((job) => byName.get(job.name)),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
    },
  };
}

/** NameContains, StatusEquals and the LastModifiedTime window of every List*Jobs call. */
function filtered(input: Input, items: readonly JobRecord[]): JobRecord[] {
  const contains = input.optionalString('NameContains', { max: 63 })?.toLowerCase();
  const status = input.optionalString('StatusEquals', { oneOf: STATUSES });
  const modifiedAfter = input.optionalTimestamp('LastModifiedTimeAfter');
  const modifiedBefore = input.optionalTimestamp('LastModifiedTimeBefore');
  return items.filter(
    (job) =>
      (contains === undefined || job.name.toLowerCase().includes(contains)) &&
      (status === undefined || job.status === status) &&
      (!modifiedAfter || job.modifiedAt > modifiedAfter) &&
      (!modifiedBefore || job.modifiedAt < modifiedBefore),
  );
}
