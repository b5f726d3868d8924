import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../deploy-pipeline/test/support/moto-server.js';
import { EXIT_CODES } from '../src/failure.js';
import { runCli } from './support.js';

/** The template's config (marked so even when these tests run in a project made from the template). */
function templateCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-init-'));
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'slipway.config.json'), 'utf8'));
  writeFileSync(join(dir, 'slipway.config.json'), JSON.stringify({ ...config, template: true }));
  return dir;
}

describe('slipway init', () => {
  it('gives a repository made from the template its own project id, and says why', async () => {
    const dir = templateCopy();
    const template = JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8'));
    const result = await runCli(['init', '--github', 'acme/Reviews', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const { config, newProjectId, projectIdReason } = JSON.parse(result.stdout);
    expect(newProjectId).toBe(true);
    expect(projectIdReason).toMatch(/template's own id/);
    expect(config).toMatchObject({ projectName: 'reviews', githubRepository: 'acme/Reviews' });
    expect(config.projectId).not.toBe(template.projectId);
    expect(JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8'))).toEqual({
      $schema: './slipway.config.schema.json',
      ...config,
    });

    const again = await runCli(['init', '--github', 'acme/Reviews'], { cwd: dir });
    expect(again.stdout).toMatch(/Unchanged: .*slipway\.config\.json/);
    expect(again.stdout).toContain(`kept ${config.projectId}, made for this repository`);
  });

  it('fails when the project name makes an AWS name too long, naming it and leaving the file alone', async () => {
    const dir = templateCopy();
    const before = readFileSync(join(dir, 'slipway.config.json'), 'utf8');
    const result = await runCli(['init', '--project', 'a'.repeat(32)], { cwd: dir });
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(
      /IAM role name "slipway-a{32}-endpoint-deployer-staging", which must be at most 64 characters, got 66: shorten the project name/,
    );
    expect(readFileSync(join(dir, 'slipway.config.json'), 'utf8')).toBe(before);
    const fresh = mkdtempSync(join(tmpdir(), 'slipway-init-'));
    expect((await runCli(['init', '--project', 'a'.repeat(32)], { cwd: fresh })).code).toBe(EXIT_CODES.failure);
    expect(existsSync(join(fresh, 'slipway.config.json'))).toBe(false);
    expect((await runCli(['init', '--project', 'a'.repeat(30)], { cwd: fresh })).code).toBe(0);
  });
});

describe('slipway init --model', () => {
  it('--model bert switches an existing project to the BERT variant and keeps everything else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-init-'));
    const created = await runCli(['init', '--project', 'reviews', '--dir', dir]);
    expect(created.code).toBe(0);
    const before = JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8')) as Record<string, unknown>;
    expect(before['model']).toBe('sklearn');

    const switched = await runCli(['init', '--model', 'bert', '--dir', dir]);
    expect(switched.code).toBe(0);
    expect(switched.stdout).toMatch(/Updated .*slipway\.config\.json/);
    expect(switched.stdout).toMatch(/model: bert/);
    const after = JSON.parse(readFileSync(join(dir, 'slipway.config.json'), 'utf8')) as Record<string, unknown>;
    expect(after).toEqual({ ...before, model: 'bert' });
  });

  it('refuses an unknown model and a new config without a project name, saying what to pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-init-'));
    const unnamed = await runCli(['init', '--model', 'bert', '--dir', dir]);
    expect(unnamed.code).not.toBe(0);
    expect(unnamed.stderr).toMatch(/projectName is not given.*--project NAME/s);

    const unknown = await runCli(['init', '--project', 'reviews', '--model', 'gpt', '--dir', dir]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/model must be one of sklearn, bert, got "gpt"/);
  });
});
