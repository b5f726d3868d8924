import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tar from 'tar';
import type { JobKind, JobResult, JobRunner, JobSpec, ObjectStore } from '@slipway/local';
import { parseS3Uri } from '@slipway/local';

/**
 * A small, honest stand-in for the runners module, for engine tests: it runs the job's entrypoint as a
 * real process with `/opt/ml` mapped into the job's work dir, downloads inputs from and uploads outputs to
 * the object store, honours the abort signal, and reports a JobResult. It implements only what the tests
 * use (Processing ContainerEntrypoint/Arguments, Training ContainerEntrypoint with channels, model.tar.gz,
 * MetricDefinitions); the real runners emulate the full container contracts.
 */
export class SubprocessRunner implements JobRunner {
  readonly runs: JobSpec[] = [];

  constructor(readonly kind: JobKind) {}

  async run(spec: JobSpec, store: ObjectStore): Promise<JobResult> {
    this.runs.push(spec);
    const root = join(spec.workDir, 'opt', 'ml');
    const map = (text: string) => text.split('/opt/ml').join(root);
    const startTime = new Date();
    let command: string[];
    const uploads: { local: string; uri: string }[] = [];
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '' };
    if (spec.kind === 'Processing') {
      const request = spec.request;
      for (const input of request.ProcessingInputs ?? []) {
        if (input.S3Input) await download(store, input.S3Input.S3Uri!, map(input.S3Input.LocalPath!));
      }
      for (const output of request.ProcessingOutputConfig?.Outputs ?? []) {
        await mkdir(map(output.S3Output!.LocalPath!), { recursive: true });
        uploads.push({ local: map(output.S3Output!.LocalPath!), uri: output.S3Output!.S3Uri! });
      }
      command = [
        ...(request.AppSpecification?.ContainerEntrypoint ?? []),
        ...(request.AppSpecification?.ContainerArguments ?? []),
      ];
      for (const [key, value] of Object.entries(request.Environment ?? {})) env[key] = map(value);
    } else if (spec.kind === 'Training') {
      const request = spec.request;
      for (const channel of request.InputDataConfig ?? []) {
        await download(
          store,
          channel.DataSource!.S3DataSource!.S3Uri!,
          join(root, 'input', 'data', channel.ChannelName!),
        );
      }
      await mkdir(join(root, 'input', 'config'), { recursive: true });
      await writeFile(
        join(root, 'input', 'config', 'hyperparameters.json'),
        JSON.stringify(request.HyperParameters ?? {}),
      );
      await mkdir(join(root, 'model'), { recursive: true });
      await mkdir(join(root, 'output'), { recursive: true });
      command = [
        ...(request.AlgorithmSpecification?.ContainerEntrypoint ?? []),
        ...(request.AlgorithmSpecification?.ContainerArguments ?? []),
      ];
      env['SM_MODEL_DIR'] = join(root, 'model');
      env['SM_OUTPUT_DIR'] = join(root, 'output');
      for (const [key, value] of Object.entries(request.Environment ?? {})) env[key] = map(value);
    } else {
      throw new Error(`test runner: ${spec.kind} jobs are not emulated here (use the real TransformRunner)`);
    }
    if (command.length === 0) throw new Error(`test runner: ${spec.jobName} has no entrypoint to run`);
    const processStart = Date.now();
    const exit = await runProcess(command.map(map), env, spec.workDir, spec.logFile, spec.signal);
    const processMs = Date.now() - processStart;
    const log = await readFile(spec.logFile, 'utf8').catch(() => '');
    if (exit.stopped)
      return { status: 'Stopped', failureReason: 'stopped by request', startTime, endTime: new Date(), processMs };
    if (exit.code !== 0) {
      const failure = await readFile(join(root, 'output', 'failure'), 'utf8').catch(() => undefined);
      return {
        status: 'Failed',
        failureReason: (failure ?? `exit code ${exit.code}: ${log.trim().split('\n').slice(-3).join(' | ')}`).slice(
          0,
          1024,
        ),
        startTime,
        endTime: new Date(),
        processMs,
      };
    }
    for (const upload of uploads) await uploadDir(store, upload.local, upload.uri);
    if (spec.kind === 'Training') {
      const outputPath = spec.request.OutputDataConfig!.S3OutputPath!.replace(/\/+$/, '');
      const uri = `${outputPath}/${spec.jobName}/output/model.tar.gz`;
      const archive = join(spec.workDir, 'model.tar.gz');
      const files = await readdir(join(root, 'model'));
      await tar.c({ gzip: true, file: archive, cwd: join(root, 'model') }, files.length ? files : ['.']);
      const location = parseS3Uri(uri);
      await store.putFile(location.bucket, location.key, archive);
      const metrics = (spec.request.AlgorithmSpecification?.MetricDefinitions ?? []).flatMap((definition) => {
        const matches = [...log.matchAll(new RegExp(definition.Regex!, 'g'))];
        const last = matches[matches.length - 1];
        return last ? [{ MetricName: definition.Name!, Value: Number(last[1]), Timestamp: new Date() }] : [];
      });
      return {
        status: 'Completed',
        modelArtifactsS3Uri: uri,
        finalMetricDataList: metrics,
        startTime,
        endTime: new Date(),
        processMs,
      };
    }
    return { status: 'Completed', startTime, endTime: new Date(), processMs };
  }
}

