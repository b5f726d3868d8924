import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessingRunner, planProcessingJob } from '../../src/runners/index.js';
import { BUCKET, JobWorld, processingRequest, runnerOptions, trainingRequest } from './job-fixtures.js';
import { describeRunnerContract } from './runner-contract.js';

describeRunnerContract({
  name: 'ProcessingRunner',
  makeRunner: () => new ProcessingRunner(runnerOptions()),
  async completing(world) {
    const code = await world.put('code/hello.py', 'print("hello from the job")\n');
    return world.processing('hello', processingRequest(code, 'hello.py', []));
  },
  async crashing(world) {
    return world.processing(
      'crash',
      processingRequest(await world.putFixture('code/crash.py', 'crash.py'), 'crash.py', []),
    );
  },
  async slow(world, { signal, maxRuntimeSeconds }) {
    const code = await world.putFixture('code/slow.py', 'slow.py');
    const request = processingRequest(code, 'slow.py', ['/opt/ml/processing/slow.pid'], {
      ...(maxRuntimeSeconds ? { StoppingCondition: { MaxRuntimeInSeconds: maxRuntimeSeconds } } : {}),
    });
    const spec = world.processing('slow', request, signal);
    return { spec, pidFile: join(spec.workDir, 'opt/ml/processing/slow.pid') };
  },
  async unsupportedImage(world) {
    const request = processingRequest(await world.put('code/x.py', ''), 'x.py', []);
    request.AppSpecification!.ImageUri =
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.13-cpu-py310';
    return world.processing('torch', request);
  },
  async missingInput(world) {
    const code = await world.put('code/x.py', '');
    return world.processing(
      'missing',
      processingRequest(code, 'x.py', [], {
        ProcessingInputs: [
          {
            InputName: 'data',
            S3Input: {
              S3Uri: `s3://${BUCKET}/nothing-here/`,
              LocalPath: '/opt/ml/processing/input/data',
              S3DataType: 'S3Prefix',
            },
          },
        ],
      }),
    );
  },
  otherKind: (world) => world.training('train', trainingRequest('s3://slipway-test/x.tar.gz', 'x.py')),
});

