import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrainingRunner } from '../../src/runners/index.js';
import { startModelServer, type ModelServer } from '../../src/serving/index.js';
import { BUCKET, JobWorld, SKLEARN_IMAGE, runnerOptions, trainingRequest } from '../runners/job-fixtures.js';

const SENTIMENT = fileURLToPath(new URL('../fixtures/sentiment/', import.meta.url));

// The real scikit-learn 1.2-1 runtime: a training job in script mode, then its model.tar.gz behind the server.
describe('scikit-learn 1.2-1: train in script mode, then serve the model', () => {
  let world: JobWorld;
  let server: ModelServer | undefined;
  let modelUri: string | undefined;
  let accuracy: number | undefined;

  beforeAll(async () => {
    world = await JobWorld.create();
    for (const [name, rows, seed] of [
      ['train', 600, 1],
      ['validation', 150, 2],
    ] as const) {
      const file = join(world.root, `${name}.csv`);
      execFileSync(process.env.SLIPWAY_PYTHON ?? 'python3', [
        join(SENTIMENT, 'make_reviews.py'),
        file,
        String(rows),
        String(seed),
      ]);
      await world.store.putFile(BUCKET, `data/${name}/${name}.csv`, file);
    }
    for (const name of ['train.py', 'inference.py'])
      await world.put(`src/sentiment/${name}`, await readFile(join(SENTIMENT, name), 'utf8'));
    const sourceDir = await world.putSourceDirFromStore('src/sentiment/', 'code/sentiment.tar.gz');
    const request = trainingRequest(
      sourceDir,
      'train.py',
      {
        AlgorithmSpecification: {
          TrainingImage: SKLEARN_IMAGE,
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'validation:accuracy', Regex: 'validation_accuracy=([0-9.]+)' }],
        },
        InputDataConfig: ['train', 'validation'].map((name) => ({
          ChannelName: name,
          DataSource: { S3DataSource: { S3DataType: 'S3Prefix' as const, S3Uri: `s3://${BUCKET}/data/${name}/` } },
        })),
      },
      { 'max-features': '5000', regularization: '4.0' },
    );
    const spec = world.training('sentiment', request);
    const result = await new TrainingRunner(runnerOptions()).run(spec, world.store);
    if (result.status !== 'Completed')
      throw new Error(`training failed: ${result.failureReason}\n${await readFile(spec.logFile, 'utf8')}`);
    modelUri = result.modelArtifactsS3Uri;
    accuracy = result.finalMetricDataList?.[0]?.Value;
  }, 10 * 60_000);

  afterAll(async () => {
    await server?.stop();
    await world.dispose();
  });

  it('trains with the container’s packages and reports validation:accuracy', () => {
    expect(modelUri).toMatch(/^s3:\/\/slipway-test\/models\/sentiment-\d+\/output\/model\.tar\.gz$/);
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it('serves model.tar.gz with code/inference.py handlers: JSON and CSV in and out, bad input a 400', async () => {
    const archive = join(world.root, 'model.tar.gz');
    await writeFile(archive, (await world.store.get(BUCKET, modelUri!.replace(`s3://${BUCKET}/`, '')))!);
    server = await startModelServer({
      modelTarGz: archive,
      image: SKLEARN_IMAGE,
      environment: { SAGEMAKER_PROGRAM: 'inference.py', SAGEMAKER_SUBMIT_DIRECTORY: '/opt/ml/model/code' },
      runtimes: runnerOptions().runtimes,
    });
    const post = async (body: string, contentType: string, accept: string) => {
      const response = await fetch(`${server!.url}/invocations`, {
        method: 'POST',
        body,
        headers: { 'Content-Type': contentType, Accept: accept },
      });
      return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
    };
    const json = await post(
      JSON.stringify({ instances: ['Excellent blender, love it, works well'] }),
      'application/json',
      'application/json',
    );
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text).predictions[0].label).toBe('positive');
    const csv = await post('"Broken and terrible, waste of money"\nIt is okay, average\n', 'text/csv', 'text/csv');
    expect(csv).toEqual({ status: 200, text: 'negative\nneutral\n', type: 'text/csv' });
    const bad = await post('{"instances": [', 'application/json', 'application/json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)['error-message']).toMatch(/Expecting value|Expecting/);
    expect((await post('"fine"', 'application/json', 'application/json')).status).toBe(200);
  }, 60_000);
});
