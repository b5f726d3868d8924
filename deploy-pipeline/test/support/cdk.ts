import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { LoadedProjectConfig } from '@slipway/core';
import { buildApp, type SlipwayApp } from '../../src/cdk/index.js';
import { testProject, type ProjectOverrides } from './project.js';

/** CloudFormation types that cannot carry tags; every other resource must carry the project tags. */
export const UNTAGGABLE: ReadonlySet<string> = new Set([
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::KMS::Alias',
  'AWS::Events::Connection',
  'AWS::Events::ApiDestination',
]);

/** A resource of a synthesized template, as the tests read it. */
export type Resource = { Type: string; Properties?: Record<string, unknown> };

export const SAMPLE_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/3';

/** The context of `bootstrap --projects-template`'s last step: the project template and its portfolio. */
export const PROJECTS_TEMPLATE_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  projectsTemplate: 'true',
  productTemplateKey: 'project-templates/sentiment-0123456789abcdef.template.json',
  studioRoleArns:
    'arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-1,arn:aws:iam::123456789012:role/studio-2',
  launchRoleArn: 'arn:aws:iam::123456789012:role/service-role/AmazonSageMakerServiceCatalogProductsLaunchRole',
});

export interface Synthesized extends SlipwayApp {
  readonly outdir: string;
  readonly project: LoadedProjectConfig;
  /** Every finding any validation plugin (cdk-nag's AwsSolutions, CDK's own checks) reported. */
  readonly violations: readonly string[];
  template(stackName: string): Template;
}

/** A fresh app (GIVEN), synthesized into its own temporary folder (WHEN). */
export function synthesize(context: Record<string, string> = {}, overrides: ProjectOverrides = {}): Synthesized {
  const project = testProject(overrides);
  const outdir = mkdtempSync(join(tmpdir(), 'slipway-cdk-'));
  const built = buildApp({ project, appProps: { outdir, context } });
  let failure: unknown;
  try {
    built.app.synth();
  } catch (error) {
    failure = error;
  }
  const violations = readViolations(outdir);
  if (failure && violations.length === 0) throw failure;
  return {
    ...built,
    outdir,
    project,
    violations,
    template: (stackName) => {
      const stack = [
        ...(built.projectStack ? [built.projectStack] : []),
        ...(built.monitoringStack ? [built.monitoringStack] : []),
        ...built.endpointStacks,
        ...(built.projectsTemplate ? [built.projectsTemplate.template, built.projectsTemplate.portfolio] : []),
        ...(built.stageAccountStack ? [built.stageAccountStack] : []),
      ].find((candidate) => candidate.stackName === stackName);
      if (!stack) throw new Error(`no stack ${stackName}`);
      return Template.fromJSON(
        JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8')) as Record<string, unknown>,
      );
    },
  };
}

export function readViolations(outdir: string): string[] {
  const path = join(outdir, 'validation-report.json');
  if (!existsSync(path)) return [];
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    pluginReports: {
      pluginName: string;
      violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map(
        (construct) =>
          `${plugin.pluginName} ${violation.ruleName} at ${construct.constructPath}: ${violation.description}`,
      ),
    ),
  );
}
