import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '@slipway/core';
import type { CreateProcessingJobRequest } from '@aws-sdk/client-sagemaker';
import type { ObjectStore } from '../storage/object-store.js';
import type { ProcessingJobSpec } from './job-runner.js';
import {
  JOB_STARTUP_DIR,
  baseEnvironment,
  hostCommand,
  mappedEnvironment,
  prependPythonPath,
} from './container-environment.js';
import { SubprocessJobRunner, type JobBodyResult, type JobContext } from './job-lifecycle.js';
import { readJobFile } from './job-files.js';
import { failureReason, stderrLines } from './job-outcome.js';
import { resolveJobRuntime, runJobProcess } from './job-runtime.js';
import { downloadS3Data, uploadDirectory } from './s3-transfer.js';
import { checkProcessingLocalPath, type Sandbox } from './sandbox.js';

type ProcessingRequest = ProcessingJobSpec['request'];

/**
 * Runs a processing job as SageMaker's processing container contract describes (sagemaker-definition.md
 * §4.1): inputs downloaded under the sandbox's /opt/ml/processing, the config files written, the
 * entrypoint and arguments run as a subprocess of the image's local runtime, outputs uploaded on exit 0.
 */
export class ProcessingRunner extends SubprocessJobRunner<'Processing'> {
  readonly kind = 'Processing' as const;

  protected async execute(
    spec: ProcessingJobSpec,
    store: ObjectStore,
    { log, sandbox, signal }: JobContext,
  ): Promise<JobBodyResult> {
    const request = spec.request;
    const where = spec.jobName;
    const plan = planProcessingJob(request, where);
    const runtime = await resolveJobRuntime(this.options.runtimes, request.AppSpecification!.ImageUri!, log);
    if ((request.ProcessingResources?.ClusterConfig?.InstanceCount ?? 1) > 1) {
      log.note('InstanceCount is more than 1: the local runner runs a single instance (algo-1)');
    }

    for (const input of plan.inputs) {
      if (signal.aborted) return { status: 'Stopped', processMs: 0 };
      const count = await downloadS3Data(
        store,
        input.s3Uri,
        input.dataType,
        sandbox.hostPath(input.localPath),
        where,
        input.field,
      );
      log.note(`input ${input.name}: ${count} object(s) from ${input.s3Uri} → ${input.localPath}`);
    }
    for (const output of plan.outputs) await mkdir(sandbox.hostPath(output.localPath), { recursive: true });
    await writeConfigFiles(spec, sandbox);
    await mkdir(sandbox.hostPath('/opt/ml/output'), { recursive: true });
    await mkdir(sandbox.tmp, { recursive: true });

    const own = mappedEnvironment(request.Environment, sandbox);
    const env = {
      ...baseEnvironment(this.options.hostEnv, runtime, sandbox),
      AWS_REGION: spec.region,
      ...own,
      PYTHONPATH: prependPythonPath(own, JOB_STARTUP_DIR),
    };
    const argv = hostCommand(plan.argv, runtime, sandbox);
    const outcome = await runJobProcess(this.options, runtime, { argv, cwd: sandbox.root, env, log, signal });
    const exitMessage = await readJobFile(sandbox.hostPath('/opt/ml/output/message'));
    const base = { processMs: outcome.millis, ...(exitMessage !== undefined ? { exitMessage } : {}) };
    if (outcome.aborted) return { status: 'Stopped', ...base };
    if (outcome.spawnError) {
      return {
        status: 'Failed',
        ...base,
        failureReason: failureReason(`ClientError: could not start ${plan.argv[0]}: ${outcome.spawnError.message}`),
      };
    }
    if (outcome.exitCode !== 0) {
      const code = outcome.exitCode ?? outcome.exitSignal;
      return {
        status: 'Failed',
        ...base,
        failureReason: failureReason(
          `AlgorithmError: exit code ${code}; the last lines of stderr:\n`,
          stderrLines(outcome.stderrTail),
        ),
      };
    }
    for (const output of plan.outputs) {
      const keys = await uploadDirectory(
        store,
        sandbox.hostPath(output.localPath),
        output.s3Uri,
        `${where}: ${output.field}`,
      );
      log.note(`output ${output.name}: ${keys.length} file(s) from ${output.localPath} → ${output.s3Uri}`);
    }
    return { status: 'Completed', ...base };
  }
}

export interface ProcessingPlan {
  readonly argv: readonly string[];
  readonly inputs: readonly { name: string; field: string; s3Uri: string; dataType?: string; localPath: string }[];
  readonly outputs: readonly { name: string; field: string; s3Uri: string; localPath: string }[];
}

