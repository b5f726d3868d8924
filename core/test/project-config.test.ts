import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_PROJECT_MODEL,
  PROJECT_MODELS,
  ValidationError,
  initProjectConfig,
  projectNameFromRepository,
  loadProjectConfig,
  projectConfigJsonSchema,
  sagemakerProjectOf,
  validateProjectConfig,
} from '../src/index.js';

const repoRoot = join(import.meta.dirname, '..', '..');

/** The smallest valid config, for tests that add one section to it. */
const base = {
  projectName: 'reviews',
  projectId: 'p-abcdefghijkl',
  region: 'us-east-1',
  pipelineName: 'reviews-pipeline',
  modelPackageGroupName: 'reviews-models',
  artifactBucket: 'slipway-reviews-p-abcdefghijkl',
  stages: ['staging', 'prod'],
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'slipway-config-'));
}

describe('project config', () => {
  it('the committed JSON schema is the one the loader derives', () => {
    const committed = JSON.parse(readFileSync(join(repoRoot, 'slipway.config.schema.json'), 'utf8'));
    expect(committed).toEqual(projectConfigJsonSchema());
  });

  it("the repository's own config loads", () => {
    const config = loadProjectConfig({ path: join(repoRoot, 'slipway.config.json') });
    expect(config.modelPackageGroupName).toMatch(/^[a-zA-Z0-9-]+$/);
    expect(config.rootDir).toBe(repoRoot);
  });

  it('init writes a valid config and re-running keeps the id and hand-edited names', () => {
    const dir = tempDir();
    const first = initProjectConfig(dir, { projectName: 'reviews' });
    expect(first.created).toBe(true);
    expect(first.config.pipelineName).toBe('reviews-pipeline');
    const path = join(dir, 'slipway.config.json');
    const edited = { ...JSON.parse(readFileSync(path, 'utf8')), modelPackageGroupName: 'my-own-group' };
    writeFileSync(path, JSON.stringify(edited));

    const second = initProjectConfig(dir, { projectName: 'reviews2', githubRepository: 'acme/reviews' });
    expect(second.created).toBe(false);
    expect(second.config.projectId).toBe(first.config.projectId);
    expect(second.config.modelPackageGroupName).toBe('my-own-group');
    expect(second.config.pipelineName).toBe('reviews2-pipeline');
    expect(second.config.githubRepository).toBe('acme/reviews');
    expect(loadProjectConfig({ cwd: dir }).projectName).toBe('reviews2');
  });

  it("a repository made from the template gets its own project id and bucket, never the template's", () => {
    // The observation: a clone of the template, `init --project acme-reviews --github acme/reviews`, kept
    // the template's id, so every repository shared it and the global bucket name collided.
    // The template's config (marked so even when these tests run in a project made from the template).
    const template = { ...JSON.parse(readFileSync(join(repoRoot, 'slipway.config.json'), 'utf8')), template: true };
    const made = [tempDir(), tempDir()].map((dir) => {
      writeFileSync(join(dir, 'slipway.config.json'), JSON.stringify(template));
      return initProjectConfig(dir, { projectName: 'acme-reviews', githubRepository: 'acme/reviews' });
    });
    for (const result of made) {
      expect(result.newProjectId).toBe(true);
      expect(result.config.projectId).not.toBe(template.projectId);
      expect(result.config.artifactBucket).toBe(`slipway-acme-reviews-${result.config.projectId}`);
      expect(result.config.template).toBeUndefined();
      expect(result.projectIdReason).toMatch(/template's own id/);
    }
    expect(made[0]!.config.projectId).not.toBe(made[1]!.config.projectId);
    expect(made[0]!.config.artifactBucket).not.toBe(made[1]!.config.artifactBucket);
  });

  it('keeps the id for the repository it was made for, and makes a new one for another', () => {
    const dir = tempDir();
    const first = initProjectConfig(dir, { projectName: 'reviews', githubRepository: 'acme/reviews' });
    const again = initProjectConfig(dir, { projectName: 'reviews', githubRepository: 'ACME/Reviews' });
    expect(again.config.projectId).toBe(first.config.projectId);
    expect(again.newProjectId).toBe(false);
    expect(again.changed).toBe(true); // the repository's spelling changed
    expect(initProjectConfig(dir, { projectName: 'reviews', githubRepository: 'ACME/Reviews' }).changed).toBe(false);

    // A hand-named bucket stays while the id does; a copy for another repository gets a bucket of its own.
    const path = join(dir, 'slipway.config.json');
    writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), artifactBucket: 'acme-ml' }));
    expect(initProjectConfig(dir, { projectName: 'reviews' }).config.artifactBucket).toBe('acme-ml');
    const other = initProjectConfig(dir, { projectName: 'reviews', githubRepository: 'globex/reviews' });
    expect(other.newProjectId).toBe(true);
    expect(other.projectIdReason).toMatch(/made for ACME\/Reviews, not globex\/reviews/);
    expect(other.config.artifactBucket).toBe(`slipway-reviews-${other.config.projectId}`);
  });

  it('derives the project name from the repository when none is given', () => {
    expect(projectNameFromRepository('acme/Reviews_Model.v2')).toBe('reviews-model-v2');
    expect(projectNameFromRepository(`acme/${'x'.repeat(31)}--y`)).toBe('x'.repeat(31));
    expect(() => projectNameFromRepository('acme/___')).toThrow(/githubRepository has no letters or digits.*--project/);
    const made = initProjectConfig(tempDir(), { githubRepository: 'acme/Sentiment.Reviews' });
    expect(made.config.projectName).toBe('sentiment-reviews');
    expect(() => initProjectConfig(tempDir(), {})).toThrow(/projectName is not given.*--project NAME or --github/);
  });

  it('derived names stay within S3 and SageMaker limits for the longest project name', () => {
    const longest = 'a'.repeat(32);
    const { config } = initProjectConfig(tempDir(), {
      projectName: longest.toUpperCase().slice(0, 1) + longest.slice(1),
    });
    expect(config.artifactBucket.length).toBeLessThanOrEqual(63);
    expect(config.artifactBucket).toMatch(/^[a-z0-9.-]+$/);
  });

  it('leaves the file untouched when a check refuses the config', () => {
    const dir = tempDir();
    initProjectConfig(dir, { projectName: 'reviews' });
    const before = readFileSync(join(dir, 'slipway.config.json'), 'utf8');
    const refuse = (): void => {
      throw new ValidationError({ where: 'test', field: 'projectName', problem: 'refused' });
    };
    expect(() => initProjectConfig(dir, { projectName: 'other', checkConfig: refuse })).toThrow(/refused/);
    expect(readFileSync(join(dir, 'slipway.config.json'), 'utf8')).toBe(before);
  });

  it('fails when a name breaks SageMaker limits, naming the field and the fix', () => {
    expect(() => initProjectConfig(tempDir(), { projectName: 'a'.repeat(40) })).toThrow(
      /projectName must be at most 32 characters, got 40/,
    );
    expect(() => initProjectConfig(tempDir(), { projectName: 'ok', githubRepository: 'no-slash' })).toThrow(
      /githubRepository must use OWNER\/REPO/,
    );
  });

  it('reports every bad field at once', () => {
    try {
      validateProjectConfig({ projectName: '-bad', region: 'mars', stages: [], extra: 1 });
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).issues.map((issue) => issue.field).sort();
      expect(fields).toEqual(
        [
          'artifactBucket',
          'extra',
          'modelPackageGroupName',
          'pipelineName',
          'projectId',
          'projectName',
          'region',
          'stages',
        ].sort(),
      );
    }
  });

  it('records the model: init --model switches it, a re-run keeps it, a config without one trains sklearn', () => {
    const dir = tempDir();
    const first = initProjectConfig(dir, { projectName: 'reviews' });
    expect(first.config.model).toBe('sklearn');
    const path = join(dir, 'slipway.config.json');
    // Switching needs no --project: the existing name, id and names stay.
    const switched = initProjectConfig(dir, { model: 'bert' });
    expect(switched.config).toMatchObject({ projectName: 'reviews', projectId: first.config.projectId, model: 'bert' });
    expect(JSON.parse(readFileSync(path, 'utf8')).model).toBe('bert');
    expect(initProjectConfig(dir, { region: 'eu-west-1' }).config.model).toBe('bert');
    expect(loadProjectConfig({ cwd: dir }).model).toBe('bert');

    const { model: _dropped, ...withoutModel } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    writeFileSync(path, JSON.stringify(withoutModel));
    expect(loadProjectConfig({ cwd: dir }).model).toBe(DEFAULT_PROJECT_MODEL);
  });

  it('refuses an unknown model, naming the field, the choices and what each means', () => {
    const dir = tempDir();
    expect(() => initProjectConfig(dir, { projectName: 'reviews', model: 'xgboost' })).toThrow(
      /model must be one of sklearn, bert, got "xgboost".*bert: a BERT sequence classifier/s,
    );
    expect(() => validateProjectConfig({ model: 7 })).toThrow(/model must be one of sklearn, bert, got 7/);
    expect(Object.keys(projectConfigJsonSchema().properties as object)).toContain('model');
    expect((projectConfigJsonSchema().properties as Record<string, unknown>)['model']).toEqual({
      type: 'string',
      description: expect.any(String),
      enum: Object.keys(PROJECT_MODELS),
      default: 'sklearn',
    });
  });

  it('checks sagemakerProject (the Studio project) and monitoring, naming each bad field and its fix', () => {
    const studio = { projectName: 'reviews-studio', projectId: 'p-studio000042' };
    expect(validateProjectConfig({ ...base, sagemakerProject: studio, monitoring: true })).toMatchObject({
      sagemakerProject: studio,
      monitoring: true,
    });
    expect(sagemakerProjectOf({ ...base, sagemakerProject: studio })).toEqual(studio);
    expect(sagemakerProjectOf(base)).toEqual({ projectName: 'reviews', projectId: 'p-abcdefghijkl' });
    let error: unknown;
    try {
      validateProjectConfig({
        ...base,
        sagemakerProject: { projectName: '-bad', other: 1 },
        monitoring: 'yes',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/sagemakerProject\.other is not a known setting/);
    expect(message).toMatch(/sagemakerProject\.projectName .*copy the project name from Studio/);
    expect(message).toMatch(/sagemakerProject\.projectId is missing/);
    expect(message).toMatch(/monitoring must be true or false, got "yes"/);
    expect(() => validateProjectConfig({ ...base, sagemakerProject: 'p-x' })).toThrow(
      /sagemakerProject must be an object/,
    );
  });

  it('init keeps monitoring, and the Studio project only for the project id it belongs to', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-config-'));
    const first = initProjectConfig(dir, { projectName: 'reviews', githubRepository: 'acme/reviews' });
    const path = join(dir, 'slipway.config.json');
    const studio = { projectName: 'reviews-studio', projectId: 'p-studio000042' };
    writeFileSync(path, JSON.stringify({ ...first.config, monitoring: true, sagemakerProject: studio }));
    expect(initProjectConfig(dir, { githubRepository: 'acme/reviews' }).config).toMatchObject({
      monitoring: true,
      sagemakerProject: studio,
    });
    const other = initProjectConfig(dir, { githubRepository: 'acme/other' }).config;
    expect(other.monitoring).toBe(true);
    expect(other.sagemakerProject).toBeUndefined();
  });

  it('init without --project needs an existing config', () => {
    expect(() => initProjectConfig(tempDir(), { model: 'bert' })).toThrow(/projectName is not given.*--project NAME/s);
  });

  it('fails with a fix when no config exists', () => {
    expect(() => loadProjectConfig({ cwd: tempDir(), env: {} })).toThrow(/slipway init --project NAME/);
  });

  describe('local.lambdaFunctions', () => {
    it('accepts Python and Node handlers keyed by ARN or name, and init keeps them', () => {
      const local = {
        lambdaFunctions: {
          'score-model': { file: 'lambdas/score.py', function: 'handler', runtime: 'sklearn-1.2-1' },
          'arn:aws:lambda:us-east-1:111122223333:function:tag': { file: 'lambdas/tag.mjs' },
        },
      };
      expect(validateProjectConfig({ ...base, local }).local).toEqual(local);
      const dir = tempDir();
      writeFileSync(join(dir, 'slipway.config.json'), JSON.stringify({ ...base, local }));
      initProjectConfig(dir, { projectName: 'reviews' });
      expect(JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8')).local).toEqual(local);
    });

    it('names each bad entry field and its fix', () => {
      let error: unknown;
      try {
        validateProjectConfig({
          ...base,
          local: {
            lambdaFunctions: {
              a: { function: 'handler' },
              b: { file: '../outside.py' },
              c: { file: 'lambdas/c.mjs', runtime: 'sklearn-1.2-1' },
              d: { file: 'lambdas/d.py', function: 'not valid', timeout: 3 },
              e: 'lambdas/e.py',
            },
            other: true,
          },
        });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).issues.map((issue) => `${issue.field}: ${issue.problem}`);
      expect(fields).toEqual(
        expect.arrayContaining([
          'local.other: is not a known setting',
          'local.lambdaFunctions["a"].file: is missing',
          expect.stringMatching(/^local\.lambdaFunctions\["b"\]\.file: must be a relative path inside the repository/),
          'local.lambdaFunctions["c"].runtime: names a Python runtime for a Node module',
          expect.stringMatching(/^local\.lambdaFunctions\["d"\]\.function: must be an identifier/),
          'local.lambdaFunctions["d"].timeout: is not a known setting',
          expect.stringMatching(/^local\.lambdaFunctions\["e"\]: must be \{"file"/),
        ]),
      );
      expect(fields).toHaveLength(7);
    });
  });
});
