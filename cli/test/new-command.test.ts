import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateProjectConfig } from '@slipway/core';
import { REPO_ROOT } from '../../deploy-pipeline/test/support/moto-server.js';
import { EXIT_CODES } from '../src/failure.js';
import { runCli } from './support.js';

const TEMPLATE = JSON.parse(readFileSync(join(REPO_ROOT, 'slipway.config.json'), 'utf8')) as { projectId: string };

function tracked(dir: string): string[] {
  return execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('slipway new DIR', () => {
  it('writes a clean repository of its own: the template’s files, a new project id, git init, no history', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'slipway-new-'));
    const result = await runCli(
      ['new', 'reviews', '--github', 'acme/reviews', '--region', 'eu-west-1', '--model', 'sklearn', '--json'],
      { cwd: parent },
    );
    expect([result.code, result.stderr]).toEqual([0, '']);
    const dir = join(parent, 'reviews');
    const made = JSON.parse(result.stdout) as { files: number; gitInitialized: boolean; newProjectId: boolean };
    expect(made).toMatchObject({ gitInitialized: true, newProjectId: true });

    const config = validateProjectConfig(JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8')));
    expect(config).toMatchObject({ projectName: 'reviews', githubRepository: 'acme/reviews', region: 'eu-west-1' });
    expect(config.template).toBeUndefined();
    expect(config.projectId).not.toBe(TEMPLATE.projectId);
    expect(config.artifactBucket).toBe(`slipway-reviews-${config.projectId}`);

    // Exactly the template's tracked files, less the personalization workflow and its test.
    const expected = tracked(REPO_ROOT).filter(
      (file) =>
        existsSync(join(REPO_ROOT, file)) &&
        !['.github/workflows/personalize.yml', 'test/personalize-workflow.test.ts'].includes(file),
    );
    expect(made.files).toBe(expected.length);
    for (const file of ['package.json', 'build-pipeline/pipeline.ts', 'seed/train.py', '.github/workflows/build.yml'])
      expect(existsSync(join(dir, file))).toBe(true);
    for (const absent of ['.slipway', 'node_modules', '.venv', '.venv-tools', 'cli/dist', 'core/dist', '.cache'])
      expect([absent, existsSync(join(dir, absent))]).toEqual([absent, false]);
    expect(existsSync(join(dir, '.github', 'workflows', 'personalize.yml'))).toBe(false);

    // A fresh repository on main with no commits: the template's history is not there.
    expect(execFileSync('git', ['symbolic-ref', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()).toBe(
      'refs/heads/main',
    );
    expect(() => execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: dir, stdio: 'ignore' })).toThrow();
    // Nothing the template's .gitignore ignores was copied, so `git add -A` would take every file.
    expect(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: dir, encoding: 'utf8' })).not.toMatch(
      /^!!/m,
    );
  });

  it('takes the project name from the folder when no repository is given, and can skip git', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'slipway-new-'));
    const result = await runCli(['new', 'sentiment-lab', '--no-git'], { cwd: parent });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created .*sentiment-lab/);
    expect(result.stdout).toMatch(/npx slipway init --github OWNER\/REPO/);
    const dir = join(parent, 'sentiment-lab');
    expect(JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8')).projectName).toBe('sentiment-lab');
    expect(existsSync(join(dir, '.git'))).toBe(false);
  });

  it('refuses a folder that is not empty, touching nothing in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-new-'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const result = await runCli(['new', dir], { cwd: tmpdir() });
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/DIR .* already exists and is not an empty folder: choose a new folder/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('fails on a bad name or model, naming the field, and leaves no half-made folder', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'slipway-new-'));
    const long = await runCli(['new', 'x', '--project', 'a'.repeat(32)], { cwd: parent });
    expect(long.code).toBe(EXIT_CODES.failure);
    expect(long.stderr).toMatch(/IAM role name .* must be at most 64 characters/);
    expect(existsSync(join(parent, 'x'))).toBe(false);

    mkdirSync(join(parent, 'empty'));
    const other = await runCli(['new', 'empty', '--model', 'xgboost'], { cwd: parent });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/--model must be one of sklearn, bert, got "xgboost"/);
    expect(readdirSync(join(parent, 'empty'))).toEqual([]);
  });

  it('--model bert starts the project on the BERT variant', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'slipway-new-'));
    const result = await runCli(['new', 'lecture', '--model', 'bert', '--no-git'], { cwd: parent });
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(parent, 'lecture', 'slipway.config.json'), 'utf8')).model).toBe('bert');
  });
});