/**
 * Checks a processing request against what the local runner can do and what SageMaker requires, and says
 * what to download, run and upload. Pure: no files are touched.
 */
export function planProcessingJob(request: ProcessingRequest, where: string): ProcessingPlan {
  const unsupported = (field: string, what: string, fix: string): never => {
    throw new ValidationError({ where, field, problem: `${what}, which the local runner does not support`, fix });
  };
  const app = request.AppSpecification;
  if (!app?.ImageUri)
    throw new ValidationError({
      where,
      field: 'AppSpecification.ImageUri',
      problem: 'is required',
      fix: 'name the image',
    });
  if (!app.ContainerEntrypoint?.length) {
    unsupported(
      'AppSpecification.ContainerEntrypoint',
      'is missing, so the image’s own ENTRYPOINT would run',
      'give the command, e.g. ["python3", "/opt/ml/processing/input/code/preprocess.py"]',
    );
  }
  const inputs = (request.ProcessingInputs ?? []).flatMap((input, index) => {
    const field = `ProcessingInputs[${index}]`;
    const name = input.InputName ?? `input-${index + 1}`;
    if (input.AppManaged) return [];
    if (input.DatasetDefinition)
      unsupported(
        `${field}.DatasetDefinition`,
        'reads from Athena or Redshift',
        'stage the data in S3 and use S3Input',
      );
    const s3 = input.S3Input;
    if (!s3?.S3Uri)
      throw new ValidationError({
        where,
        field: `${field}.S3Input.S3Uri`,
        problem: 'is required',
        fix: 'give the S3 URI of the input',
      });
    if (s3.S3InputMode === 'Pipe') unsupported(`${field}.S3Input.S3InputMode`, 'is Pipe', 'use File');
    if (s3.S3CompressionType === 'Gzip') unsupported(`${field}.S3Input.S3CompressionType`, 'is Gzip', 'use None');
    const localPath = checkProcessingLocalPath(s3.LocalPath, where, `${field}.S3Input.LocalPath`);
    return [
      {
        name,
        field: `${field}.S3Input`,
        s3Uri: s3.S3Uri,
        localPath,
        ...(s3.S3DataType ? { dataType: s3.S3DataType } : {}),
      },
    ];
  });
  const outputs = (request.ProcessingOutputConfig?.Outputs ?? []).flatMap((output, index) => {
    const field = `ProcessingOutputConfig.Outputs[${index}]`;
    if (output.AppManaged) return [];
    if (output.FeatureStoreOutput)
      unsupported(`${field}.FeatureStoreOutput`, 'writes to Feature Store', 'write to S3Output');
    const s3 = output.S3Output;
    if (!s3?.S3Uri)
      throw new ValidationError({
        where,
        field: `${field}.S3Output.S3Uri`,
        problem: 'is required',
        fix: 'give the S3 URI of the output',
      });
    const localPath = checkProcessingLocalPath(s3.LocalPath, where, `${field}.S3Output.LocalPath`);
    return [
      { name: output.OutputName ?? `output-${index + 1}`, field: `${field}.S3Output`, s3Uri: s3.S3Uri, localPath },
    ];
  });
  return { argv: [...app.ContainerEntrypoint!, ...(app.ContainerArguments ?? [])], inputs, outputs };
}

/** `/opt/ml/config/processingjobconfig.json` and `resourceconfig.json`, as SDK local mode writes them. */
async function writeConfigFiles(spec: ProcessingJobSpec, sandbox: Sandbox): Promise<void> {
  const request = spec.request as CreateProcessingJobRequest;
  const dir = sandbox.hostPath('/opt/ml/config');
  await mkdir(dir, { recursive: true });
  const jobConfig = {
    ProcessingJobArn: spec.jobArn,
    ProcessingJobName: spec.jobName,
    AppSpecification: request.AppSpecification,
    Environment: request.Environment ?? {},
    ProcessingInputs: request.ProcessingInputs ?? [],
    ProcessingOutputConfig: request.ProcessingOutputConfig ?? { Outputs: [] },
    ProcessingResources: request.ProcessingResources,
    RoleArn: request.RoleArn,
    StoppingCondition: request.StoppingCondition ?? { MaxRuntimeInSeconds: 86400 },
  };
  const resourceConfig = {
    current_host: 'algo-1',
    hosts: ['algo-1'],
    network_interface_name: 'eth0',
    current_instance_type: request.ProcessingResources?.ClusterConfig?.InstanceType ?? 'local',
  };
  await writeFile(join(dir, 'processingjobconfig.json'), JSON.stringify(jobConfig, null, 2));
  await writeFile(join(dir, 'resourceconfig.json'), JSON.stringify(resourceConfig));
}
