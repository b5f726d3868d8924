import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError, describeValue } from '@slipway/core';
import { extractTarGz } from '../archive/extract.js';
import { packTarGz } from '../archive/pack.js';
import type { ObjectStore } from '../storage/object-store.js';
import { formatS3Uri, parseS3Uri } from '../storage/object-key.js';
import type { Runtime } from '../runtimes/runtime-definition.js';
import { LOCAL_PYTHON_DIR } from '../runtimes/runtime-manager.js';
import type { TrainingJobSpec } from './job-runner.js';
import {
  JOB_STARTUP_DIR,
  baseEnvironment,
  hostCommand,
  mappedEnvironment,
  prependPythonPath,
} from './container-environment.js';
import { decodeHyperparameters, type DecodedHyperparameters } from './hyperparameters.js';
import { readJobFile } from './job-files.js';
import type { JobLog } from './job-log.js';
import { SubprocessJobRunner, type JobBodyResult, type JobContext } from './job-lifecycle.js';
import { MAX_FAILURE_REASON, keepEnd, stderrLines } from './job-outcome.js';
import { countGpus } from './gpus.js';
import { resolveJobRuntime, runJobProcess } from './job-runtime.js';
import { MetricScraper, type MetricDefinition } from './metric-scraper.js';
import { pyJsonDumps } from './python-values.js';
import { downloadS3Data, joinKey } from './s3-transfer.js';
import { mapContainerPaths, type Sandbox } from './sandbox.js';
import { TRAINING_PATHS, trainingEnvironment, type ChannelConfig } from './training-environment.js';

type TrainingRequest = TrainingJobSpec['request'];

/**
 * Runs a training job the way a SageMaker framework container does through the training toolkit
 * (sagemaker-definition.md §4.2): channels under /opt/ml/input/data, the config files, the SM_* environment,
 * the submitted source directory extracted into /opt/ml/code, `python <program> --key value`, and the model
 * folder packed to `<S3OutputPath>/<job>/output/model.tar.gz`.
 */
export class TrainingRunner extends SubprocessJobRunner<'Training'> {
  readonly kind = 'Training' as const;

