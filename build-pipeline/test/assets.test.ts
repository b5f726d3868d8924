import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarEntries as entriesOf } from './support/tar-entries.js';
import {
  Pipeline,
  ProcessingStep,
  SKLearn,
  SKLearnProcessor,
  TrainingStep,
  compile,
  type Asset,
} from '@slipway/build-pipeline';

const SEED = join(import.meta.dirname, 'fixtures', 'seed');
const REPO = join(import.meta.dirname, '..', '..');
const OPTIONS = { region: 'us-east-1', bucket: 'my-bucket' };
const role = 'arn:aws:iam::123456789012:role/SageMaker';
const processor = new SKLearnProcessor({ frameworkVersion: '1.2-1', role, instanceType: 'ml.m5.large' });

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'slipway-assets-'));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A pipeline whose training code is a bundle of `dir` (entry point train.py). */
function bundlePipeline(options: { entryPoint: string; sourceDir?: string; dependencies?: string[] }): Pipeline {
  const train = new TrainingStep('Train', {
    estimator: new SKLearn({ frameworkVersion: '1.2-1', role, instanceType: 'ml.m5.large', ...options }),
  });
  return new Pipeline('assets-test', { steps: [train] });
}

function bundleOf(pipeline: Pipeline): Asset {
  const asset = compile(pipeline, OPTIONS).assets.find((candidate) => candidate.key.endsWith('/sourcedir.tar.gz'));
  if (!asset?.bytes) throw new Error('no bundle');
  return asset;
}

