import { describe, expect, it, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@slipway/core';
import { UnsupportedImageError } from '../../src/runners/job-runner.js';
import { BUILTIN_RUNTIMES, REPO_ROOT, RuntimeCatalog, imageNotes, requirementLines } from '../../src/runtimes/index.js';

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
    const error = unsupported(
      catalog,
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.13-cpu-py310',
    );
    expect(error.message).toContain(
      '"763104351884.dkr.ecr.us-east-1.amazonaws.com/tensorflow-training:2.13-cpu-py310"',
    );
    expect(error.message).toMatch(/No local runtime for image/);
    expect(error.message).toContain('local/runtimes.json');
    expect(error.message).toContain('"images": ["tensorflow-training:2.13-cpu-py310"]');
  });

  it('names the scikit-learn versions it knows when the version is new to it', () => {
    const error = unsupported(
      catalog,
      '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.5-1-cpu-py3',
    );
    expect(error.message).toMatch(
      /Versions of sagemaker-scikit-learn with a local runtime: .*0\.23-1.*1\.0-1.*1\.2-1.*1\.4-2/,
    );
  });

  it.each([
    ['sagemaker-scikit-learn:0.23-1-cpu-py3', 'sklearn-0.23-1', 'sklearn'],
    ['sagemaker-scikit-learn:1.0-1-cpu-py3', 'sklearn-1.0-1', 'sklearn'],
    ['sagemaker-scikit-learn:1.4-2-cpu-py3', 'sklearn-1.4-2', 'sklearn'],
    ['763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5.1-cpu-py311', 'pytorch-2.5', 'pytorch'],
    ['763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.5.1-gpu-py311', 'pytorch-2.5', 'pytorch'],
    [
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04',
      'huggingface-pytorch-4.49',
      'huggingface',
    ],
    [
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04',
      'huggingface-pytorch-4.49',
      'huggingface',
    ],
    ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1', 'xgboost-1.7-1', 'xgboost'],
    ['683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3', 'xgboost-1.0-1', 'xgboost'],
  ])('runs %s in %s with the %s serving defaults', (image, name, serving) => {
    expect(catalog.find(image)).toMatchObject({ name, serving });
  });

  it('says when an image is not on the runtime’s versions, and which differ', () => {
    const torch = catalog.find('pytorch-training:2.1.0-cpu-py310');
    expect(imageNotes(torch, 'pytorch-training:2.1.0-cpu-py310')).toEqual([
      'the image pytorch-training:2.1.0-cpu-py310 has torch 2.1.0; the local runtime pytorch-2.5 runs torch 2.5.1',
    ]);
    expect(imageNotes(torch, 'pytorch-training:2.5.1-cpu-py311')).toEqual([]);
    expect(imageNotes(torch, 'pytorch-training:2.5-gpu-py311')).toEqual([]);
    const hf = catalog.find('huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04');
    expect(imageNotes(hf, 'huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04')).toEqual([
      'the image huggingface-pytorch-inference:2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04 has torch 2.6.0; ' +
        'the local runtime huggingface-pytorch-4.49 runs torch 2.5.1',
    ]);
  });

  it('says in every runtime whose packages are not the image’s exact pins which ones stand in', () => {
    for (const name of ['sklearn-0.23-1', 'sklearn-1.0-1', 'sklearn-1.2-1', 'xgboost-1.0-1']) {
      const definition = BUILTIN_RUNTIMES.find((d) => d.name === name)!;
      expect(definition.notes?.join(' ')).toMatch(/stand(s)? in/);
    }
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
    // The file's entry wins over the built-in PyTorch runtime.
    expect(catalog.find('763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310')).toMatchObject(
      {
        name: 'torch',
        environment: { kind: 'venv', venv: 'torch', requirements: ['torch==2.1.0'] },
        serving: 'toolkit',
      },
    );
    expect(catalog.find('123456789012.dkr.ecr.eu-west-1.amazonaws.com/custom:7').environment).toEqual({
      kind: 'python',
      python: 'python3',
    });
    // Shares the built-in venv (and its container behaviour) instead of building a second copy.
    expect(catalog.find('my-sklearn:latest')).toMatchObject({
      name: 'my-sklearn',
      environment: { kind: 'venv', venv: 'sklearn-1.2-1' },
      serving: 'sklearn',
      trainingModule: 'sagemaker_sklearn_container.training:main',
    });
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

  it('honours trainingModule, servingDefaults, notes and extends', async () => {
    const catalog = await load({
      runtimes: [
        {
          name: 'team-trainer',
          images: ['trainer:*'],
          requirements: ['team-trainer==3.0'],
          trainingModule: 'team_trainer.train:main',
          servingDefaults: 'xgboost',
          notes: ['built from the team index'],
        },
        { name: 'torch-plus', images: ['torch-plus:*'], requirements: ['einops==0.8.0'], extends: 'pytorch-2.5' },
      ],
    });
    expect(catalog.find('trainer:1')).toMatchObject({
      trainingModule: 'team_trainer.train:main',
      serving: 'xgboost',
      notes: ['built from the team index'],
    });
    const plus = catalog.find('torch-plus:1');
    expect(plus).toMatchObject({ serving: 'pytorch', trainingModule: 'sagemaker_pytorch_container.training:main' });
    expect(plus.environment).toMatchObject({ kind: 'venv', venv: 'torch-plus', base: { venv: 'pytorch-2.5' } });
  });

  it('refuses every field it does not know, and bad values of the ones it does, by name', async () => {
    const error = await load({
      runtimes: [
        { name: 'a', images: ['a:1'], python: 'python3', trainingModul: 'x', awsImagesOnly: true },
        { name: 'b', images: ['b:1'], python: 'python3', trainingModule: 'not a module', servingDefaults: 'keras' },
        { name: 'c', images: ['c:1'], python: 'python3', extends: 'pytorch-2.5', notes: 'one' },
      ],
      version: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues.map((issue) => `${issue.field}: ${issue.problem}`);
    expect(issues).toEqual([
      'version: is not a field of a runtimes file (it has only "runtimes")',
      expect.stringMatching(/^runtimes\[0\]\.trainingModul: is not a field of a runtime entry; the fields are name, /),
      expect.stringMatching(/^runtimes\[0\]\.awsImagesOnly: is not a field of a runtime entry/),
      'runtimes[1].trainingModule: must be a module or module:function, got "not a module"',
      'runtimes[1].servingDefaults: must be one of sklearn, pytorch, huggingface, xgboost, toolkit, got "keras"',
      'runtimes[2].extends: goes with requirements or requirementsFile (packages layered on that runtime)',
      'runtimes[2].notes: must be a list of strings, got "one"',
    ]);
  });

  it('refuses a file that is not JSON', async () => {
    await expect(load('{ not json')).rejects.toThrow(/runtimes\.json is not valid JSON/);
  });
});
