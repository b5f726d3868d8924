import type {
  DescribeHyperParameterTuningJobResponse,
  HyperParameterTrainingJobSummary,
  HyperParameterTuningJobSummary,
  ListTrainingJobsForHyperParameterTuningJobResponse,
} from '@aws-sdk/client-sagemaker';
import { isObject } from '../../engine/definition/index.js';
import type { JobRecord } from '../../store/job-repository.js';

/** The objective a tuning job's request names (checked when the job was created). */
export function tuningObjective(job: JobRecord): { type: 'Maximize' | 'Minimize'; metricName: string } {
  const config = isObject(job.request['HyperParameterTuningJobConfig'])
    ? job.request['HyperParameterTuningJobConfig']
    : {};
  const definition = isObject(job.request['TrainingJobDefinition']) ? job.request['TrainingJobDefinition'] : {};
  const objective = (config['HyperParameterTuningJobObjective'] ?? definition['TuningObjective'] ?? {}) as {
    Type?: 'Maximize' | 'Minimize';
    MetricName?: string;
  };
  return { type: objective.Type ?? 'Maximize', metricName: objective.MetricName ?? '' };
}

/** The objective metric's final value of one training job, when it reported one. */
export function objectiveValue(training: JobRecord, metricName: string): number | undefined {
  return training.metrics?.find((metric) => metric.MetricName === metricName)?.Value;
}

/** One training job of a tuning job, as ListTrainingJobsForHyperParameterTuningJob and BestTrainingJob show it. */
export function trainingJobSummary(tuning: JobRecord, training: JobRecord): HyperParameterTrainingJobSummary {
  const objective = tuningObjective(tuning);
  const value = objectiveValue(training, objective.metricName);
  const tuned = isObject(training.details?.['TunedHyperParameters'])
    ? (training.details['TunedHyperParameters'] as Record<string, string>)
    : {};
  return {
    TrainingJobName: training.name,
    TrainingJobArn: training.arn,
    TuningJobName: tuning.name,
    CreationTime: training.createdAt,
    TrainingStartTime: training.startedAt,
    TrainingEndTime: training.endedAt,
    TrainingJobStatus: training.status,
    TunedHyperParameters: tuned,
    FailureReason: training.failureReason,
    FinalHyperParameterTuningJobObjectiveMetric:
      value !== undefined ? { Type: objective.type, MetricName: objective.metricName, Value: value } : undefined,
    ObjectiveStatus:
      training.status === 'InProgress' || training.status === 'Stopping'
        ? 'Pending'
        : value !== undefined && training.status === 'Completed'
          ? 'Succeeded'
          : 'Failed',
  };
}

/** The training jobs with an objective value, best first (ties: the earlier job first). */
export function rankedTrainingJobs(tuning: JobRecord, children: readonly JobRecord[]): JobRecord[] {
  const { type, metricName } = tuningObjective(tuning);
  const sign = type === 'Maximize' ? -1 : 1;
  return children
    .filter((child) => child.status === 'Completed' && objectiveValue(child, metricName) !== undefined)
    .map((child, index) => ({ child, index, value: objectiveValue(child, metricName)! }))
    .sort((a, b) => (a.value === b.value ? a.index - b.index : sign * (a.value - b.value)))
    .map((entry) => entry.child);
}

function counters(children: readonly JobRecord[], metricName: string) {
  const count = (test: (job: JobRecord) => boolean) => children.filter(test).length;
  return {
    TrainingJobStatusCounters: {
      Completed: count((job) => job.status === 'Completed'),
      InProgress: count((job) => job.status === 'InProgress' || job.status === 'Stopping'),
      RetryableError: 0,
      NonRetryableError: count((job) => job.status === 'Failed'),
      Stopped: count((job) => job.status === 'Stopped'),
    },
    ObjectiveStatusCounters: {
      Succeeded: count((job) => job.status === 'Completed' && objectiveValue(job, metricName) !== undefined),
      Pending: count((job) => job.status === 'InProgress' || job.status === 'Stopping'),
      Failed: count(
        (job) =>
          job.status === 'Failed' ||
          job.status === 'Stopped' ||
          (job.status === 'Completed' && objectiveValue(job, metricName) === undefined),
      ),
    },
  };
}

/** DescribeHyperParameterTuningJob: the request, the counters and the best training job so far. */
export function describeTuningJob(
  job: JobRecord,
  children: readonly JobRecord[],
): DescribeHyperParameterTuningJobResponse {
  const request = job.request as Partial<DescribeHyperParameterTuningJobResponse>;
  const { metricName } = tuningObjective(job);
  const best = rankedTrainingJobs(job, children)[0];
  const seconds =
    job.endedAt !== undefined ? Math.round((job.endedAt.getTime() - job.createdAt.getTime()) / 1000) : undefined;
  return {
    HyperParameterTuningJobName: job.name,
    HyperParameterTuningJobArn: job.arn,
    HyperParameterTuningJobConfig: request.HyperParameterTuningJobConfig,
    TrainingJobDefinition: request.TrainingJobDefinition,
    TrainingJobDefinitions: request.TrainingJobDefinitions,
    WarmStartConfig: request.WarmStartConfig,
    HyperParameterTuningJobStatus: job.status,
    CreationTime: job.createdAt,
    HyperParameterTuningEndTime: job.endedAt,
    LastModifiedTime: job.modifiedAt,
    ...counters(children, metricName),
    BestTrainingJob: best ? trainingJobSummary(job, best) : undefined,
    FailureReason: job.failureReason,
    ConsumedResources: seconds !== undefined ? { RuntimeInSeconds: seconds } : undefined,
  };
}

/** ListTrainingJobsForHyperParameterTuningJob's items, best first by the objective (SortBy FinalObjectiveMetricValue). */
export function tuningTrainingJobs(
  job: JobRecord,
  children: readonly JobRecord[],
): NonNullable<ListTrainingJobsForHyperParameterTuningJobResponse['TrainingJobSummaries']> {
  const ranked = rankedTrainingJobs(job, children);
  const rest = children.filter((child) => !ranked.includes(child));
  return [...ranked, ...rest].map((child) => trainingJobSummary(job, child));
}

/** A pipeline Tuning step's properties: DescribeHyperParameterTuningJob plus the training job summaries. */
export function tuningStepProperties(job: JobRecord, children: readonly JobRecord[]): Record<string, unknown> {
  // The SDK's TuningStep reads TrainingJobSummaries[k] as the k-th best (get_top_model_s3_uri); up to 50.
  return { ...describeTuningJob(job, children), TrainingJobSummaries: tuningTrainingJobs(job, children).slice(0, 50) };
}

export function tuningJobSummary(job: JobRecord, children: readonly JobRecord[]): HyperParameterTuningJobSummary {
  const description = describeTuningJob(job, children);
  const config = description.HyperParameterTuningJobConfig;
  return {
    HyperParameterTuningJobName: job.name,
    HyperParameterTuningJobArn: job.arn,
    HyperParameterTuningJobStatus: job.status,
    Strategy: config?.Strategy,
    CreationTime: job.createdAt,
    HyperParameterTuningEndTime: job.endedAt,
    LastModifiedTime: job.modifiedAt,
    TrainingJobStatusCounters: description.TrainingJobStatusCounters,
    ObjectiveStatusCounters: description.ObjectiveStatusCounters,
    ResourceLimits: config?.ResourceLimits,
  };
}
