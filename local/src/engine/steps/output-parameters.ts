import { describeValue } from '@slipway/core';
import { isObject, type AddIssue, type StepDefinition } from '../definition/index.js';

/** The types a Callback or Lambda step's OutputParameters may declare (the SDK's CallbackOutputTypeEnum/LambdaOutputTypeEnum). */
export const OUTPUT_TYPES = ['String', 'Integer', 'Boolean', 'Float'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export interface OutputDeclaration {
  readonly name: string;
  readonly type: OutputType;
}

/** The step's declared OutputParameters (already checked at creation by checkOutputParameters). */
export function declaredOutputs(step: StepDefinition): OutputDeclaration[] {
  const list = step.envelope['OutputParameters'];
  return (Array.isArray(list) ? list : []).filter(isObject).map((entry) => ({
    name: String(entry['OutputName']),
    type: (entry['OutputType'] ?? 'String') as OutputType,
  }));
}

/** A step's OutputParameters list, checked at CreatePipeline: each `{OutputName, OutputType}` of a known type. */
export function checkOutputParameters(step: StepDefinition, add: AddIssue): void {
  const outputs = step.envelope['OutputParameters'];
  if (outputs === undefined) return;
  if (!Array.isArray(outputs)) {
    add(`${step.field}.OutputParameters`, `(step "${step.name}") must be a list, got ${describeValue(outputs)}`);
    return;
  }
  outputs.forEach((entry, index) => {
    const at = `${step.field}.OutputParameters[${index}]`;
    if (!isObject(entry) || typeof entry['OutputName'] !== 'string' || entry['OutputName'].length === 0) {
      add(at, `(step "${step.name}") must be {"OutputName": ..., "OutputType": ...}, got ${describeValue(entry)}`);
      return;
    }
    const type = entry['OutputType'] ?? 'String';
    if (!OUTPUT_TYPES.includes(type as OutputType)) {
      add(
        `${at}.OutputType`,
        `(step "${step.name}") must be one of ${OUTPUT_TYPES.join(', ')}, got ${describeValue(type)}`,
      );
    }
  });
}

/** The declared outputs a step's answer left out, by name. */
export function missingOutputs(
  declared: readonly OutputDeclaration[],
  values: Readonly<Record<string, unknown>>,
): string[] {
  return declared.filter((output) => values[output.name] === undefined).map((output) => output.name);
}
