import { ValidationError, describeValue, parseJsonText, type ValidationIssue } from '@slipway/core';
import { DEFINITION_VERSION, type AddIssue, type PipelineDefinition } from './definition-types.js';
import { isObject } from './json-object.js';
import { parseParameters } from './parameter-declarations.js';
import { orderSteps } from './step-order.js';
import { buildSteps, collectSteps, type RawStep } from './step-entries.js';

/**
 * Parses and checks a pipeline definition (JSON text) the way CreatePipeline should: structure, names,
 * parameters, every reference (to parameters, execution variables, steps, property files), conditions,
 * retry and cache settings (by the step types' facts in `@slipway/core`), and that the step graph has no
 * cycle. All problems are reported at once. Whether the local server can run each step is checked apart
 * (`checkLocalSupport` in `steps/`), so this stays a check of the document SageMaker itself would accept.
 */
export function parseDefinition(text: string): PipelineDefinition {
  const where = 'PipelineDefinition';
  const document = parseJsonText(text, where, 'pass the JSON your pipeline compiler produced');
  const issues: ValidationIssue[] = [];
  const add: AddIssue = (field, problem, fix) => issues.push({ where, field, problem, ...(fix ? { fix } : {}) });
  if (!isObject(document)) {
    add('', `must be a JSON object, got ${describeValue(document)}`);
    throw new ValidationError(issues);
  }
  if (document['Version'] !== DEFINITION_VERSION) {
    add('Version', `must be "${DEFINITION_VERSION}", got ${describeValue(document['Version'])}`);
  }
  const parameters = parseParameters(document['Parameters'], add);
  const experiment = document['PipelineExperimentConfig'];
  if (experiment !== undefined && experiment !== null && !isObject(experiment)) {
    add('PipelineExperimentConfig', `must be an object or null, got ${describeValue(experiment)}`);
  }
  const collected: RawStep[] = [];
  if (!Array.isArray(document['Steps']) || document['Steps'].length === 0) {
    add('Steps', `must be a non-empty list of steps, got ${describeValue(document['Steps'])}`);
  } else {
    collectSteps(document['Steps'], 'Steps', undefined, collected, add);
  }
  const steps = buildSteps(collected, parameters, isObject(experiment) ? experiment : undefined, add);
  const ordered = issues.length === 0 ? orderSteps(steps, add) : steps;
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    parameters,
    experimentConfig: isObject(experiment) ? (experiment as PipelineDefinition['experimentConfig']) : null,
    steps: ordered,
  };
}
