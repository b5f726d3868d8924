import type { JobRecord } from '../store/job-repository.js';
import type { Store } from '../store/store.js';
import { describeProcessingJob, describeTrainingJob, describeTransformJob } from './job-shapes.js';
import { tuningStepProperties } from './tuning/tuning-shapes.js';

/**
 * What a job step's `properties` are once its job ended: the Describe*Job response of its kind (a Tuning step's
 * also carries TrainingJobSummaries, best first), as plain JSON so property paths walk it.
 */
export function jobStepProperties(job: JobRecord, store: Store): unknown {
  const shape =
    job.kind === 'Processing'
      ? describeProcessingJob(job)
      : job.kind === 'Training'
        ? describeTrainingJob(job)
        : job.kind === 'Transform'
          ? describeTransformJob(job)
          : tuningStepProperties(job, store.jobs.children(job.name));
  return JSON.parse(JSON.stringify(shape)) as unknown;
}
