import { PIPELINE_STEP_TYPES, describeValue, type PipelineStepType } from '@slipway/core';
import type { AddIssue, PropertyFileDeclaration } from './definition-types.js';
import { isObject } from './json-object.js';

/** A step's PropertyFiles: only where its type has them, each naming one of the step's outputs. */
export function parsePropertyFiles(
  type: PipelineStepType,
  step: Record<string, unknown>,
  field: string,
  add: AddIssue,
): PropertyFileDeclaration[] {
  const value = step['PropertyFiles'];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    add(`${field}.PropertyFiles`, `must be a list, got ${describeValue(value)}`);
    return [];
  }
  if (!PIPELINE_STEP_TYPES[type].propertyFiles) {
    const allowed = Object.entries(PIPELINE_STEP_TYPES)
      .filter(([, facts]) => facts.propertyFiles)
      .map(([name]) => name);
    add(`${field}.PropertyFiles`, `is only allowed on ${allowed.join(', ')} steps`);
  }
  const outputs =
    isObject(step['Arguments']) && isObject(step['Arguments']['ProcessingOutputConfig'])
      ? step['Arguments']['ProcessingOutputConfig']['Outputs']
      : undefined;
  const outputNames = Array.isArray(outputs) ? outputs.map((o) => (isObject(o) ? o['OutputName'] : undefined)) : [];
  const files: PropertyFileDeclaration[] = [];
  value.forEach((entry, index) => {
    const entryField = `${field}.PropertyFiles[${index}]`;
    if (
      !isObject(entry) ||
      typeof entry['PropertyFileName'] !== 'string' ||
      typeof entry['OutputName'] !== 'string' ||
      typeof entry['FilePath'] !== 'string'
    ) {
      return add(entryField, `must be {PropertyFileName, OutputName, FilePath} strings, got ${describeValue(entry)}`);
    }
    if (!outputNames.includes(entry['OutputName'])) {
      add(
        `${entryField}.OutputName`,
        `names no output of this step: ${JSON.stringify(entry['OutputName'])}`,
        'use the OutputName of one of ProcessingOutputConfig.Outputs',
      );
    }
    files.push({ name: entry['PropertyFileName'], outputName: entry['OutputName'], filePath: entry['FilePath'] });
  });
  return files;
}
