import type { ValidationIssue } from '@slipway/core';
import type { CompileWarning } from '../compiler/step-compiler.js';
import { ProcessingStep } from '../steps/processing-step.js';
import { RegisterModel } from '../steps/register-model.js';
import type { Step } from '../steps/step.js';
import { TrainingStep } from '../steps/training-step.js';

function duplicates(names: readonly string[]): string[] {
  return names.filter((name, index) => names.indexOf(name) !== index);
}

const APPROVAL_STATUSES: readonly string[] = ['PendingManualApproval', 'Approved', 'Rejected'];

/**
 * What a step holds that others refer to or the service enumerates: input, output, channel and property file
 * names, and a model's approval status. A property file on a missing output is only a warning here (the Python
 * SDK accepts it); reading it with JsonGet is an error.
 */
export function checkStepStructure(
  steps: readonly Step[],
  issues: ValidationIssue[],
  warnings: CompileWarning[],
): void {
  for (const step of steps) {
    const status = step instanceof RegisterModel ? step.props.approvalStatus : undefined;
    if (typeof status === 'string' && !APPROVAL_STATUSES.includes(status)) {
      issues.push({
        where: step.name,
        field: 'Arguments.ModelApprovalStatus',
        problem: `is ${JSON.stringify(status)}`,
        fix: `use one of ${APPROVAL_STATUSES.join(', ')} (or a String parameter with these enumValues)`,
      });
    }
    if (step instanceof ProcessingStep) {
      for (const name of duplicates(step.inputNames())) {
        issues.push({
          where: step.name,
          field: 'ProcessingInputs',
          problem: `has two inputs named ${JSON.stringify(name)}`,
          fix: name === 'code' ? 'rename your input; "code" is where the script goes' : 'give each input its own name',
        });
      }
      for (const name of duplicates(step.outputNames())) {
        issues.push({
          where: step.name,
          field: 'ProcessingOutputConfig.Outputs',
          problem: `has two outputs named ${JSON.stringify(name)}`,
          fix: 'give each output its own name',
        });
      }
      for (const name of duplicates(step.propertyFiles.map((file) => file.name))) {
        issues.push({
          where: step.name,
          field: 'PropertyFiles',
          problem: `declares ${name} twice`,
          fix: 'declare it once',
        });
      }
      const outputs = step.outputNames();
      step.propertyFiles.forEach((file, index) => {
        if (!outputs.includes(file.outputName)) {
          warnings.push({
            where: step.name,
            field: `PropertyFiles[${index}].OutputName`,
            message: `is ${JSON.stringify(file.outputName)}, which is not one of the step's outputs (${outputs.join(', ') || 'none'}), so ${file.name} cannot be read`,
          });
        }
      });
    }
    if (step instanceof TrainingStep) {
      for (const name of duplicates(step.channelNames())) {
        issues.push({
          where: step.name,
          field: 'InputDataConfig',
          problem: `has two channels named ${name}`,
          fix: 'name each channel once',
        });
      }
    }
  }
}
