import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { extractTarGz } from '../../src/archive/index.js';
import { TrainingRunner, planTrainingJob } from '../../src/runners/index.js';
import { JOB_STARTUP_DIR } from '../../src/runners/container-environment.js';
import { BUCKET, JobWorld, processingRequest, runnerOptions, trainingRequest } from './job-fixtures.js';
import { describeRunnerContract } from './runner-contract.js';
import { writeRawTarGz } from '../archive/tar-builder.js';

describeRunnerContract({
  name: 'TrainingRunner',
  makeRunner: () => new TrainingRunner(runnerOptions()),
  async completing(world) {
    await world.put('src/hello/train.py', 'print("hello from the job")\n');
    const dir = await world.putSourceDirFromStore('src/hello/', 'code/hello.tar.gz');
    return world.training('hello', trainingRequest(dir, 'train.py'));
  },
  async crashing(world) {
    return world.training(
      'crash',
      trainingRequest(await world.putSourceDir('code/crash.tar.gz', ['crash.py']), 'crash.py'),
    );
  },
  async slow(world, { signal, maxRuntimeSeconds }) {
    const dir = await world.putSourceDir('code/slow.tar.gz', ['slow.py']);
    const request = trainingRequest(
      dir,
      'slow.py',
      maxRuntimeSeconds ? { StoppingCondition: { MaxRuntimeInSeconds: maxRuntimeSeconds } } : {},
      { 'pid-file': '"/opt/ml/model/slow.pid"' },
    );
    const spec = world.training('slow', request, signal);
    return { spec, pidFile: join(spec.workDir, 'opt/ml/model/slow.pid') };
  },
  async unsupportedImage(world) {
    const request = trainingRequest(await world.putSourceDir('code/x.tar.gz', ['helper.py']), 'helper.py', {
      AlgorithmSpecification: {
        TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.13-cpu-py310',
        TrainingInputMode: 'File',
      },
    });
    return world.training('torch', request);
  },
  async missingInput(world) {
    const dir = await world.putSourceDir('code/x.tar.gz', ['helper.py']);
    return world.training(
      'missing',
      trainingRequest(dir, 'helper.py', {
        InputDataConfig: [
          {
            ChannelName: 'train',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/nothing-here/` } },
          },
        ],
      }),
    );
  },
  otherKind: (world) => world.processing('proc', processingRequest('s3://slipway-test/code/', 'x.py', [])),
});

describe('TrainingRunner', () => {
  let world: JobWorld;
  const runner = new TrainingRunner(runnerOptions());
  beforeEach(async () => {
    world = await JobWorld.create();
  });
  afterEach(async () => {
    await world.dispose();
  });

  async function echoJob(extra: Parameters<typeof trainingRequest>[2] = {}) {
    const dir = await world.putSourceDir('code/echo/sourcedir.tar.gz', ['train_echo.py', 'helper.py']);
    await world.put('data/train/part-1.csv', 'a,1\n');
    await world.put('data/train/nested/part-2.csv', 'b,2\n');
    await world.put('data/validation.csv', 'c,3\n');
    return world.training(
      'echo',
      trainingRequest(
        dir,
        'train_echo.py',
        {
          AlgorithmSpecification: {
            TrainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway-test:latest',
            TrainingInputMode: 'File',
            MetricDefinitions: [
              { Name: 'validation:accuracy', Regex: 'validation_accuracy=([0-9.]+)' },
              { Name: 'train:loss', Regex: 'train_loss: ([0-9.]+)' },
              { Name: 'never:seen', Regex: 'nothing=([0-9]+)' },
            ],
          },
          InputDataConfig: [
            {
              ChannelName: 'train',
              ContentType: 'text/csv',
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/train/` } },
            },
            {
              ChannelName: 'validation',
              DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/data/validation.csv` } },
            },
          ],
          Environment: { CUSTOM: 'value at /opt/ml/model' },
          ...extra,
        },
        {
          epochs: '10',
          'learning-rate': '0.001',
          c: '4.0',
          name: '"tf-idf"',
          flag: 'true',
          tiny: '1e-05',
          layers: '[64, 32]',
          opts: '{"b": 2, "a": "x"}',
        },
      ),
    );
  }

  async function received(uri: string, dir: string): Promise<Record<string, unknown>> {
    const archive = join(dir, 'model.tar.gz');
    await mkdir(dir, { recursive: true });
    await writeFile(archive, (await world.store.get(BUCKET, uri.replace(`s3://${BUCKET}/`, '')))!);
    await extractTarGz(archive, join(dir, 'model'));
    return JSON.parse(await readFile(join(dir, 'model', 'received.json'), 'utf8')) as Record<string, unknown>;
  }

  it('gives the script the toolkit’s arguments, SM_* variables and config files, and packs the model', async () => {
    const spec = await echoJob();
    const result = await runner.run(spec, world.store);
    expect(result.failureReason).toBeUndefined();
    expect(result.status).toBe('Completed');
    expect(result.modelArtifactsS3Uri).toBe(`s3://${BUCKET}/models/${spec.jobName}/output/model.tar.gz`);
    const got = await received(result.modelArtifactsS3Uri!, join(world.root, 'check'));
    const ml = join(spec.workDir, 'opt/ml');
    // Keys sorted, `-c` for a one-letter key, values as Python's str(): 4.0 stays 4.0, true is True.
    expect(got.argv).toEqual([
      '-c',
      '4.0',
      '--epochs',
      '10',
      '--flag',
      'True',
      '--layers',
      '[64, 32]',
      '--learning-rate',
      '0.001',
      '--name',
      'tf-idf',
      '--opts',
      'a=x,b=2',
      '--tiny',
      '1e-05',
    ]);
    const env = got.env as Record<string, string>;
    expect(env).toMatchObject({
      SM_MODEL_DIR: `${ml}/model`,
      SM_CHANNELS: '["train","validation"]',
      SM_CHANNEL_TRAIN: `${ml}/input/data/train`,
      SM_CHANNEL_VALIDATION: `${ml}/input/data/validation`,
      SM_HPS:
        '{"c":4.0,"epochs":10,"flag":true,"layers":[64,32],"learning-rate":0.001,"name":"tf-idf","opts":{"a":"x","b":2},"tiny":1e-05}',
      SM_HP_EPOCHS: '10',
      'SM_HP_LEARNING-RATE': '0.001',
      SM_HP_C: '4.0',
      SM_HP_NAME: 'tf-idf',
      SM_USER_ARGS: JSON.stringify(got.argv),
      SM_OUTPUT_DATA_DIR: `${ml}/output/data`,
      SM_OUTPUT_DIR: `${ml}/output`,
      SM_INPUT_CONFIG_DIR: `${ml}/input/config`,
      SM_NUM_CPUS: String(cpus().length),
      SM_NUM_GPUS: '0',
      SM_CURRENT_HOST: 'algo-1',
      SM_HOSTS: '["algo-1"]',
      SM_USER_ENTRY_POINT: 'train_echo.py',
      SM_MODULE_NAME: 'train_echo',
      SM_MODULE_DIR: `s3://${BUCKET}/code/echo/sourcedir.tar.gz`,
      SM_LOG_LEVEL: '20',
      SM_FRAMEWORK_PARAMS: '{}',
      TRAINING_JOB_NAME: spec.jobName,
      AWS_REGION: 'us-east-1',
      CUSTOM: `value at ${ml}/model`,
      PYTHONPATH: `${JOB_STARTUP_DIR}:${ml}/code`,
    });
    const trainingEnv = JSON.parse(env.SM_TRAINING_ENV!) as Record<string, unknown>;
    expect(trainingEnv).toMatchObject({
      job_name: spec.jobName,
      hyperparameters: { epochs: 10, c: 4 },
      current_host: 'algo-1',
      num_gpus: 0,
    });
    expect(got.cwd).toBe(`${ml}/code`);
    expect(got.helper).toBe('helper module from the source directory');
    expect(got.channels).toEqual({ train: ['nested/part-2.csv', 'part-1.csv'], validation: ['validation.csv'] });
    // hyperparameters.json exactly as given: JSON-encoded strings.
    expect(got['hyperparameters.json']).toEqual(spec.request.HyperParameters);
    expect(got['inputdataconfig.json']).toEqual({
      train: {
        ContentType: 'text/csv',
        RecordWrapperType: 'None',
        S3DistributionType: 'FullyReplicated',
        TrainingInputMode: 'File',
      },
      validation: { RecordWrapperType: 'None', S3DistributionType: 'FullyReplicated', TrainingInputMode: 'File' },
    });
    expect(got['resourceconfig.json']).toMatchObject({
      current_host: 'algo-1',
      hosts: ['algo-1'],
      current_instance_type: 'ml.m5.large',
    });
    // Metrics: the last value of each, in MetricDefinitions order; a metric never printed is absent.
    expect(result.finalMetricDataList?.map(({ MetricName, Value }) => [MetricName, Value])).toEqual([
      ['validation:accuracy', 0.875],
      ['train:loss', 0.25],
    ]);
    expect(await world.store.head(BUCKET, `models/${spec.jobName}/output/output.tar.gz`)).toBeDefined();
    await expect(readFile(join(ml, 'output/success'), 'utf8')).resolves.toBe('');
  });

  it('reports the script’s /opt/ml/output/failure as FailureReason, with its metrics so far', async () => {
    const dir = await world.putSourceDir('code/fails.tar.gz', ['train_fails.py']);
    const spec = world.training(
      'fails',
      trainingRequest(dir, 'train_fails.py', {
        AlgorithmSpecification: {
          TrainingImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway-test:latest',
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'acc', Regex: 'validation_accuracy=([0-9.]+)' }],
        },
      }),
    );
    const result = await runner.run(spec, world.store);
    expect(result).toMatchObject({
      status: 'Failed',
      failureReason: 'AlgorithmError: Training data has only one class; need at least two, exit code: 1',
    });
    expect(result.finalMetricDataList?.[0]).toMatchObject({ MetricName: 'acc', Value: 0.25 });
    expect(result.modelArtifactsS3Uri).toBeUndefined();
    expect(await world.store.list(BUCKET, 'models/')).toEqual([]);
  });

  it('writes the toolkit’s ExecuteUserScriptError to /opt/ml/output/failure when the script did not', async () => {
    const spec = world.training(
      'crash',
      trainingRequest(await world.putSourceDir('code/crash.tar.gz', ['crash.py']), 'crash.py'),
    );
    const result = await runner.run(spec, world.store);
    expect(result.failureReason).toMatch(/^AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "…/);
    expect(result.failureReason).toMatch(/boom: the last words of crash\.py"\nCommand ".* crash\.py", exit code: 1$/);
    const written = await readFile(join(spec.workDir, 'opt/ml/output/failure'), 'utf8');
    expect(written).toMatch(/^ExecuteUserScriptError:\nExitCode 1\nErrorMessage "/);
  });

  it('refuses a source directory that would write outside /opt/ml/code, naming the entry', async () => {
    const archive = join(world.root, 'evil.tar.gz');
    await writeRawTarGz(archive, [
      { path: 'train.py', body: 'print(1)' },
      { path: '../../escape.py', body: 'x' },
    ]);
    await world.store.putFile(BUCKET, 'code/evil.tar.gz', archive);
    const result = await runner.run(
      world.training('evil', trainingRequest(`s3://${BUCKET}/code/evil.tar.gz`, 'train.py')),
      world.store,
    );
    expect(result.status).toBe('Failed');
    expect(result.failureReason).toMatch(
      /^ClientError: .*sagemaker_submit_directory s3:\/\/slipway-test\/code\/evil\.tar\.gz: entry "\.\.\/\.\.\/escape\.py" has a "\.\." path segment/,
    );
  });

  it('says when sagemaker_program is not in the source directory', async () => {
    const result = await runner.run(
      world.training('nope', trainingRequest(await world.putSourceDir('code/h.tar.gz', ['helper.py']), 'train.py')),
      world.store,
    );
    expect(result.failureReason).toMatch(
      /HyperParameters\.sagemaker_program names "train\.py", which is not in the source directory s3:\/\/slipway-test\/code\/h\.tar\.gz/,
    );
  });

  it('does not install a requirements.txt into a runtime that is an interpreter as it is, and says so', async () => {
    await world.put('src/req/train.py', 'print("hello")\n');
    await world.put('src/req/requirements.txt', 'requests==2.31.0\n');
    const spec = world.training(
      'req',
      trainingRequest(await world.putSourceDirFromStore('src/req/', 'code/req.tar.gz'), 'train.py'),
    );
    expect((await runner.run(spec, world.store)).status).toBe('Completed');
    expect(await readFile(spec.logFile, 'utf8')).toMatch(
      /\[slipway\] code: requirements\.txt found, not installed: the runtime host-python uses its interpreter as it is/,
    );
  });
});

describe('planTrainingJob', () => {
  const request = trainingRequest('s3://bkt/code.tar.gz', 'train.py');

  it('puts the model under <S3OutputPath>/<job>/output whether or not the path ends in "/"', () => {
    expect(
      planTrainingJob({ ...request, OutputDataConfig: { S3OutputPath: 's3://bkt/models/' } }, 'job-1').outputPrefix,
    ).toBe('s3://bkt/models/job-1/output');
    expect(planTrainingJob({ ...request, OutputDataConfig: { S3OutputPath: 's3://bkt' } }, 'job-1').outputPrefix).toBe(
      's3://bkt/job-1/output',
    );
  });

  it.each([
    [
      { HyperParameters: { sagemaker_program: '5' } },
      /HyperParameters\.sagemaker_program is "5", not a file or module name/,
    ],
    [
      { HyperParameters: { sagemaker_program: '"t.py"', sagemaker_submit_directory: '"/local/dir"' } },
      /sagemaker_submit_directory is "\/local\/dir", not an s3:\/\/ tar\.gz/,
    ],
    [
      {
        InputDataConfig: [
          {
            ChannelName: 'a',
            InputMode: 'Pipe' as const,
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: 's3://bkt/a' } },
          },
        ],
      },
      /InputDataConfig\[0\]\.InputMode is Pipe/,
    ],
    [
      {
        InputDataConfig: [
          {
            ChannelName: 'a b',
            DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: 's3://bkt/a' } },
          },
        ],
      },
      /ChannelName must be a unique name/,
    ],
    [
      { AlgorithmSpecification: { TrainingInputMode: 'File' as const, MetricDefinitions: [] } },
      /AlgorithmSpecification\.TrainingImage is required/,
    ],
  ])('refuses what it cannot run: %j', (change, message) => {
    expect(() => planTrainingJob({ ...request, ...change }, 'job')).toThrow(message);
  });
});