  protected async execute(
    spec: TrainingJobSpec,
    store: ObjectStore,
    { log, sandbox, signal }: JobContext,
  ): Promise<JobBodyResult> {
    const where = spec.jobName;
    const plan = planTrainingJob(spec.request, where);
    const runtime = await resolveJobRuntime(this.options.runtimes, plan.image, log);
    const program = imageProgram(plan, runtime, where);
    // A built-in algorithm's metrics are defined by SageMaker, not by the request (which may not define any).
    const scraper = new MetricScraper(
      [...(program?.kind === 'algorithm' ? runtime.algorithm!.metricDefinitions : []), ...plan.metricDefinitions],
      where,
    );
    if (program) log.note(`no script: the image's own training program runs (${program.description})`);
    if (plan.instanceCount > 1)
      log.note('InstanceCount is more than 1: the local runner trains on a single host (algo-1)');
    if (spec.request.CheckpointConfig)
      log.note('CheckpointConfig: checkpoints stay in the sandbox; they are not synced to S3');

    for (const path of Object.values(TRAINING_PATHS)) await mkdir(sandbox.hostPath(path), { recursive: true });
    await mkdir(sandbox.tmp, { recursive: true });
    for (const channel of plan.channels) {
      if (signal.aborted) return { status: 'Stopped', processMs: 0 };
      const dir = `${TRAINING_PATHS.inputData}/${channel.name}`;
      const count = await downloadS3Data(
        store,
        channel.s3Uri,
        channel.dataType,
        sandbox.hostPath(dir),
        where,
        channel.field,
      );
      log.note(`channel ${channel.name}: ${count} object(s) from ${channel.s3Uri} → ${dir}`);
    }
    const environment = trainingEnvironment({
      jobName: spec.jobName,
      region: spec.region,
      instanceType: plan.instanceType,
      numCpus: cpus().length,
      numGpus: await countGpus(),
      hyperparameters: plan.hyperparameters,
      channels: plan.channels,
      ...(runtime.trainingModule ? { frameworkModule: runtime.trainingModule } : {}),
    });
    const configDir = sandbox.hostPath(TRAINING_PATHS.inputConfig);
    await writeFile(join(configDir, 'hyperparameters.json'), JSON.stringify(spec.request.HyperParameters ?? {}));
    await writeFile(join(configDir, 'inputdataconfig.json'), pyJsonDumps(environment.inputDataConfig));
    await writeFile(join(configDir, 'resourceconfig.json'), pyJsonDumps(environment.resourceConfig));
    const own = mappedEnvironment(spec.request.Environment, sandbox);
    let jobRuntime = runtime;
    if (plan.mode.kind === 'script') {
      await stageCode(plan.mode, store, sandbox, where, log.note.bind(log));
      jobRuntime = await this.installDependencies(runtime, sandbox, own, log);
    }

    const argv = program
      ? [jobRuntime.python, '-c', program.bootstrap]
      : commandFor(plan, environment.userArgs, jobRuntime, sandbox);
    const env: Record<string, string> = {
      ...baseEnvironment(this.options.hostEnv, jobRuntime, sandbox),
      ...own,
      ...mappedEnvironment(environment.variables, sandbox),
      // As in the framework images, the code folder is importable from anywhere; an algorithm comes from Slipway.
      PYTHONPATH: prependPythonPath(
        own,
        JOB_STARTUP_DIR,
        sandbox.hostPath(TRAINING_PATHS.code),
        ...(program?.kind === 'algorithm' ? [LOCAL_PYTHON_DIR] : []),
      ),
    };
    const outcome = await runJobProcess(this.options, jobRuntime, {
      argv,
      cwd: sandbox.hostPath(TRAINING_PATHS.code),
      env,
      log,
      signal,
      onLine: (line) => scraper.scan(line),
    });
    const metrics = scraper.results();
    const base = { processMs: outcome.millis, ...(metrics.length ? { finalMetricDataList: metrics } : {}) };
    const outputDir = sandbox.hostPath(TRAINING_PATHS.output);
    if (outcome.aborted) return { status: 'Stopped', ...base };
    if (outcome.spawnError || outcome.exitCode !== 0) {
      const code = outcome.exitCode ?? outcome.exitSignal ?? 1;
      // As the toolkit: the script's own /opt/ml/output/failure wins (SageMaker shows its first 1024
      // characters); otherwise the toolkit writes ExecuteUserScriptError with as much of stderr as fits.
      const foot = `, exit code: ${code}`;
      const own = await readJobFile(join(outputDir, 'failure'));
      if (own !== undefined) {
        return {
          status: 'Failed',
          ...base,
          // A built-in algorithm reports the job's own mistakes as ClientError, as SageMaker shows them.
          failureReason:
            (own.startsWith('ClientError:') ? own.trim() : `AlgorithmError: ${own.trim()}`).slice(
              0,
              MAX_FAILURE_REASON - foot.length,
            ) + foot,
        };
      }
      const stderr = outcome.spawnError?.message ?? stderrLines(outcome.stderrTail);
      const toolkit = (message: string) => toolkitFailure(code, message, argv.join(' '));
      await writeFile(join(outputDir, 'failure'), toolkit(stderr)).catch(() => undefined);
      const frame = `AlgorithmError: ${toolkit('')}${foot}`;
      return {
        status: 'Failed',
        ...base,
        failureReason: `AlgorithmError: ${toolkit(keepEnd(stderr, MAX_FAILURE_REASON - frame.length))}${foot}`,
      };
    }
    await writeFile(join(outputDir, 'success'), '');
    const modelUri = await uploadArchive(store, sandbox, TRAINING_PATHS.model, `${plan.outputPrefix}/model.tar.gz`);
    log.note(`model: ${TRAINING_PATHS.model} packed to ${modelUri}`);
    if ((await readdir(sandbox.hostPath(TRAINING_PATHS.outputData))).length > 0) {
      const dataUri = await uploadArchive(
        store,
        sandbox,
        TRAINING_PATHS.outputData,
        `${plan.outputPrefix}/output.tar.gz`,
      );
      log.note(`output data: ${TRAINING_PATHS.outputData} packed to ${dataUri}`);
    }
    return { status: 'Completed', ...base, modelArtifactsS3Uri: modelUri };
  }

