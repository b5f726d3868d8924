import { isAbsolute, resolve } from 'node:path';
import {
  ActionInputs,
  checkName,
  describeValue,
  loadProjectConfig,
  sagemakerProjectOf,
  type InputReader,
  type LoadedProjectConfig,
  type NameKind,
} from '@slipway/core';

/** Every input of action.yml, read once, checked, with its defaults applied. */
export interface RunPipelineInputs {
  /** Absolute path of the pipeline module. */
  readonly pipelineModule: string;
  readonly region: string;
  /** The pipeline's SageMaker execution role. */
  readonly roleArn: string;
  /** The role training jobs run as (the only one that may write model artifacts); absent: the execution role. */
  readonly trainingRoleArn?: string;
  readonly artifactBucket: string;
  /** The multiline `NAME=VALUE` text, checked against the compiled pipeline later. */
  readonly parameters: string;
  /** Start an execution (true), or only create or update the pipeline (false): one a schedule starts. */
  readonly start: boolean;
  readonly wait: boolean;
  readonly timeoutMinutes: number;
  readonly projectName: string;
  readonly projectId: string;
  readonly compareWithApproved: boolean;
  /** The local server's or moto's URL; absent for AWS. */
  readonly endpointUrl?: string;
  readonly config: LoadedProjectConfig;
}

export type { InputReader } from '@slipway/core';

export const DEFAULT_PIPELINE_MODULE = 'build-pipeline/pipeline.ts';
export const DEFAULT_TIMEOUT_MINUTES = 120;

/**
 * Parses every input into one typed object, with the actions' shared reader (`ActionInputs`): every problem
 * is reported at once, each naming its input, before anything is compiled or sent.
 */
export function readInputs(read: InputReader, cwd: string, env: NodeJS.ProcessEnv = process.env): RunPipelineInputs {
  const inputs = new ActionInputs(read);
  const problem = (input: string, text: string, fix: string) => inputs.problem(input, text, fix);
  const config = loadProjectConfig({ cwd, env });

  const named = (input: string, kind: NameKind, fallback: string | undefined, fix: string): string => {
    const value = read(input) || fallback || '';
    if (value === '') {
      problem(input, 'is required and was not given', fix);
      return '';
    }
    const broken = checkName(kind, value);
    if (broken) problem(input, broken, fix);
    return value;
  };

  const roleArn = named(
    'role',
    'iamRoleArn',
    undefined,
    'pass the ARN of the SageMaker execution role the pipeline runs as, e.g. ${{ vars.SLIPWAY_SAGEMAKER_ROLE_ARN }}',
  );
  const trainingRole = read('training-role');
  if (trainingRole !== '') {
    const broken = checkName('iamRoleArn', trainingRole);
    if (broken) problem('training-role', broken, 'pass ${{ vars.SLIPWAY_TRAINING_ROLE_ARN }}, or leave it out');
  }
  const region = named(
    'region',
    'awsRegion',
    config.region,
    'pass a region such as us-east-1, or set region in slipway.config.json',
  );
  const artifactBucket = named(
    'artifact-bucket',
    's3BucketName',
    config.artifactBucket,
    'pass an existing S3 bucket, or set artifactBucket in slipway.config.json',
  );
  // The tags name the SageMaker project (Studio's, when the project was created from the template there).
  const sagemakerProject = sagemakerProjectOf(config);
  const projectName = named(
    'project-name',
    'projectName',
    sagemakerProject.projectName,
    'set projectName in slipway.config.json',
  );
  const projectId = named(
    'project-id',
    'projectId',
    sagemakerProject.projectId,
    'set projectId in slipway.config.json',
  );
  const timeoutText = read('timeout-minutes');
  const timeoutMinutes = timeoutText === '' ? DEFAULT_TIMEOUT_MINUTES : Number(timeoutText);
  if (!Number.isFinite(timeoutMinutes) || timeoutMinutes <= 0 || timeoutMinutes > 7 * 24 * 60) {
    problem(
      'timeout-minutes',
      `must be a number of minutes from 1 to 10080, got ${describeValue(timeoutText)}`,
      'e.g. timeout-minutes: 120',
    );
  }
  const endpointUrl = inputs.url('endpoint-url', 'e.g. http://127.0.0.1:7700, or leave it out for AWS');
  const modulePath = read('pipeline-module') || DEFAULT_PIPELINE_MODULE;
  const wait = inputs.boolean('wait', true);
  const compareWithApproved = inputs.boolean('compare-with-approved', false);
  const start = inputs.boolean('start', true);
  // What only a started execution uses: given with start: false, it would be silently ignored.
  if (!start && read('parameters').trim() !== '') {
    problem(
      'parameters',
      'has no effect with start: false (nothing is started)',
      'leave parameters out, or set start: true',
    );
  }
  if (!start && compareWithApproved) {
    problem(
      'compare-with-approved',
      'has no effect with start: false (it sets a parameter of the execution)',
      'leave compare-with-approved out, or set start: true',
    );
  }
  const parsed: RunPipelineInputs = {
    pipelineModule: isAbsolute(modulePath) ? modulePath : resolve(cwd, modulePath),
    region,
    roleArn,
    ...(trainingRole !== '' ? { trainingRoleArn: trainingRole } : {}),
    artifactBucket,
    parameters: read('parameters'),
    start,
    wait,
    timeoutMinutes,
    projectName,
    projectId,
    compareWithApproved,
    ...(endpointUrl !== '' ? { endpointUrl } : {}),
    config,
  };
  inputs.finish();
  return parsed;
}
