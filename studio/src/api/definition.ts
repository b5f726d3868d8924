import type { PipelineDefinition } from '@slipway/build-pipeline';
import { allSteps, pipelineGraph } from '@slipway/build-pipeline/run';
import type { ExecutionView, ParameterDeclaration } from '../views.js';

/**
 * A definition as SageMaker returns it (DescribePipeline, DescribePipelineDefinitionForExecution). Only
 * what the console reads is relied on; anything missing reads as empty.
 */
export function parseDefinition(text: string | undefined): PipelineDefinition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '{}');
  } catch {
    parsed = {};
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<PipelineDefinition>;
  return {
    Version: '2020-12-01',
    Metadata: {},
    PipelineExperimentConfig: null,
    ...record,
    Parameters: Array.isArray(record.Parameters) ? record.Parameters : [],
    Steps: Array.isArray(record.Steps) ? record.Steps : [],
  };
}

/** The parameters a definition declares, as the start form shows them. */
export function declaredParameters(definition: PipelineDefinition): ParameterDeclaration[] {
  return definition.Parameters.map((parameter) => ({
    name: parameter.Name,
    type: parameter.Type,
    ...(parameter.DefaultValue !== undefined ? { defaultValue: String(parameter.DefaultValue) } : {}),
    ...(parameter.EnumValues ? { enumValues: parameter.EnumValues } : {}),
  }));
}

/** The DAG the page lays out: the same graph the build workflow's summary draws. */
export function executionGraph(definition: PipelineDefinition): ExecutionView['graph'] {
  return pipelineGraph(definition);
}

export { allSteps };
