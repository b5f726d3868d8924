import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { extractTarGz } from '../../src/archive/index.js';
import { TrainingRunner } from '../../src/runners/index.js';
import { countGpus } from '../../src/runners/gpus.js';
import { RuntimeManager } from '../../src/runtimes/index.js';
import { makeWheel } from '../support/wheel.js';
import { BUCKET, JobWorld, SKLEARN_IMAGE, runnerOptions, trainingRequest } from './job-fixtures.js';

const run = promisify(execFile);
const XGBOOST_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
/** Building a runtime the first time downloads its wheels. */
const FIRST_BUILD_MS = 15 * 60_000;

let world: JobWorld;
const runner = new TrainingRunner(runnerOptions());
beforeAll(async () => {
  world = await JobWorld.create();
});
afterAll(async () => {
  await world.dispose();
});

describe('the training toolkit’s requirements.txt, on a real runtime', () => {
  it(
    'installs it at start, layered on the runtime without changing it, offline, and reuses it for the next job',
    async () => {
      const prefix = 'src/requirements/';
      await world.put(
        `${prefix}train.py`,
        'import json, os, pandas, slipway_probe\n' +
          'print("probe", slipway_probe.VALUE, "pandas", pandas.__version__)\n' +
          'json.dump({"probe": slipway_probe.VALUE}, open(os.path.join(os.environ["SM_MODEL_DIR"], "m.json"), "w"))\n',
      );
      // A requirement the runtime has (pandas) and one only a local wheel in the source dir has: no index needed.
      await world.put(`${prefix}requirements.txt`, '--find-links wheels\npandas==1.5.0\nslipway-probe==1.0\n');
      const wheels = join(world.root, 'wheels');
      await makeWheel(wheels, 'slipway_probe', '1.0', 'VALUE = 42\n');
      const [wheel] = await readdir(wheels);
      await world.store.putFile(BUCKET, `${prefix}wheels/${wheel}`, join(wheels, wheel!));
      const dir = await world.putSourceDirFromStore(prefix, 'code/requirements.tar.gz');
      const request = trainingRequest(dir, 'train.py', {
        AlgorithmSpecification: { TrainingImage: SKLEARN_IMAGE, TrainingInputMode: 'File' },
        // No index: pip must do with the runtime's packages and the wheel.
        Environment: { PIP_INDEX_URL: 'http://127.0.0.1:9/simple' },
      });

      const first = world.training('req-1', request);
      const result = await runner.run(first, world.store);
      const log = await readFile(first.logFile, 'utf8');
      expect(result.failureReason).toBeUndefined();
      expect(log).toContain('code: requirements.txt found; installing it as the training toolkit does (pip)');
      expect(log).toContain('probe 42 pandas 1.5.0');

      const second = world.training('req-2', request);
      expect((await runner.run(second, world.store)).status).toBe('Completed');
      const secondLog = await readFile(second.logFile, 'utf8');
      expect(secondLog).not.toMatch(/building the local runtime/);
      expect(secondLog).toContain('probe 42');

      // The shared runtime itself never got the job's package.
      const runtime = await runnerOptions().runtimes.resolve(SKLEARN_IMAGE);
      await expect(run(runtime.python, ['-c', 'import slipway_probe'])).rejects.toThrow(/No module named/);
    },
    FIRST_BUILD_MS,
  );

  it('refuses a job without a script on an image that has no algorithm, saying what to do', async () => {
    const request = trainingRequest('unused', 'unused', {
      AlgorithmSpecification: { TrainingImage: SKLEARN_IMAGE, TrainingInputMode: 'File' },
    });
    request.HyperParameters = { max_depth: '3' };
    const result = await runner.run(world.training('no-script', request), world.store);
    expect(result.status).toBe('Failed');
    expect(result.failureReason).toMatch(
      /^ClientError: .*HyperParameters\.sagemaker_program is missing, so the image's own training program would run, and the local runtime sklearn-1\.2-1 has none/,
    );
  });
});

