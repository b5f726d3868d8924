import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ValidationError,
  crossAccountStages,
  initProjectConfig,
  loadProjectConfig,
  stageTarget,
  validateProjectConfig,
} from '../src/index.js';

const repoRoot = join(import.meta.dirname, '..', '..');
const base = JSON.parse(readFileSync(join(repoRoot, 'slipway.config.json'), 'utf8')) as Record<string, unknown>;

function issues(input: Record<string, unknown>): { field: string; problem: string; fix?: string }[] {
  try {
    validateProjectConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

describe('stageAccounts in slipway.config.json', () => {
  it('a config without accounts keeps every stage in the one account', () => {
    const config = validateProjectConfig(base);
    expect(stageTarget(config, 'prod')).toEqual({ stage: 'prod', region: config.region, crossAccount: false });
    expect(crossAccountStages(config)).toEqual([]);
    // A stage named like an Object.prototype member is not mistaken for an entry.
    const odd = validateProjectConfig({
      ...base,
      stages: ['constructor'],
      buildAccount: '111111111111',
      stageAccounts: {},
    });
    expect(stageTarget(odd, 'constructor').crossAccount).toBe(false);
  });

  it('gives a stage its own account and region; a stage in the build account is not cross-account', () => {
    const config = validateProjectConfig({
      ...base,
      buildAccount: '111111111111',
      stageAccounts: {
        staging: { account: '111111111111' },
        prod: { account: '222222222222', region: 'us-east-1' },
      },
    });
    expect(stageTarget(config, 'staging')).toEqual({
      stage: 'staging',
      account: '111111111111',
      region: 'us-east-1',
      crossAccount: false,
    });
    expect(crossAccountStages(config)).toEqual([
      { stage: 'prod', account: '222222222222', region: 'us-east-1', crossAccount: true },
    ]);
  });

  it('refuses bad values, naming each field and the fix', () => {
    const found = issues({
      ...base,
      stageAccounts: {
        prod: { account: 222222222222, region: 'mars', role: 'x' },
        qa: { account: '12345' },
        staging: 'x',
      },
    });
    const byField = Object.fromEntries(found.map((issue) => [issue.field, issue]));
    expect(Object.keys(byField).sort()).toEqual(
      [
        'buildAccount',
        'stageAccounts.prod.account',
        'stageAccounts.prod.region',
        'stageAccounts.prod.role',
        'stageAccounts.qa',
        'stageAccounts.qa.account',
        'stageAccounts.staging',
      ].sort(),
    );
    expect(byField['stageAccounts.prod.account']!.fix).toMatch(/string of 12 digits/);
    expect(byField['stageAccounts.qa.account']!.problem).toMatch(/at least 12 characters, got 5/);
    expect(byField['stageAccounts.qa']!.problem).toMatch(/not in stages \(staging, prod\)/);
    expect(byField['buildAccount']!.fix).toMatch(/account ProjectStack is deployed in/);
    expect(() =>
      validateProjectConfig({
        ...base,
        buildAccount: '111111111111',
        stageAccounts: { prod: { account: '222222222222', region: 'eu-west-1' } },
      }),
    ).toThrow(/stageAccounts.prod.region is eu-west-1, not the project's region us-east-1/);
    expect(() => validateProjectConfig({ ...base, buildAccount: '1234567890123' })).toThrow(
      /slipway.config.json: buildAccount must be at most 12 characters, got 13: choose a valid AWS account id/,
    );
  });

  it('init keeps the accounts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-accounts-'));
    const accounts = { buildAccount: '111111111111', stageAccounts: { prod: { account: '222222222222' } } };
    writeFileSync(join(dir, 'slipway.config.json'), JSON.stringify({ ...base, template: false, ...accounts }));
    initProjectConfig(dir, { projectName: 'sentiment' });
    expect(loadProjectConfig({ cwd: dir, env: {} })).toMatchObject(accounts);
  });
});