/** Throws (an infrastructure failure, as a runner that cannot start a job would) the first `failures` times. */
export class FlakyRunner implements JobRunner {
  attempts = 0;

  constructor(
    private readonly inner: JobRunner,
    private readonly failures: number,
  ) {}

  get kind(): JobKind {
    return this.inner.kind;
  }

  async run(spec: JobSpec, store: ObjectStore): Promise<JobResult> {
    this.attempts += 1;
    if (this.attempts <= this.failures) throw new Error(`simulated infrastructure failure ${this.attempts}`);
    return this.inner.run(spec, store);
  }
}

/**
 * Runs no process: sleeps `SLEEP_MS` from the job's Environment (abortable) and writes each output's
 * `CONTENT_<OutputName>` environment value as `<output>/result.json`. For timing tests and benchmarks.
 */
export class SleepRunner implements JobRunner {
  readonly started: string[] = [];

  constructor(readonly kind: JobKind) {}

  async run(spec: JobSpec, store: ObjectStore): Promise<JobResult> {
    this.started.push(spec.jobName);
    const startTime = new Date();
    const env = (spec.request.Environment ?? {}) as Record<string, string>;
    const ms = Number(env['SLEEP_MS'] ?? 0);
    try {
      if (ms > 0) await sleep(ms, undefined, { signal: spec.signal });
    } catch {
      return { status: 'Stopped', startTime, endTime: new Date(), processMs: Date.now() - startTime.getTime() };
    }
    if (env['FAIL'])
      return { status: 'Failed', failureReason: env['FAIL'], startTime, endTime: new Date(), processMs: ms };
    if (spec.kind === 'Processing') {
      for (const output of spec.request.ProcessingOutputConfig?.Outputs ?? []) {
        const content = env[`CONTENT_${output.OutputName}`];
        if (content === undefined) continue;
        const location = parseS3Uri(`${output.S3Output!.S3Uri!.replace(/\/+$/, '')}/result.json`);
        await store.put(location.bucket, location.key, content);
      }
      return { status: 'Completed', startTime, endTime: new Date(), processMs: ms };
    }
    if (spec.kind !== 'Training') {
      return { status: 'Completed', startTime, endTime: new Date(), processMs: ms };
    }
    const outputPath = spec.request.OutputDataConfig!.S3OutputPath!.replace(/\/+$/, '');
    const uri = `${outputPath}/${spec.jobName}/output/model.tar.gz`;
    const location = parseS3Uri(uri);
    await store.put(location.bucket, location.key, 'not really a tarball');
    return { status: 'Completed', modelArtifactsS3Uri: uri, startTime, endTime: new Date(), processMs: ms };
  }
}

async function download(store: ObjectStore, uri: string, localDir: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  const objects = await store.list(bucket, key);
  for (const object of objects) {
    const rest = object.key.slice(key.length).replace(/^\/+/, '') || basename(object.key);
    await store.getToFile(bucket, object.key, join(localDir, ...rest.split('/')));
  }
}

async function uploadDir(store: ObjectStore, localDir: string, uri: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  const prefix = key.replace(/\/+$/, '');
  const entries = await readdir(localDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const rest = relative(localDir, file).split(sep).join('/');
    await store.putFile(bucket, prefix ? `${prefix}/${rest}` : rest, file);
  }
}

function runProcess(
  command: string[],
  env: Record<string, string>,
  cwd: string,
  logFile: string,
  signal: AbortSignal,
): Promise<{ code: number | null; stopped: boolean }> {
  return new Promise((resolve, reject) => {
    void mkdir(dirname(logFile), { recursive: true }).then(() => {
      const log = createWriteStream(logFile, { flags: 'a' });
      const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(log, { end: false });
      child.stderr.pipe(log, { end: false });
      const onAbort = () => child.kill('SIGTERM');
      signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', reject);
      child.on('close', (code) => {
        signal.removeEventListener('abort', onAbort);
        log.end(() => resolve({ code, stopped: signal.aborted }));
      });
    }, reject);
  });
}
