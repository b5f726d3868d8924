import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LoadedProjectConfig } from '@slipway/core';
import { SAMPLE_ARN, synthesize } from './support/cdk.js';
import { TOOLS_BIN, toolsMissing } from './support/moto-server.js';

/**
 * Every stack Slipway deploys, synthesized once into one folder; with other `stages`, only ProjectStack (the
 * endpoint stacks would need a config/<stage>.json each).
 */
function synthesizeAll(stages?: readonly string[], accounts: Partial<LoadedProjectConfig> = {}): string[] {
  const { outdir } = stages ? synthesize({}, { stages, ...accounts }) : synthesize({ modelPackageArn: SAMPLE_ARN });
  return templatesIn(outdir);
}

function templatesIn(outdir: string): string[] {
  return readdirSync(outdir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => join(outdir, name));
}

/** A stage in its own account: its StageAccountStack, and ProjectStack (with the cross-account policies). */
const PROD_ACCOUNT = { buildAccount: '111111111111', stageAccounts: { prod: { account: '222222222222' } } };

function synthesizeCrossAccount(): string[] {
  return [
    ...templatesIn(synthesize({ stageAccount: 'prod' }, PROD_ACCOUNT).outdir),
    ...templatesIn(synthesize({}, PROD_ACCOUNT).outdir).filter((file) => file.endsWith('-project.template.json')),
  ];
}

const cfnLintMissing = toolsMissing('cfn-lint');
if (cfnLintMissing) console.warn(`SKIPPED cfn-lint on the synthesized templates: ${cfnLintMissing}`);
const checkovMissing = toolsMissing('checkov');
if (checkovMissing) console.warn(`SKIPPED checkov on the synthesized templates: ${checkovMissing}`);

describe('the synthesized templates', () => {
  // The CDK CLI sends a template inline as YAML (yaml 1.1, no line folding) when it is at most 50 KiB, and
  // CloudFormation takes at most 51,200 bytes inline: with no bootstrap bucket, every stack must fit.
  // With a stage in its own account, ProjectStack adds the shared statements but loses that stage's roles:
  // one stage of three in its own account is the largest case.
  it.each([
    [undefined, {}],
    [['dev', 'staging', 'prod'], {}],
    [['dev', 'staging', 'prod'], PROD_ACCOUNT],
    [
      ['dev', 'staging', 'prod'],
      {
        buildAccount: '111111111111',
        stageAccounts: { staging: { account: '222222222222' }, prod: { account: '333333333333' } },
      },
    ],
  ])(
    "stay under CloudFormation's 51,200-byte limit for templates sent inline (stages: %j, else the project's; %j)",
    (stages, accounts) => {
      const stageStacks = Object.keys((accounts as Partial<LoadedProjectConfig>).stageAccounts ?? {}).flatMap((stage) =>
        templatesIn(synthesize({ stageAccount: stage }, { stages, ...accounts }).outdir),
      );
      for (const template of [...synthesizeAll(stages, accounts), ...stageStacks]) {
        const body = stringify(JSON.parse(readFileSync(template, 'utf8')), { schema: 'yaml-1.1', lineWidth: 0 });
        const bytes = Buffer.byteLength(body);
        // The name and, when it does not fit, its size: the failure says which stack and by how much.
        expect([template.split('/').at(-1), bytes <= 51_200 ? 'fits' : `${bytes} bytes`]).toEqual([
          template.split('/').at(-1),
          'fits',
        ]);
      }
    },
  );

  (cfnLintMissing ? it.skip : it)('pass cfn-lint with no errors or warnings', () => {
    const templates = synthesizeAll();
    expect(templates).toHaveLength(4);
    templates.push(...synthesizeCrossAccount());
    const run = spawnSync(join(TOOLS_BIN, 'cfn-lint'), ['--format', 'json', '--', ...templates], { encoding: 'utf8' });
    const findings = JSON.parse(run.stdout || '[]') as { Rule: { Id: string }; Message: string; Filename: string }[];
    expect(findings.map((finding) => `${finding.Rule.Id} ${finding.Message} (${finding.Filename})`)).toEqual([]);
    expect(run.status).toBe(0);
  });

  (checkovMissing ? it.skip : it)(
    'pass checkov with no failed checks (each skip is justified in the template metadata)',
    () => {
      const templates = [...synthesizeAll(), ...synthesizeCrossAccount()];
      const run = spawnSync(
        join(TOOLS_BIN, 'checkov'),
        [
          '--framework',
          'cloudformation',
          '--output',
          'json',
          '--skip-download',
          ...templates.flatMap((file) => ['--file', file]),
        ],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' } },
      );
      const reports = (
        [] as {
          summary: { parsing_errors: number; passed: number };
          results: {
            failed_checks: { check_id: string; resource: string }[];
            skipped_checks: { check_id: string; check_result: { suppress_comment: string } }[];
          };
        }[]
      ).concat(JSON.parse(run.stdout) as never);
      expect(reports.map((report) => report.summary.parsing_errors)).toEqual(reports.map(() => 0));
      const failed = reports.flatMap((report) =>
        report.results.failed_checks.map((check) => `${check.check_id} ${check.resource}`),
      );
      const skipped = reports.flatMap((report) => report.results.skipped_checks);
      expect(failed).toEqual([]);
      // checkov really looked: dozens of checks ran and passed.
      expect(reports.reduce((sum, report) => sum + report.summary.passed, 0)).toBeGreaterThan(50);
      expect(skipped.length).toBeGreaterThan(0);
      for (const skip of skipped)
        expect([skip.check_id, skip.check_result.suppress_comment.length > 20]).toEqual([skip.check_id, true]);
    },
    120_000,
  );
});