  /**
   * The toolkit's dependency step before the script runs: `pip install .` for a setup.py, else
   * `pip install -r requirements.txt`, into a venv layered on the runtime's (cached by the file's content, so
   * later jobs start at once; a setup.py's in the job's own sandbox). The runtime itself is never changed.
   */
  private async installDependencies(
    runtime: Runtime,
    sandbox: Sandbox,
    jobEnv: Readonly<Record<string, string>>,
    log: JobLog,
  ): Promise<Runtime> {
    const codeDir = sandbox.hostPath(TRAINING_PATHS.code);
    const setup = existsSync(join(codeDir, 'setup.py'));
    if (!setup && !existsSync(join(codeDir, 'requirements.txt'))) return runtime;
    const what = setup ? 'setup.py' : 'requirements.txt';
    if (runtime.definition.environment.kind !== 'venv') {
      log.note(
        `code: ${what} found, not installed: the runtime ${runtime.name} uses its interpreter as it is ` +
          '(install what the job needs into it)',
      );
      return runtime;
    }
    let file = join(codeDir, 'requirements.txt');
    if (setup) {
      file = join(sandbox.tmp, 'setup-requirements.txt');
      await writeFile(file, `${codeDir}\n`);
    }
    log.note(`code: ${what} found; installing it as the training toolkit does (pip), layered on ${runtime.name}`);
    const started = Date.now();
    const note = (message: string) => log.note(message);
    const python = await this.options.runtimes.withRequirements(runtime, file, {
      jobEnv,
      onBuild: note,
      onProgress: note,
      ...(setup ? { overlayDir: join(sandbox.tmp, 'overlay') } : {}),
    });
    log.note(`code: ${what} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${python})`);
    return { ...runtime, python };
  }
}

/** What runs for a training job without a script: the runtime's built-in algorithm, or its training module. */
interface ImageProgram {
  readonly kind: 'algorithm' | 'trainingModule';
  /** `python -c` code that runs it. */
  readonly bootstrap: string;
  readonly description: string;
}

/**
 * Without sagemaker_program or ContainerEntrypoint the image's own training program runs: locally, a built-in
 * runtime's algorithm (XGBoost's), or the `trainingModule` a runtimes file gives (importable in that runtime).
 */
function imageProgram(plan: TrainingPlan, runtime: Runtime, where: string): ImageProgram | undefined {
  if (plan.mode.kind !== 'image') return undefined;
  const call = (entry: string) => {
    const [module, fn] = entry.split(':') as [string, string | undefined];
    return `import sys, ${module} as m; sys.exit(m.${fn ?? 'main'}())`;
  };
  if (runtime.algorithm) {
    return {
      kind: 'algorithm',
      bootstrap: call(runtime.algorithm.entry),
      description: `${runtime.name}'s built-in algorithm`,
    };
  }
  if (runtime.trainingModule && runtime.definition.source !== 'built-in') {
    return {
      kind: 'trainingModule',
      bootstrap: call(runtime.trainingModule),
      description: `trainingModule ${runtime.trainingModule} of ${runtime.name}`,
    };
  }
  const program = plan.hyperparameters.sagemaker.sagemaker_program;
  throw new ValidationError({
    where,
    field: 'HyperParameters.sagemaker_program',
    problem:
      `is ${program === undefined ? 'missing' : describeValue(program)}, so the image's own training program would run, ` +
      `and the local runtime ${runtime.name} has none (it runs scripts, as the ${runtime.description} does)`,
    fix: 'use script mode (the SDK sets sagemaker_program and sagemaker_submit_directory from entry_point and source_dir), give AlgorithmSpecification.ContainerEntrypoint, or map the image in local/runtimes.json to a runtime with a trainingModule',
  });
}

type ScriptMode = { readonly kind: 'script'; readonly program: string; readonly submitDirectory?: string };
type EntrypointMode = { readonly kind: 'entrypoint'; readonly argv: readonly string[] };
/** No script and no entrypoint: the image's own training program (a built-in algorithm). */
type ImageMode = { readonly kind: 'image' };

export interface TrainingPlan {
  readonly image: string;
  readonly mode: ScriptMode | EntrypointMode | ImageMode;
  readonly hyperparameters: DecodedHyperparameters;
  readonly channels: readonly (ChannelConfig & { field: string; s3Uri: string; dataType?: string })[];
  readonly metricDefinitions: readonly MetricDefinition[];
  /** `<S3OutputPath>/<TrainingJobName>/output`, without a trailing slash. */
  readonly outputPrefix: string;
  readonly instanceType: string;
  readonly instanceCount: number;
}