describe('XGBoost’s built-in algorithm (no script)', () => {
  async function regressionData(): Promise<{ train: string; validation: string }> {
    // y = 3 x0 - 2 x1 + noise, label first, no header, as the algorithm reads text/csv.
    const rows = (count: number, seed: number) =>
      Array.from({ length: count }, (_, i) => {
        const x0 = ((i * 37 + seed) % 100) / 10;
        const x1 = ((i * 53 + seed * 7) % 100) / 10;
        const y = 3 * x0 - 2 * x1 + (((i * 11) % 7) - 3) / 10;
        return `${y.toFixed(3)},${x0},${x1}`;
      }).join('\n') + '\n';
    return {
      train: await world.put('xgb/train/train.csv', rows(400, 1)),
      validation: await world.put('xgb/validation/validation.csv', rows(100, 5)),
    };
  }

  function algorithmRequest(data: { train: string; validation: string }, hyperparameters: Record<string, string>) {
    return {
      AlgorithmSpecification: { TrainingImage: XGBOOST_IMAGE, TrainingInputMode: 'File' as const },
      HyperParameters: hyperparameters,
      InputDataConfig: [
        {
          ChannelName: 'train',
          ContentType: 'text/csv',
          DataSource: {
            S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: data.train.replace(/train\.csv$/, '') },
          },
        },
        {
          ChannelName: 'validation',
          ContentType: 'text/csv',
          DataSource: {
            S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: data.validation.replace(/validation\.csv$/, '') },
          },
        },
      ],
      OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/xgb-models` },
      ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large' as const, VolumeSizeInGB: 30 },
      RoleArn: 'arn:aws:iam::000000000000:role/test',
      StoppingCondition: { MaxRuntimeInSeconds: 600 },
    };
  }

  it(
    'trains from text/csv, logs validation:rmse as the algorithm names it, and writes xgboost-model',
    async () => {
      const data = await regressionData();
      const spec = world.training(
        'xgb',
        algorithmRequest(data, { objective: 'reg:squarederror', num_round: '30', max_depth: '3', eta: '0.3' }),
      );
      const result = await runner.run(spec, world.store);
      const log = await readFile(spec.logFile, 'utf8');
      expect(result.failureReason).toBeUndefined();
      expect(log).toMatch(/no script: the image's own training program runs \(xgboost-1\.7-1's built-in algorithm\)/);
      expect(log).toMatch(/\[29\]#011train-rmse:[\d.]+#011validation-rmse:[\d.]+/);
      const metrics = Object.fromEntries(result.finalMetricDataList!.map((m) => [m.MetricName, m.Value]));
      expect(Object.keys(metrics).sort()).toEqual(['train:rmse', 'validation:rmse']);
      expect(metrics['validation:rmse']).toBeLessThan(2);
      const check = join(world.root, 'xgb-check');
      await mkdir(check, { recursive: true });
      await writeFile(
        join(check, 'model.tar.gz'),
        (await world.store.get(BUCKET, result.modelArtifactsS3Uri!.replace(`s3://${BUCKET}/`, '')))!,
      );
      await extractTarGz(join(check, 'model.tar.gz'), join(check, 'model'));
      expect(await readdir(join(check, 'model'))).toEqual(['xgboost-model']);
    },
    FIRST_BUILD_MS,
  );

  it(
    'runs script mode on the same image when the job has a script',
    async () => {
      await world.put(
        'src/xgb-script/train.py',
        'import argparse, os, numpy, xgboost\n' +
          'parser = argparse.ArgumentParser()\n' +
          'parser.add_argument("--num_round", type=int)\n' +
          'args = parser.parse_args()\n' +
          'x = numpy.random.default_rng(0).random((50, 2))\n' +
          'booster = xgboost.train({}, xgboost.DMatrix(x, label=x[:, 0]), args.num_round)\n' +
          'booster.save_model(os.path.join(os.environ["SM_MODEL_DIR"], "xgboost-model"))\n' +
          'print("script mode with xgboost", xgboost.__version__, "framework", os.environ["SM_FRAMEWORK_MODULE"])\n',
      );
      const dir = await world.putSourceDirFromStore('src/xgb-script/', 'code/xgb-script.tar.gz');
      const spec = world.training(
        'xgb-script',
        trainingRequest(
          dir,
          'train.py',
          { AlgorithmSpecification: { TrainingImage: XGBOOST_IMAGE, TrainingInputMode: 'File' } },
          { num_round: '3' },
        ),
      );
      const result = await runner.run(spec, world.store);
      expect(result.failureReason).toBeUndefined();
      expect(await readFile(spec.logFile, 'utf8')).toContain(
        'script mode with xgboost 1.7.6 framework sagemaker_xgboost_container.training:main',
      );
    },
    FIRST_BUILD_MS,
  );

  it('fails a bad hyperparameter as a ClientError naming it', async () => {
    const data = await regressionData();
    const result = await runner.run(
      world.training('xgb-bad', algorithmRequest(data, { num_round: '5', max_dpeth: '3' })),
      world.store,
    );
    expect(result.status).toBe('Failed');
    expect(result.failureReason).toMatch(/^ClientError: Extraneous hyperparameter\(s\) found: max_dpeth\./);
  });
});