describe('code assets', () => {
  it('are keyed by the SHA-256 of their content, and one script used twice is one asset', () => {
    const code = join(SEED, 'preprocess.py');
    const steps = ['A', 'B'].map((name) => new ProcessingStep(name, { processor, code }));
    const { assets, definition } = compile(new Pipeline('assets-test', { steps }), OPTIONS);
    const bytes = readFileSync(code);
    expect(assets).toEqual([
      {
        s3Uri: `s3://my-bucket/assets-test/code/${sha256(bytes)}/preprocess.py`,
        bucket: 'my-bucket',
        key: `assets-test/code/${sha256(bytes)}/preprocess.py`,
        sha256: sha256(bytes),
        size: bytes.byteLength,
        contentType: 'text/x-python',
        kind: 'code',
        localPath: code,
      },
    ]);
    expect(JSON.stringify(definition)).toContain(`"S3Uri":"${assets[0]!.s3Uri}"`);
  });

  it('change key when the content changes, and only then', () => {
    const dir = tempDir();
    const script = join(dir, 'preprocess.py');
    copyFileSync(join(SEED, 'preprocess.py'), script);
    const keyOf = (): string =>
      compile(new Pipeline('p', { steps: [new ProcessingStep('A', { processor, code: script })] }), OPTIONS).assets[0]!
        .key;
    const first = keyOf();
    utimesSync(script, new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect(keyOf()).toBe(first);
    writeFileSync(script, `${readFileSync(script, 'utf8')}# changed\n`);
    expect(keyOf()).not.toBe(first);
  });

  it('give byte-identical definitions when compiled twice', () => {
    const pipeline = bundlePipeline({ entryPoint: join(SEED, 'train.py'), dependencies: [join(SEED, 'inference.py')] });
    const first = compile(pipeline, OPTIONS);
    const second = compile(pipeline, OPTIONS);
    expect(second.json).toBe(first.json);
    expect(second.assets).toEqual(first.assets);
  });
});

describe('source bundles (sourcedir.tar.gz)', () => {
  it('hold the entry point and dependencies at the root, sorted, with fixed owner, time and modes', () => {
    const asset = bundleOf(
      bundlePipeline({ entryPoint: join(SEED, 'train.py'), dependencies: [join(SEED, 'inference.py')] }),
    );
    expect(asset.sha256).toBe(sha256(asset.bytes!));
    expect(asset.size).toBe(asset.bytes!.byteLength);
    expect(asset.contentType).toBe('application/gzip');
    const entries = entriesOf(asset.bytes!);
    expect(entries.map((entry) => entry.path)).toEqual(['inference.py', 'train.py']);
    for (const entry of entries) {
      expect(entry).toMatchObject({ uid: 0, gid: 0, mtime: '1980-01-01T00:00:00.000Z' });
      expect(entry.uname ?? '').toBe('');
      expect(entry.mode).toBe(0o644);
    }
    expect(entries[1]!.body).toBe(readFileSync(join(SEED, 'train.py'), 'utf8'));
    // gzip header: no timestamp, OS "unknown", so Linux and Windows builds agree.
    expect([...asset.bytes!.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    expect(asset.bytes![9]).toBe(255);
  });

  it('are the same bytes whatever the files’ times, permissions beyond the exec bit, or caches around them', () => {
    const make = (mode: number, time: Date, withCache: boolean): Asset => {
      const dir = tempDir();
      mkdirSync(join(dir, 'lib'));
      writeFileSync(join(dir, 'train.py'), 'print("train")\n');
      writeFileSync(join(dir, 'lib', 'util.py'), 'X = 1\n');
      writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
      chmodSync(join(dir, 'train.py'), mode);
      chmodSync(join(dir, 'run.sh'), 0o755);
      for (const file of ['train.py', 'lib/util.py', 'run.sh']) utimesSync(join(dir, file), time, time);
      if (withCache) {
        mkdirSync(join(dir, '__pycache__'));
        writeFileSync(join(dir, '__pycache__', 'train.cpython-311.pyc'), String(Math.random()));
      }
      return bundleOf(bundlePipeline({ entryPoint: 'train.py', sourceDir: dir }));
    };
    const a = make(0o644, new Date(2020, 0, 1), false);
    const b = make(0o664, new Date(2024, 5, 6), true);
    expect(Buffer.from(b.bytes!).equals(Buffer.from(a.bytes!))).toBe(true);
    expect(b.key).toBe(a.key);
    expect(entriesOf(a.bytes!).map((entry) => [entry.path, entry.mode])).toEqual([
      ['lib/util.py', 0o644],
      ['run.sh', 0o755],
      ['train.py', 0o644],
    ]);
  });

  it('carry paths longer than ustar allows, readable by Python’s tarfile (the training toolkit’s reader)', () => {
    const dir = tempDir();
    const deep = join(dir, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, `${'c'.repeat(40)}.py`), 'DEEP = True\n');
    writeFileSync(join(dir, 'train.py'), 'print(1)\n');
    const asset = bundleOf(bundlePipeline({ entryPoint: 'train.py', sourceDir: dir }));
    const longPath = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(40)}.py`;
    expect(entriesOf(asset.bytes!).map((entry) => entry.path)).toEqual([longPath, 'train.py']);
    const python = join(REPO, '.venv', 'bin', 'python');
    if (!existsSync(python)) {
      console.warn('skipping the Python tarfile cross-check: .venv/bin/python is missing (run npm run setup)');
      return;
    }
    const archive = join(dir, 'sourcedir.tar.gz');
    writeFileSync(archive, asset.bytes!);
    const listing = spawnSync(
      python,
      ['-c', 'import sys,tarfile; print("\\n".join(tarfile.open(sys.argv[1]).getnames()))', archive],
      {
        encoding: 'utf8',
      },
    );
    expect(listing.stdout.trim().split('\n')).toEqual([longPath, 'train.py']);
  });

  it('fails when two files would land on one path in the bundle', () => {
    expect(() =>
      compile(bundlePipeline({ entryPoint: join(SEED, 'train.py'), dependencies: [join(SEED, 'train.py')] }), OPTIONS),
    ).toThrow(/Train: estimator puts two files at train.py in sourcedir.tar.gz/);
  });
});