describe('ProcessingRunner', () => {
  let world: JobWorld;
  const runner = new ProcessingRunner(runnerOptions());
  beforeEach(async () => {
    world = await JobWorld.create();
  });
  afterEach(async () => {
    await world.dispose();
  });

  async function processFilesJob(args: string[] = []) {
    const code = await world.putFixture('code/process_files.py', 'process_files.py');
    await world.put('raw/2024/a.txt', 'alpha');
    await world.put('raw/2024/deep/b.txt', 'beta');
    await world.put('raw/2024-notes.txt', 'a sibling that shares the prefix');
    await world.put('single/only.txt', 'just one');
    await world.put('manifests/one.json', JSON.stringify([{ prefix: `s3://${BUCKET}/single/` }, 'only.txt']));
    return world.processing(
      'files',
      processingRequest(
        code,
        'process_files.py',
        ['--input', '/opt/ml/processing/input', '--output=/opt/ml/processing/output/result', ...args],
        {
          Environment: { SETTING: 'on', DATA_DIR: '/opt/ml/processing/input/data' },
          ProcessingInputs: [
            {
              InputName: 'data',
              S3Input: {
                S3Uri: `s3://${BUCKET}/raw/2024`,
                LocalPath: '/opt/ml/processing/input/data',
                S3DataType: 'S3Prefix',
              },
            },
            {
              InputName: 'one',
              S3Input: {
                S3Uri: `s3://${BUCKET}/manifests/one.json`,
                LocalPath: '/opt/ml/processing/input/one',
                S3DataType: 'ManifestFile',
              },
            },
          ],
          ProcessingOutputConfig: {
            Outputs: [
              {
                OutputName: 'result',
                S3Output: {
                  S3Uri: `s3://${BUCKET}/out/result`,
                  LocalPath: '/opt/ml/processing/output/result',
                  S3UploadMode: 'EndOfJob',
                },
              },
            ],
          },
        },
      ),
    );
  }

  it('stages inputs, maps /opt/ml in arguments and environment, writes config files, uploads outputs', async () => {
    const spec = await processFilesJob();
    const result = await runner.run(spec, world.store);
    expect(result.failureReason).toBeUndefined();
    expect(result).toMatchObject({ status: 'Completed', exitMessage: 'processed 5 file(s)' });
    const summary = JSON.parse((await world.get(`s3://${BUCKET}/out/result/summary.json`))!);
    expect(summary).toMatchObject({
      // S3Prefix keeps paths relative to the prefix (a sibling match keeps its name); a manifest lists its objects.
      files: ['code/process_files.py', 'data/2024-notes.txt', 'data/a.txt', 'data/deep/b.txt', 'one/only.txt'],
      job_name: spec.jobName,
      current_host: 'algo-1',
      env_setting: 'on',
      env_data_dir: join(spec.workDir, 'opt/ml/processing/input/data'),
      input_arg: join(spec.workDir, 'opt/ml/processing/input'),
      aws_region: 'us-east-1',
      leaked_secret: null,
    });
    expect(await world.get(`s3://${BUCKET}/out/result/copies/data/deep/b.txt`)).toBe('beta');
    // Symbolic links are not followed.
    expect(await world.get(`s3://${BUCKET}/out/result/link-to-outside`)).toBeUndefined();
    const config = JSON.parse(await readFile(join(spec.workDir, 'opt/ml/config/processingjobconfig.json'), 'utf8'));
    expect(config).toMatchObject({
      ProcessingJobArn: spec.jobArn,
      ProcessingJobName: spec.jobName,
      RoleArn: spec.request.RoleArn,
    });
    const resources = JSON.parse(await readFile(join(spec.workDir, 'opt/ml/config/resourceconfig.json'), 'utf8'));
    expect(resources).toEqual({
      current_host: 'algo-1',
      hosts: ['algo-1'],
      network_interface_name: 'eth0',
      current_instance_type: 'ml.m5.xlarge',
    });
    expect(await readFile(spec.logFile, 'utf8')).toMatch(
      /output result: 6 file\(s\) from \/opt\/ml\/processing\/output\/result/,
    );
  });

  it('runs a script that hard-codes /opt/ml paths, as SDK examples do', async () => {
    const code = await world.putFixture('code/hardcoded_paths.py', 'hardcoded_paths.py');
    await world.put('texts/a.txt', 'alpha');
    await world.put('texts/b.txt', 'beta');
    const request = processingRequest(code, 'hardcoded_paths.py', [], {
      Environment: { PYTHONPATH: '/opt/ml/processing/input/code' },
      ProcessingInputs: [
        {
          InputName: 'data',
          S3Input: {
            S3Uri: `s3://${BUCKET}/texts/`,
            LocalPath: '/opt/ml/processing/input/data',
            S3DataType: 'S3Prefix',
          },
        },
      ],
      ProcessingOutputConfig: {
        Outputs: [
          {
            OutputName: 'result',
            S3Output: {
              S3Uri: `s3://${BUCKET}/joined`,
              LocalPath: '/opt/ml/processing/output/result',
              S3UploadMode: 'EndOfJob',
            },
          },
        ],
      },
    });
    const result = await runner.run(world.processing('hardcoded', request), world.store);
    expect(result.failureReason).toBeUndefined();
    expect(result.exitMessage).toBe('joined 2 file(s)');
    expect(await world.get(`s3://${BUCKET}/joined/nested/joined.txt`)).toBe('alpha+beta');
  });

  it('uploads nothing on a non-zero exit, and still reports the exit message', async () => {
    const spec = await processFilesJob(['--fail-with', '3']);
    const result = await runner.run(spec, world.store);
    expect(result.status).toBe('Failed');
    expect(result.exitMessage).toBe('failed on purpose');
    expect(result.failureReason).toMatch(
      /^AlgorithmError: exit code 3; the last lines of stderr:\nsomething went wrong in process_files\.py$/,
    );
    expect(await world.store.list(BUCKET, 'out/')).toEqual([]);
  });

  it('fails a LocalPath outside /opt/ml/processing with a message naming the field', async () => {
    const request = processingRequest(await world.put('code/x.py', ''), 'x.py', [], {
      ProcessingInputs: [
        {
          InputName: 'bad',
          S3Input: { S3Uri: `s3://${BUCKET}/code/x.py`, LocalPath: '/etc/data', S3DataType: 'S3Prefix' },
        },
      ],
    });
    const result = await runner.run(world.processing('bad', request), world.store);
    expect(result.status).toBe('Failed');
    expect(result.failureReason).toBe(
      'ClientError: bad-1: ProcessingInputs[1].S3Input.LocalPath must be under /opt/ml/processing/, got "/etc/data": use a folder such as /opt/ml/processing/input/data',
    );
  });

  it('says the command could not start when the entrypoint does not exist', async () => {
    const request = processingRequest(await world.put('code/x.py', ''), 'x.py', []);
    request.AppSpecification!.ContainerEntrypoint = ['no-such-command-anywhere'];
    const result = await runner.run(world.processing('nocmd', request), world.store);
    expect(result.failureReason).toMatch(/^ClientError: could not start no-such-command-anywhere: .*ENOENT/);
  });
});

