import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@slipway/core';
import { UnsupportedImageError } from '../../src/runners/job-runner.js';
import { BUILTIN_RUNTIMES, REPO_ROOT, RuntimeCatalog, requirementLines } from '../../src/runtimes/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-catalog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function unsupported(catalog: RuntimeCatalog, image: string): UnsupportedImageError {
  try {
    catalog.find(image);
  } catch (error) {
    if (error instanceof UnsupportedImageError) return error;
    throw error;
  }
  throw new Error(`${image} unexpectedly has a runtime`);
}

describe('RuntimeCatalog (built-ins)', () => {
  const catalog = RuntimeCatalog.builtIn();

  it.each([
    '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
    '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1',
    '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3',
    '683313688378.dkr-ecr.us-east-1.on.aws/sagemaker-scikit-learn:1.2-1-cpu-py3',
    'sagemaker-scikit-learn:1.2-1-cpu-py3',
  ])('runs %s in sklearn-1.2-1', (image) => {
    expect(catalog.find(image).name).toBe('sklearn-1.2-1');
  });

  it('says which image has no runtime, that it has none, and how to add one', () => {
    const error = unsupported(catalog, '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310');
    expect(error.message).toContain('"763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310"');
    expect(error.message).toMatch(/No local runtime for image/);
    expect(error.message).toContain('local/runtimes.json');
    expect(error.message).toContain('"images": ["pytorch-training:2.1.0-cpu-py310"]');
  });

  it('names the scikit-learn versions it knows when the version is new to it', () => {
    const error = unsupported(
      catalog,
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3',
    );
    expect(error.message).toMatch(/Versions of sagemaker-scikit-learn with a local runtime: .*1\.2-1-cpu-py3/);
  });

  it('does not take an image of the same name from another registry for the AWS one', () => {
    unsupported(catalog, 'ghcr.io/someone/sagemaker-scikit-learn:1.2-1-cpu-py3');
  });

  it('pins exactly what seed/requirements.txt pins for the seed code (one set of versions)', async () => {
    const seed = requirementLines(await readFile(join(REPO_ROOT, 'seed', 'requirements.txt'), 'utf8'));
    const builtIn = BUILTIN_RUNTIMES.find((d) => d.name === 'sklearn-1.2-1')!.environment;
    expect(builtIn.kind === 'venv' && [...builtIn.requirements].sort()).toEqual([...seed].sort());
  });
});

describe('RuntimeCatalog.load (the runtimes file)', () => {
  async function load(json: unknown): Promise<RuntimeCatalog> {
    const file = join(dir, 'runtimes.json');
    await writeFile(file, typeof json === 'string' ? json : JSON.stringify(json));
    return RuntimeCatalog.load(file);
  }

  it('adds mappings in front of the built-ins', async () => {
    await writeFile(join(dir, 'torch.txt'), '# pinned\ntorch==2.1.0  # cpu wheel\n\n');
    const catalog = await load({
      runtimes: [
        { name: 'torch', images: ['*/pytorch-training:2.1*'], requirementsFile: 'torch.txt' },
        { name: 'host', images: ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/custom:*'], python: 'python3' },
        { name: 'my-sklearn', images: ['my-sklearn:latest'], sameAs: 'sklearn-1.2-1' },
      ],
    });
    expect(catalog.find('763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310')).toMatchObject(
      {
        name: 'torch',
        environment: { kind: 'venv', requirements: ['torch==2.1.0'] },
      },
    );
    expect(catalog.find('123456789012.dkr.ecr.eu-west-1.amazonaws.com/custom:7').environment).toEqual({
      kind: 'python',
      python: 'python3',
    });
    // Shares the built-in venv instead of building a second copy.
    expect(catalog.find('my-sklearn:latest').name).toBe('sklearn-1.2-1');
    expect(catalog.find('sagemaker-scikit-learn:1.2-1').name).toBe('sklearn-1.2-1');
  });

  it('means built-ins only when the file is missing', async () => {
    const catalog = await RuntimeCatalog.load(join(dir, 'absent.json'));
    expect(catalog.find('sagemaker-scikit-learn:1.2-1').name).toBe('sklearn-1.2-1');
    expect(unsupported(catalog, 'other:1').message).toContain(join(dir, 'absent.json'));
  });

  it('lists every mistake with its field', async () => {
    const error = await load({
      runtimes: [
        { name: 'Bad Name', images: ['x:1'], python: 'python3' },
        { name: 'two', images: [], requirements: ['a'], python: 'python3' },
        { name: 'alias', images: ['y:1'], sameAs: 'nope' },
        { name: 'missing', images: ['z:1'], requirementsFile: 'nowhere.txt' },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).issues.map((issue) => issue.field);
    expect(fields).toEqual([
      'runtimes[0].name',
      'runtimes[1].images',
      'runtimes[1]',
      'runtimes[2].sameAs',
      'runtimes[3].requirementsFile',
    ]);
    expect((error as ValidationError).message).toMatch(
      /exactly one of requirements, requirementsFile, python or sameAs, got requirements, python/,
    );
  });

  it('refuses a file that is not JSON', async () => {
    await expect(load('{ not json')).rejects.toThrow(/runtimes\.json is not valid JSON/);
  });
});
