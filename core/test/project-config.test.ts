import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ValidationError,
  initProjectConfig,
  loadProjectConfig,
  projectConfigJsonSchema,
  validateProjectConfig,
} from '../src/index.js';

const repoRoot = join(import.meta.dirname, '..', '..');

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

  it('fails with a fix when no config exists', () => {
    expect(() => loadProjectConfig({ cwd: tempDir(), env: {} })).toThrow(/slipway init --project NAME/);
  });

  describe('local.lambdaFunctions', () => {
    const base = {
      projectName: 'reviews',
      projectId: 'p-abcdefghijkl',
      region: 'us-east-1',
      pipelineName: 'reviews-pipeline',
      modelPackageGroupName: 'reviews-models',
      artifactBucket: 'slipway-reviews-p-abcdefghijkl',
      stages: ['staging', 'prod'],
    };

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
