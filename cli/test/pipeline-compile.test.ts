import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ROLE_ARN_ENV } from '@slipway/build-pipeline';
import { main } from '../src/index.js';
import { EXIT_CODES } from '../src/failure.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'build-pipeline', 'test', 'fixtures');
const PROJECT = join(FIXTURES, 'project');
const SEED = join(FIXTURES, 'seed');
const role = 'arn:aws:iam::123456789012:role/cli-test';

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await main(args, { stdout, stderr, cwd: PROJECT, env: {} });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

const withCode = ['--module', join(FIXTURES, 'modules', 'with-code.mjs'), '--seed', SEED];

describe('slipway pipeline compile', () => {
  it('prints the definition JSON, then the assets with key, SHA-256 and size', async () => {
    const { code, stdout, stderr } = await run(['pipeline', 'compile', ...withCode, '--role', role, '--assets']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const [json, assets] = stdout.split(/\n1 assets to upload:\n/);
    const definition = JSON.parse(json!);
    expect(definition.Steps.map((step: { Name: string }) => step.Name)).toEqual(['Preprocess']);
    expect(definition.Steps[0].Arguments.RoleArn).toBe(role);
    const sha = createHash('sha256')
      .update(readFileSync(join(SEED, 'preprocess.py')))
      .digest('hex');
    const size = readFileSync(join(SEED, 'preprocess.py')).byteLength;
    expect(assets!.trim().split('\n')[1]!.split(/\s+/)).toEqual([
      `golden-pipeline/code/${sha}/preprocess.py`,
      sha,
      String(size),
    ]);
  });

  it('writes the definition to --out and says where', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'slipway-cli-')), 'definition.json');
    const { code, stdout } = await run(['pipeline', 'compile', ...withCode, '--role', role, '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Wrote .*definition\.json: pipeline golden-pipeline, 1 top-level steps, \d+ characters\n$/);
    expect(JSON.parse(readFileSync(out, 'utf8')).Version).toBe('2020-12-01');
  });

  it('with --json prints one document with the definition, the assets and the warnings', async () => {
    const { code, stdout, stderr } = await run(['pipeline', 'compile', ...withCode, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      pipelineName: 'golden-pipeline',
      definition: { Version: '2020-12-01' },
      assets: [
        {
          key: expect.stringMatching(/^golden-pipeline\/code\/[0-9a-f]{64}\/preprocess\.py$/),
          size: expect.any(Number),
        },
      ],
      warnings: [expect.stringMatching(/no SageMaker execution role given/)],
    });
    expect(stderr).toMatch(/^warning: no SageMaker execution role given/);
  });

  it('fails with exit code 2 and the problems when the pipeline is invalid', async () => {
    const { code, stderr } = await run([
      'pipeline',
      'compile',
      ...withCode.slice(0, 2),
      '--seed',
      join(FIXTURES, 'nowhere'),
      '--role',
      role,
    ]);
    expect(code).toBe(EXIT_CODES.failure);
    expect(stderr).toMatch(/^error: Preprocess: code refers to file .*nowhere\/preprocess\.py, which does not exist/);
  });

  it('names the role variable the loader reads in its help', async () => {
    const { stdout } = await run(['pipeline', 'compile', '--help']);
    expect(stdout).toContain(`$${ROLE_ARN_ENV}`);
    expect(stdout).toMatch(/--out <file>[\s\S]*--assets[\s\S]*--module <file>/);
  });
});
