import { PyInt, pyJsonDumps, type PyDict, type PyValue } from './python-values.js';
import { toCommandArgs, type DecodedHyperparameters } from './hyperparameters.js';

/** The container paths of the training contract (sagemaker-definition.md §4.2). */
export const TRAINING_PATHS = {
  code: '/opt/ml/code',
  model: '/opt/ml/model',
  input: '/opt/ml/input',
  inputConfig: '/opt/ml/input/config',
  inputData: '/opt/ml/input/data',
  output: '/opt/ml/output',
  outputData: '/opt/ml/output/data',
  outputIntermediate: '/opt/ml/output/intermediate',
  checkpoints: '/opt/ml/checkpoints',
} as const;

export interface ChannelConfig {
  readonly name: string;
  readonly inputMode: string;
  readonly distribution: string;
  readonly contentType?: string;
}

export interface TrainingEnvironmentInput {
  readonly jobName: string;
  readonly region: string;
  readonly instanceType: string;
  readonly numCpus: number;
  /** NVIDIA GPUs on this machine (`nvidia-smi --list-gpus`), as the toolkit counts them. @default 0 */
  readonly numGpus?: number;
  readonly hyperparameters: DecodedHyperparameters;
  readonly channels: readonly ChannelConfig[];
  /** `SAGEMAKER_TRAINING_MODULE` of the image, e.g. `sagemaker_sklearn_container.training:main`. */
  readonly frameworkModule?: string;
}

export interface TrainingEnvironment {
  /** `resourceconfig.json`. */
  readonly resourceConfig: PyDict;
  /** `inputdataconfig.json`. */
  readonly inputDataConfig: PyDict;
  /** The script's command-line arguments (`SM_USER_ARGS`). */
  readonly userArgs: readonly string[];
  /** Every `SM_*` variable plus TRAINING_JOB_NAME and AWS_REGION, with container paths (mapped by the runner). */
  readonly variables: Readonly<Record<string, string>>;
}

const HOST = 'algo-1';
const GROUP = 'homogeneousCluster';
const LOG_LEVEL_INFO = 20;

/**
 * What the training toolkit's `Environment` computes inside the container, computed here instead: the config
 * files' contents and the environment variables (`Environment.to_env_vars()`), one host, the machine's GPUs.
 * Values follow the toolkit's rendering: strings as they are, everything else compact JSON with sorted keys.
 */
export function trainingEnvironment(input: TrainingEnvironmentInput): TrainingEnvironment {
  const { sagemaker, framework, user } = input.hyperparameters;
  const instanceGroup: PyDict = { instance_group_name: GROUP, instance_type: input.instanceType, hosts: [HOST] };
  const resourceConfig: PyDict = {
    current_host: HOST,
    current_instance_type: input.instanceType,
    current_group_name: GROUP,
    hosts: [HOST],
    instance_groups: [instanceGroup],
    network_interface_name: 'eth0',
  };
  const inputDataConfig: PyDict = Object.fromEntries(
    input.channels.map((channel) => [
      channel.name,
      {
        TrainingInputMode: channel.inputMode,
        S3DistributionType: channel.distribution,
        RecordWrapperType: 'None',
        ...(channel.contentType !== undefined ? { ContentType: channel.contentType } : {}),
      },
    ]),
  );
  const program = typeof sagemaker.sagemaker_program === 'string' ? sagemaker.sagemaker_program : null;
  const channelDirs: PyDict = Object.fromEntries(
    input.channels.map((c) => [c.name, `${TRAINING_PATHS.inputData}/${c.name}`]),
  );
  const userArgs = toCommandArgs(user);
  const moduleDir = sagemaker.sagemaker_submit_directory;
  const properties: Record<string, PyValue> = {
    additional_framework_parameters: framework,
    channel_input_dirs: channelDirs,
    current_host: HOST,
    current_instance_group: GROUP,
    current_instance_group_hosts: [HOST],
    current_instance_type: input.instanceType,
    distribution_hosts: [],
    distribution_instance_groups: [],
    framework_module: input.frameworkModule ?? null,
    hosts: [HOST],
    hyperparameters: user,
    input_config_dir: TRAINING_PATHS.inputConfig,
    input_data_config: inputDataConfig,
    input_dir: TRAINING_PATHS.input,
    instance_groups: [GROUP],
    instance_groups_dict: { [GROUP]: instanceGroup },
    is_hetero: false,
    is_master: true,
    is_modelparallel_enabled: null,
    job_name: input.jobName,
    log_level: sagemaker.sagemaker_container_log_level ?? new PyInt(BigInt(LOG_LEVEL_INFO)),
    master_hostname: HOST,
    model_dir: TRAINING_PATHS.model,
    module_dir: typeof moduleDir === 'string' ? moduleDir : TRAINING_PATHS.code,
    module_name: program === null ? 'None' : program.replace(/\.py$/, ''),
    network_interface_name: 'eth0',
    num_cpus: new PyInt(BigInt(input.numCpus)),
    num_gpus: new PyInt(BigInt(input.numGpus ?? 0)),
    num_neurons: new PyInt(0n),
    output_data_dir: TRAINING_PATHS.outputData,
    output_dir: TRAINING_PATHS.output,
    output_intermediate_dir: TRAINING_PATHS.outputIntermediate,
    resource_config: resourceConfig,
    user_entry_point: program,
  };
  // The keys of Environment.to_env_vars(), in its terms.
  const env: Record<string, PyValue> = {
    hosts: properties.hosts!,
    network_interface_name: 'eth0',
    hps: user,
    user_entry_point: program,
    framework_params: framework,
    resource_config: resourceConfig,
    input_data_config: inputDataConfig,
    output_data_dir: TRAINING_PATHS.outputData,
    channels: input.channels.map((c) => c.name).sort(),
    current_host: HOST,
    current_instance_type: input.instanceType,
    current_instance_group: GROUP,
    current_instance_group_hosts: [HOST],
    instance_groups: [GROUP],
    instance_groups_dict: properties.instance_groups_dict!,
    distribution_instance_groups: [],
    is_hetero: false,
    module_name: properties.module_name!,
    log_level: properties.log_level!,
    framework_module: properties.framework_module!,
    input_dir: TRAINING_PATHS.input,
    input_config_dir: TRAINING_PATHS.inputConfig,
    output_dir: TRAINING_PATHS.output,
    num_cpus: properties.num_cpus!,
    num_gpus: properties.num_gpus!,
    num_neurons: properties.num_neurons!,
    model_dir: TRAINING_PATHS.model,
    module_dir: properties.module_dir!,
    training_env: properties,
    user_args: userArgs,
    output_intermediate_dir: TRAINING_PATHS.outputIntermediate,
  };
  for (const channel of input.channels) env[`channel_${channel.name}`] = `${TRAINING_PATHS.inputData}/${channel.name}`;
  for (const [key, value] of Object.entries(user)) env[`hp_${key}`] = value;

  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    variables[`SM_${key.toUpperCase()}`] = value === null ? '' : typeof value === 'string' ? value : pyJsonDumps(value);
  }
  variables.TRAINING_JOB_NAME = input.jobName;
  variables.AWS_REGION = input.region;
  return { resourceConfig, inputDataConfig, userArgs, variables };
}
