import { ValidationError, type ValidationIssue } from '@slipway/core';
import type { Asset } from '../assets/asset.js';
import { AssetRegistry } from '../assets/asset-registry.js';
import { BuildProblem } from '../build-problem.js';
import type {
  ParameterDefinition,
  PipelineDefinition,
  PipelineExperimentConfigDefinition,
} from '../definition/types.js';
import type { Pipeline } from '../dsl/pipeline.js';
import type { Step } from '../steps/step.js';
import { checkConditionTypes } from '../validation/conditions.js';
import { checkCycles } from '../validation/graph.js';
import { checkPipelineNames, checkStepNames } from '../validation/names.js';
import { checkParameters } from '../validation/parameters.js';
import { checkPolicies } from '../validation/policies.js';
import { checkStepStructure } from '../validation/structure.js';
import { checkReferences, type ReferenceScope } from '../validation/references.js';
import { checkDefinitionSize } from '../validation/size.js';
import { experimentConfigArgument } from './experiment-config.js';
import { serialize, type RecordedReference, type SerializeReport } from './serialize.js';
import { StepCompiler, type CompileWarning } from './step-compiler.js';
import { StepLayout } from './step-layout.js';

export interface CompileOptions {
  /** The region the pipeline runs in: it picks framework images and the experiment-config default. */
  readonly region: string;
  /** The bucket for code assets and default output locations (the project's artifact bucket). */
  readonly bucket: string;
  /** Key prefix of the assets. @default the pipeline name */
  readonly assetPrefix?: string;
}

export interface CompileResult {
  readonly definition: PipelineDefinition;
  /** The definition as sent to CreatePipeline/UpdatePipeline: compact, deterministic. */
  readonly json: string;
  /** What to upload before creating the pipeline, ordered by key. */
  readonly assets: readonly Asset[];
  readonly warnings: readonly CompileWarning[];
}

function referencedSteps(references: readonly RecordedReference[]): Step[] {
  const steps: Step[] = [];
  for (const { reference } of references) {
    const target =
      reference.kind === 'stepProperty' || reference.kind === 'dependsOn' || reference.kind === 'propertyFile'
        ? reference.step
        : undefined;
    if (target !== undefined && typeof target !== 'string') steps.push(target as Step);
  }
  return steps;
}

function dependencyNames(references: readonly RecordedReference[]): Set<string> {
  const names = new Set<string>();
  for (const { reference } of references) {
    if (reference.kind === 'parameter') continue;
    names.add(typeof reference.step === 'string' ? reference.step : reference.step.name);
  }
  return names;
}

/** Builds every placed step; a step referred to but placed nowhere joins the top level (as in the Python SDK). */
function placeAndBuild(pipeline: Pipeline, compiler: StepCompiler, issues: ValidationIssue[]): StepLayout {
  const layout = new StepLayout(issues);
  for (const step of pipeline.steps) layout.addTopLevel(step);
  for (let index = 0; index < layout.steps.length; index++) {
    const step = layout.steps[index]!;
    compiler.compile(step);
    for (const target of referencedSteps(compiler.references.get(step) ?? [])) {
      if (!layout.has(target)) layout.addTopLevel(target);
    }
  }
  return layout;
}

/** Every rule about the steps, each in its own validator. */
function checkSteps(
  layout: StepLayout,
  compiler: StepCompiler,
  scope: ReferenceScope,
  issues: ValidationIssue[],
  warnings: CompileWarning[],
): void {
  const steps = layout.steps;
  checkStepNames(steps, issues);
  checkStepStructure(steps, issues, warnings);
  checkPolicies(steps, issues);
  checkConditionTypes(steps, issues);
  const dependencies = new Map<string, Set<string>>();
  for (const step of steps) {
    const references = compiler.references.get(step) ?? [];
    checkReferences({ where: step.name, step }, references, scope, issues);
    const names = dependencyNames(references);
    const parent = layout.placements.get(step)?.parent;
    if (parent) names.add(parent.name);
    // A step waiting on itself is reported by checkReferences, with a sharper message.
    names.delete(step.name);
    dependencies.set(step.name, names);
  }
  checkCycles(dependencies, issues);
}

/** The `Parameters` list; a file-asset default becomes the asset's S3 URI. */
function parameterDefinitions(
  pipeline: Pipeline,
  registry: AssetRegistry,
  issues: ValidationIssue[],
): ParameterDefinition[] {
  return pipeline.parameters.map((parameter) =>
    parameter.toParameterDefinition((asset) => {
      try {
        return registry.file(asset.localPath, asset.kind).s3Uri;
      } catch (error) {
        if (!(error instanceof BuildProblem)) throw error;
        issues.push({
          where: `Parameters.${parameter.name}`,
          field: 'DefaultValue',
          problem: error.problem,
          fix: error.fix,
        });
        return '';
      }
    }),
  );
}

function experimentConfigDefinition(
  pipeline: Pipeline,
  region: string,
  scope: ReferenceScope,
  issues: ValidationIssue[],
): PipelineExperimentConfigDefinition | null {
  const report: SerializeReport = { references: [], problems: [] };
  const json = serialize(
    experimentConfigArgument(pipeline.pipelineExperimentConfig, region),
    'PipelineExperimentConfig',
    report,
  );
  for (const problem of report.problems) issues.push({ where: pipeline.name, ...problem });
  checkReferences({ where: pipeline.name }, report.references, scope, issues);
  return json as unknown as PipelineExperimentConfigDefinition | null;
}

/**
 * Compiles a pipeline into its definition JSON and the assets it needs. Nothing is uploaded or sent: every
 * problem found is reported at once, as one ValidationError, before anyone uploads anything.
 */
export function compile(pipeline: Pipeline, options: CompileOptions): CompileResult {
  const issues: ValidationIssue[] = [];
  const warnings: CompileWarning[] = [];
  checkPipelineNames(pipeline.name, options, issues);
  checkParameters(pipeline.parameters, issues);
  const registry = new AssetRegistry(options.bucket, options.assetPrefix ?? pipeline.name);
  const compiler = new StepCompiler({ pipelineName: pipeline.name, ...options, registry, issues, warnings });
  const layout = placeAndBuild(pipeline, compiler, issues);
  const scope: ReferenceScope = { parameters: pipeline.parameters, stepsByName: layout.byName };
  checkSteps(layout, compiler, scope, issues, warnings);
  const parameters = parameterDefinitions(pipeline, registry, issues);
  const experimentConfig = experimentConfigDefinition(pipeline, options.region, scope, issues);
  if (issues.length > 0) throw new ValidationError(issues);

  const definition: PipelineDefinition = {
    Version: '2020-12-01',
    Metadata: {},
    Parameters: parameters,
    PipelineExperimentConfig: experimentConfig,
    Steps: layout.topLevel.map((step) => compiler.compile(step)),
  };
  const json = JSON.stringify(definition);
  const tooBig = checkDefinitionSize(json, pipeline.name);
  if (tooBig) throw new ValidationError(tooBig);
  return { definition, json, assets: registry.list(), warnings };
}
