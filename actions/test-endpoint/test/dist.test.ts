import { expect, it } from '@jest/globals';
import { join } from 'node:path';
import { loadLabelledSamples } from '@slipway/deploy-pipeline';
import { REPO_ROOT, describeWithMoto } from '../../../deploy-pipeline/test/support/moto-server.js';
import { answersFor, queueEndpointAnswers } from '../../../deploy-pipeline/test/support/moto-runtime.js';
import { runAction } from '../../../test/support/run-action.js';

const BUNDLE = join(REPO_ROOT, 'actions', 'test-endpoint', 'dist', 'index.js');
const samples = loadLabelledSamples(join(REPO_ROOT, 'deploy-pipeline', 'test-data', 'endpoint-samples.jsonl'));

/** The committed bundle, run as the runner runs it, against moto's SageMaker Runtime. */
describeWithMoto('test-endpoint dist/index.js as the runner runs it (against moto)', (server) => {
  const env = () => ({
    AWS_ENDPOINT_URL: server().url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });

  it('passes, sets the outputs and writes the summary table', async () => {
    await queueEndpointAnswers(server(), answersFor(samples));
    const run = await runAction(BUNDLE, { stage: 'staging', backend: 'aws' }, { cwd: REPO_ROOT, env: env() });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ passed: 'true', accuracy: '1.0000' });
    expect(Number(run.outputs['p95-ms'])).toBeGreaterThan(0);
    expect(run.summary).toMatch(/<h3>Endpoint tests: staging \(sentiment-staging\) passed<\/h3>/);
    expect(run.summary).toMatch(/<td>Accuracy<\/td><td>100\.0% \(30\/30\)<\/td><td>≥ 70\.0%<\/td><td>pass<\/td>/);
    expect(run.summary).toMatch(/<td>Latency p95<\/td>/);
  });

  it("fails the job below the stage's minimum accuracy", async () => {
    // moto answers a request body it has seen before with the same result, so this run uses another file.
    const marked = samples.map((sample) => ({ ...sample, text: `again: ${sample.text}` }));
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'samples-')), 'samples.jsonl');
    writeFileSync(file, marked.map((sample) => JSON.stringify(sample)).join('\n'));
    await queueEndpointAnswers(
      server(),
      answersFor(
        marked,
        marked.map(() => 'positive'),
      ),
    );
    const run = await runAction(
      BUNDLE,
      { stage: 'staging', backend: 'aws', samples: file },
      { cwd: REPO_ROOT, env: env() },
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['The staging endpoint failed its tests: Accuracy 33.3% is below the minimum 70.0%']);
    expect(run.outputs.passed).toBe('false');
    expect(run.summary).toMatch(/FAILED[\s\S]*<td>FAIL<\/td>/);
  });
});
