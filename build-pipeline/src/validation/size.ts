import type { ValidationIssue } from '@slipway/core';
import { MAX_DEFINITION_CHARACTERS } from '../definition/types.js';

/** The definition must fit CreatePipeline's `PipelineDefinition` (1 MiB of characters). */
export function checkDefinitionSize(json: string, pipelineName: string): ValidationIssue | undefined {
  if (json.length <= MAX_DEFINITION_CHARACTERS) return undefined;
  return {
    where: pipelineName,
    field: 'PipelineDefinition',
    problem: `is ${json.length.toLocaleString('en-US')} characters, over the service's limit of ${MAX_DEFINITION_CHARACTERS.toLocaleString('en-US')}`,
    fix:
      'shrink it: fewer or smaller steps, shorter descriptions and messages (the SageMaker Python SDK sends any ' +
      'definition of 100 KiB or more through PipelineDefinitionS3Location instead of inline)',
  };
}