describe('planProcessingJob', () => {
  const base = processingRequest('s3://bkt/code', 'x.py', ['--a', '1']);

  it('needs a ContainerEntrypoint, since the image’s ENTRYPOINT cannot run without Docker', () => {
    expect(() => planProcessingJob({ ...base, AppSpecification: { ImageUri: 'x:1' } }, 'job')).toThrow(
      /job: AppSpecification\.ContainerEntrypoint is missing, so the image’s own ENTRYPOINT would run, which the local runner does not support/,
    );
  });

  it.each([
    ['/opt/ml/processing', /must be under \/opt\/ml\/processing\//],
    ['opt/ml/processing/x', /must be an absolute path/],
    ['/opt/ml/processing/../x', /must not contain "\.\." segments/],
  ])('refuses LocalPath %s', (localPath, message) => {
    const request = {
      ...base,
      ProcessingInputs: [
        { InputName: 'x', S3Input: { S3Uri: 's3://bkt/k', LocalPath: localPath, S3DataType: 'S3Prefix' as const } },
      ],
    };
    expect(() => planProcessingJob(request, 'job')).toThrow(message);
  });

  it.each([
    [{ S3InputMode: 'Pipe' as const }, /S3InputMode is Pipe, which the local runner does not support/],
    [{ S3CompressionType: 'Gzip' as const }, /S3CompressionType is Gzip/],
  ])('refuses input options it cannot honour: %j', (option, message) => {
    const request = {
      ...base,
      ProcessingInputs: [
        {
          InputName: 'x',
          S3Input: {
            S3Uri: 's3://bkt/k',
            LocalPath: '/opt/ml/processing/x',
            S3DataType: 'S3Prefix' as const,
            ...option,
          },
        },
      ],
    };
    expect(() => planProcessingJob(request, 'job')).toThrow(message);
  });

  it('lists the command, inputs and outputs', () => {
    expect(planProcessingJob(base, 'job')).toEqual({
      argv: ['python3', '/opt/ml/processing/input/code/x.py', '--a', '1'],
      inputs: [
        {
          name: 'code',
          field: 'ProcessingInputs[0].S3Input',
          s3Uri: 's3://bkt/code',
          dataType: 'S3Prefix',
          localPath: '/opt/ml/processing/input/code',
        },
      ],
      outputs: [],
    });
  });
});
