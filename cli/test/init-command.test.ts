import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support.js';

describe('slipway init', () => {
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
    expect(unnamed.stderr).toMatch(/projectName is needed to write a new config.*--project NAME/s);

    const unknown = await runCli(['init', '--project', 'reviews', '--model', 'gpt', '--dir', dir]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/model must be one of sklearn, bert, got "gpt"/);
  });
});
