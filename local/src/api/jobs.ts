import { describeProcessingJob, describeTrainingJob } from '../engine/describe-shapes.js';
import type { OperationModule } from '../server/operation-registry.js';
import { resourceNotFound } from '../server/service-error.js';
import { Input } from './input.js';
import type { ServiceContext } from './service-context.js';

const JOB_NAME = { min: 1, max: 63, pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/ };

/** DescribeProcessingJob / DescribeTrainingJob for the jobs pipeline steps ran. */
export function jobOperations(context: ServiceContext): OperationModule {
  const find = (operation: string, member: string, kind: 'Processing' | 'Training', body: Record<string, unknown>) => {
    const name = new Input(body, operation).string(member, JOB_NAME);
    const job = context.store.jobs.get(name);
    if (!job || job.kind !== kind) throw resourceNotFound(`Could not find requested job with name ${name}`);
    return job;
  };
  return {
    service: 'SageMaker',
    operations: {
      DescribeProcessingJob: (body) =>
        describeProcessingJob(find('DescribeProcessingJob', 'ProcessingJobName', 'Processing', body)),
      DescribeTrainingJob: (body) =>
        describeTrainingJob(find('DescribeTrainingJob', 'TrainingJobName', 'Training', body)),
    },
  };
}