describe('SM_NUM_GPUS', () => {
  it('counts the GPUs nvidia-smi lists, and is 0 without nvidia-smi', async () => {
    const fake = join(world.root, 'nvidia-smi');
    await writeFile(
      fake,
      '#!/bin/sh\necho "GPU 0: NVIDIA H200 (UUID: GPU-1)"\necho "GPU 1: NVIDIA H200 (UUID: GPU-2)"\n',
    );
    await chmod(fake, 0o755);
    expect(await countGpus(fake)).toBe(2);
    expect(await countGpus(join(world.root, 'no-such-nvidia-smi'))).toBe(0);
  });
});

describe('a runtimes file entry’s trainingModule', () => {
  it('runs as the image’s own training program when a job gives no script', async () => {
    const modules = join(world.root, 'team-modules');
    await mkdir(modules, { recursive: true });
    await writeFile(
      join(modules, 'team_trainer.py'),
      'import json, os\n' +
        'def main():\n' +
        '    params = json.load(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")))\n' +
        '    json.dump(params, open(os.path.join(os.environ["SM_MODEL_DIR"], "params.json"), "w"))\n' +
        '    print("framework module", os.environ["SM_FRAMEWORK_MODULE"])\n' +
        '    return 0\n',
    );
    const file = join(world.root, 'runtimes.json');
    await writeFile(
      file,
      JSON.stringify({
        runtimes: [
          {
            name: 'team',
            images: ['*/team-trainer:*'],
            python: process.env.SLIPWAY_PYTHON ?? 'python3',
            trainingModule: 'team_trainer:main',
          },
        ],
      }),
    );
    const teamRunner = new TrainingRunner(runnerOptions({ runtimes: new RuntimeManager({ runtimesFile: file }) }));
    const request = trainingRequest('unused', 'unused', {
      AlgorithmSpecification: {
        TrainingImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team-trainer:3',
        TrainingInputMode: 'File',
      },
      Environment: { PYTHONPATH: modules },
    });
    request.HyperParameters = { depth: '4' };
    const spec = world.training('team', request);
    const result = await teamRunner.run(spec, world.store);
    const log = await readFile(spec.logFile, 'utf8');
    expect(result.failureReason).toBeUndefined();
    expect(log).toContain(
      "no script: the image's own training program runs (trainingModule team_trainer:main of team)",
    );
    expect(log).toContain('framework module team_trainer:main');
  });
});

describe('the Hugging Face training image', () => {
  it(
    'runs an estimator’s script with transformers and torch, and the image’s versions noted where they differ',
    async () => {
      const prefix = 'src/hf/';
      await world.put(
        `${prefix}train.py`,
        'import argparse, os, torch, transformers\n' +
          'parser = argparse.ArgumentParser()\n' +
          'parser.add_argument("--hidden", type=int)\n' +
          'args = parser.parse_args()\n' +
          'config = transformers.BertConfig(vocab_size=20, hidden_size=args.hidden, num_hidden_layers=1,\n' +
          '                                 num_attention_heads=2, intermediate_size=32, num_labels=3)\n' +
          'model = transformers.BertForSequenceClassification(config)\n' +
          'model.save_pretrained(os.environ["SM_MODEL_DIR"])\n' +
          'print("transformers", transformers.__version__, "torch", torch.__version__.split("+")[0])\n',
      );
      const dir = await world.putSourceDirFromStore(prefix, 'code/hf.tar.gz');
      const image =
        '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04';
      const spec = world.training(
        'hf',
        trainingRequest(
          dir,
          'train.py',
          { AlgorithmSpecification: { TrainingImage: image, TrainingInputMode: 'File' } },
          { hidden: '16' },
        ),
      );
      const result = await runner.run(spec, world.store);
      const log = await readFile(spec.logFile, 'utf8');
      expect(result.failureReason).toBeUndefined();
      expect(log).toContain('transformers 4.49.0 torch 2.5.1');
      expect(log).toContain(
        `[slipway] runtime huggingface-pytorch-4.49: the image ${image} has transformers 4.36.0; the local runtime huggingface-pytorch-4.49 runs transformers 4.49.0`,
      );
      expect(log).toMatch(/has torch 2\.1\.0; the local runtime huggingface-pytorch-4\.49 runs torch 2\.5\.1/);
    },
    FIRST_BUILD_MS,
  );
});
