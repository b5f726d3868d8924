import { ExecutionVariables } from '../dsl/execution-variables.js';
import type { PipelineExperimentConfig } from '../dsl/pipeline.js';
import type { ArgumentValue } from '../steps/step.js';

/**
 * Regions with SageMaker Experiments, where the Python SDK adds the default experiment config (its
 * `EXPERIMENTS_REGIONS`); elsewhere the default is `null`.
 */
const EXPERIMENTS_REGIONS: ReadonlySet<string> = new Set([
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-south-1',
  'ap-east-1',
  'sa-east-1',
  'af-south-1',
  'me-south-1',
  'il-central-1',
  'cn-north-1',
  'cn-northwest-1',
]);

/** The config to write, still holding variables: the given one, the regional default, or null. */
export function experimentConfigArgument(
  config: PipelineExperimentConfig | null | undefined,
  region: string,
): ArgumentValue {
  if (config === null) return null;
  if (config === undefined) {
    return EXPERIMENTS_REGIONS.has(region)
      ? { ExperimentName: ExecutionVariables.PIPELINE_NAME, TrialName: ExecutionVariables.PIPELINE_EXECUTION_ID }
      : null;
  }
  return { ExperimentName: config.experimentName, TrialName: config.trialName };
}
