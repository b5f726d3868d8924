import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LoadedProjectConfig } from '@slipway/core';
import { PROJECTS_TEMPLATE_CONTEXT, SAMPLE_ARN, synthesize } from './support/cdk.js';
import { TOOLS_BIN, toolsMissing } from './support/moto-server.js';
import { testProject } from './support/project.js';
import { projectTemplateStackName } from '../src/names.js';

/**
 * Every stack Slipway deploys (and the SageMaker project template it publishes), synthesized once into one
 * folder; with other `stages`, only those that need no config/<stage>.json (the endpoint stacks would).
 */
function synthesizeAll(stages?: readonly string[], accounts: Partial<LoadedProjectConfig> = {}): string[] {
  const { outdir } = stages
    ? synthesize(PROJECTS_TEMPLATE_CONTEXT, { stages, ...accounts })
    : synthesize({ modelPackageArn: SAMPLE_ARN, ...PROJECTS_TEMPLATE_CONTEXT });
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
  // CloudFormation takes at most 51,200 bytes inline: with no bootstrap bucket, every stack must fit. The
  // SageMaker project template is not deployed by the CDK CLI: Service Catalog loads it from the URL bootstrap
  // uploads it to, where CloudFormation's limit is 1 MB. With a stage in its own account, ProjectStack adds the
  // shared statements but loses that stage's roles: one stage of three in its own account is the largest case.
  const fromUrl = `${projectTemplateStackName(testProject())}.template.json`;
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
    "stay under CloudFormation's 51,200-byte limit for templates sent inline, 1 MB for one at a URL (stages: %j, else the project's; %j)",
    (stages, accounts) => {
      const stageStacks = Object.keys((accounts as Partial<LoadedProjectConfig>).stageAccounts ?? {}).flatMap((stage) =>
        templatesIn(synthesize({ stageAccount: stage }, { stages, ...accounts }).outdir),
      );
      const templates = synthesizeAll(stages, accounts);
      expect(templates.map((template) => template.split('/').at(-1))).toContain(fromUrl);
      for (const template of [...templates, ...stageStacks]) {
        const body = stringify(JSON.parse(readFileSync(template, 'utf8')), { schema: 'yaml-1.1', lineWidth: 0 });
        const bytes = Buffer.byteLength(body);
        const limit = template.endsWith(`/${fromUrl}`) ? 1_000_000 : 51_200;
        // The name and, when it does not fit, its size: the failure says which stack and by how much.
        expect([template.split('/').at(-1), bytes <= limit ? 'fits' : `${bytes} bytes`]).toEqual([
          template.split('/').at(-1),
          'fits',
        ]);
      }
    },
  );

  (cfnLintMissing ? it.skip : it)('pass cfn-lint with no errors or warnings', () => {
    const templates = synthesizeAll();
    expect(templates).toHaveLength(6);
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
