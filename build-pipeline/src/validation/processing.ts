import type { ValidationIssue } from '@slipway/core';
import type { CompileWarning } from '../compiler/step-compiler.js';
import { ProcessingStep } from '../steps/processing-step.js';
import type { Step } from '../steps/step.js';
import { TrainingStep } from '../steps/training-step.js';

function duplicates(names: readonly string[]): string[] {
  return names.filter((name, index) => names.indexOf(name) !== index);
}

/**
 * Names inside a job step that others refer to: inputs, outputs, channels and property files. A property file
 * on a missing output is only a warning here (the Python SDK accepts it); reading it with JsonGet is an error.
 */
export function checkJobStructure(steps: readonly Step[], issues: ValidationIssue[], warnings: CompileWarning[]): void {
  for (const step of steps) {
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