/** Checks a training request against SageMaker's rules and the local runner's abilities. Pure. */
export function planTrainingJob(request: TrainingRequest, where: string, jobName = where): TrainingPlan {
  const unsupported = (field: string, what: string, fix: string): never => {
    throw new ValidationError({ where, field, problem: `${what}, which the local runner does not support`, fix });
  };
  const required = (field: string, fix: string): never => {
    throw new ValidationError({ where, field, problem: 'is required', fix });
  };
  const algorithm = request.AlgorithmSpecification;
  if (algorithm?.AlgorithmName)
    unsupported('AlgorithmSpecification.AlgorithmName', 'names a Marketplace algorithm', 'use a TrainingImage');
  const image = algorithm?.TrainingImage ?? required('AlgorithmSpecification.TrainingImage', 'name the training image');
  const defaultMode = algorithm?.TrainingInputMode ?? 'File';
  const names = new Set<string>();
  const channels = (request.InputDataConfig ?? []).map((channel, index) => {
    const field = `InputDataConfig[${index}]`;
    const name = channel.ChannelName ?? required(`${field}.ChannelName`, 'name the channel');
    if (!/^[A-Za-z0-9.\-_]+$/.test(name) || names.has(name)) {
      throw new ValidationError({
        where,
        field: `${field}.ChannelName`,
        problem: `must be a unique name of letters, digits, ".", "-" or "_", got ${describeValue(name)}`,
        fix: 'rename the channel',
      });
    }
    names.add(name);
    if (channel.DataSource?.FileSystemDataSource)
      unsupported(`${field}.DataSource.FileSystemDataSource`, 'reads from EFS or FSx', 'use S3DataSource');
    const s3 = channel.DataSource?.S3DataSource;
    if (!s3?.S3Uri) required(`${field}.DataSource.S3DataSource.S3Uri`, 'give the S3 URI of the channel');
    const inputMode = channel.InputMode ?? defaultMode;
    if (inputMode === 'Pipe') unsupported(`${field}.InputMode`, 'is Pipe', 'use File (FastFile is treated as File)');
    if (channel.CompressionType === 'Gzip') unsupported(`${field}.CompressionType`, 'is Gzip', 'use None');
    return {
      name,
      field: `${field}.DataSource.S3DataSource`,
      s3Uri: s3!.S3Uri!,
      ...(s3!.S3DataType ? { dataType: s3!.S3DataType } : {}),
      inputMode: inputMode === 'FastFile' ? 'File' : inputMode,
      distribution: s3!.S3DataDistributionType ?? 'FullyReplicated',
      ...(channel.ContentType !== undefined ? { contentType: channel.ContentType } : {}),
    };
  });
  const hyperparameters = decodeHyperparameters(request.HyperParameters);
  let mode: ScriptMode | EntrypointMode | ImageMode;
  if (algorithm?.ContainerEntrypoint?.length) {
    mode = { kind: 'entrypoint', argv: [...algorithm.ContainerEntrypoint, ...(algorithm.ContainerArguments ?? [])] };
  } else {
    const program = hyperparameters.sagemaker.sagemaker_program;
    if (program !== undefined && (typeof program !== 'string' || program === '')) {
      unsupported(
        'HyperParameters.sagemaker_program',
        `is ${describeValue(request.HyperParameters?.sagemaker_program)}, not a file or module name`,
        'name the entry point (the SDK sets it from entry_point)',
      );
    }
    const submit = hyperparameters.sagemaker.sagemaker_submit_directory;
    if (submit !== undefined && (typeof submit !== 'string' || !submit.startsWith('s3://'))) {
      unsupported(
        'HyperParameters.sagemaker_submit_directory',
        `is ${describeValue(submit)}, not an s3:// tar.gz`,
        'upload the source directory as a tar.gz to S3',
      );
    }
    mode =
      program === undefined
        ? { kind: 'image' }
        : {
            kind: 'script',
            program: program as string,
            ...(typeof submit === 'string' ? { submitDirectory: submit } : {}),
          };
  }
  const output = request.OutputDataConfig;
  const outputPath =
    output?.S3OutputPath ?? required('OutputDataConfig.S3OutputPath', 'give the S3 folder for the model');
  if (output?.CompressionType === 'NONE')
    unsupported('OutputDataConfig.CompressionType', 'is NONE', 'use GZIP (the default)');
  const location = parseS3Uri(outputPath, `${where}: OutputDataConfig.S3OutputPath`);
  return {
    image,
    mode,
    hyperparameters,
    channels,
    metricDefinitions: algorithm?.MetricDefinitions ?? [],
    outputPrefix: formatS3Uri({ bucket: location.bucket, key: joinKey(location, `${jobName}/output`) }),
    instanceType: request.ResourceConfig?.InstanceType ?? 'local',
    instanceCount: request.ResourceConfig?.InstanceCount ?? 1,
  };
}

