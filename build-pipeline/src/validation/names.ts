import { NAME_RULES, checkName, type NameKind, type ValidationIssue } from '@slipway/core';
import type { Step } from '../steps/step.js';

/** The API's limits on the free-text fields of a step. */
const DISPLAY_NAME_MAX = 256;
const DESCRIPTION_MAX = 3072;

function nameIssue(kind: NameKind, value: unknown, where: string, field: string): ValidationIssue | undefined {
  const problem = checkName(kind, value);
  return problem
    ? { where, field, problem, fix: `use a valid ${NAME_RULES[kind].what} (${NAME_RULES[kind].allowed})` }
    : undefined;
}

/** The pipeline's own name and where it is compiled for. */
export function checkPipelineNames(
  pipelineName: string,
  options: { readonly region: string; readonly bucket: string },
  issues: ValidationIssue[],
): void {
  for (const issue of [
    nameIssue('pipelineName', pipelineName, 'Pipeline', 'name'),
    nameIssue('awsRegion', options.region, 'compile options', 'region'),
    nameIssue('s3BucketName', options.bucket, 'compile options', 'bucket'),
  ]) {
    if (issue) issues.push(issue);
  }
}

/** Step names follow the service's StepName pattern; display names and descriptions its lengths. */
export function checkStepNames(steps: readonly Step[], issues: ValidationIssue[]): void {
  for (const step of steps) {
    const issue = nameIssue('stepName', step.name, step.name || '(unnamed step)', 'Name');
    if (issue) issues.push({ ...issue, fix: `rename the step: ${NAME_RULES.stepName.allowed}, at most 64 characters` });
    for (const [field, text, max] of [
      ['DisplayName', step.displayName, DISPLAY_NAME_MAX],
      ['Description', step.description, DESCRIPTION_MAX],
    ] as const) {
      if (text !== undefined && text.length > max) {
        issues.push({
          where: step.name,
          field,
          problem: `must be at most ${max} characters, got ${text.length}`,
          fix: `shorten the ${field === 'DisplayName' ? 'display name' : 'description'}`,
        });
      }
    }
  }
}