/** The toolkit's `ExecuteUserScriptError` text, which it writes to /opt/ml/output/failure. */
function toolkitFailure(code: number | string, errorMessage: string, command: string): string {
  return `ExecuteUserScriptError:\nExitCode ${code}\nErrorMessage "${errorMessage}"\nCommand "${command}"`;
}

/** Downloads `sagemaker_submit_directory` and extracts it safely into /opt/ml/code. */
async function stageCode(
  mode: ScriptMode,
  store: ObjectStore,
  sandbox: Sandbox,
  where: string,
  note: (text: string) => void,
): Promise<void> {
  const codeDir = sandbox.hostPath(TRAINING_PATHS.code);
  if (mode.submitDirectory) {
    const field = 'HyperParameters.sagemaker_submit_directory';
    const location = parseS3Uri(mode.submitDirectory, `${where}: ${field}`);
    const archive = join(sandbox.tmp, 'sourcedir.tar.gz');
    if (location.key === '' || !(await store.getToFile(location.bucket, location.key, archive))) {
      throw new ValidationError({
        where,
        field,
        problem: `names ${describeValue(mode.submitDirectory)}, which does not exist`,
        fix: 'upload the source directory first',
      });
    }
    const entries = await extractTarGz(archive, codeDir, { label: `${where}: ${field} ${mode.submitDirectory}` });
    note(`code: ${entries.length} entries from ${mode.submitDirectory} → ${TRAINING_PATHS.code}`);
  }
  const isModule = !/\.(py|sh)$/.test(mode.program);
  if (!isModule && !existsSync(join(codeDir, mode.program))) {
    throw new ValidationError({
      where,
      field: 'HyperParameters.sagemaker_program',
      problem: `names ${describeValue(mode.program)}, which is not in the source directory${mode.submitDirectory ? ` ${mode.submitDirectory}` : ''}`,
      fix: 'check entry_point and source_dir',
    });
  }
}

/** The command the toolkit would run, with /opt/ml mapped and the runtime's interpreter. */
function commandFor(plan: TrainingPlan, userArgs: readonly string[], runtime: Runtime, sandbox: Sandbox): string[] {
  if (plan.mode.kind === 'entrypoint') return hostCommand(plan.mode.argv, runtime, sandbox);
  if (plan.mode.kind === 'image') throw new Error('the image mode runs the image program, not a command');
  const args = userArgs.map((arg) => mapContainerPaths(arg, sandbox));
  const program = plan.mode.program;
  if (program.endsWith('.py')) return [runtime.python, program, ...args];
  if (program.endsWith('.sh')) return ['/bin/sh', program, ...args];
  return [runtime.python, '-m', program, ...args];
}

/** Packs a sandbox folder deterministically and uploads it; returns its S3 URI. */
async function uploadArchive(
  store: ObjectStore,
  sandbox: Sandbox,
  containerDir: string,
  s3Uri: string,
): Promise<string> {
  const archive = join(sandbox.root, 'artifacts', s3Uri.slice(s3Uri.lastIndexOf('/') + 1));
  await mkdir(join(sandbox.root, 'artifacts'), { recursive: true });
  await packTarGz(sandbox.hostPath(containerDir), archive);
  const location = parseS3Uri(s3Uri);
  await store.putFile(location.bucket, location.key, archive, { contentType: 'application/x-tar' });
  return s3Uri;
}
