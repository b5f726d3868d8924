import { ValidationError, type ValidationIssue } from '@slipway/core';
import type { AssetRegistry } from '../assets/asset-registry.js';
import { BuildProblem } from '../build-problem.js';
import type { JsonObject, StepDefinition } from '../definition/types.js';
import { frameworkImageUri } from '../images/image-uri.js';
import { cacheConfigDefinition } from '../steps/cache-config.js';
import { ProcessingStep } from '../steps/processing-step.js';
import { retryPolicyDefinition } from '../steps/retry-policy.js';
import type { Arguments, Step, StepBuildContext } from '../steps/step.js';
import { serialize, type RecordedReference, type SerializeReport } from './serialize.js';

/** Something worth knowing that does not stop the build, e.g. an image chosen from a parameter's default. */
export interface CompileWarning {
  readonly where: string;
  readonly field: string;
  readonly message: string;
}

export interface StepCompilerOptions {
  readonly pipelineName: string;
  readonly region: string;
  readonly bucket: string;
  readonly registry: AssetRegistry;
  readonly issues: ValidationIssue[];
  readonly warnings: CompileWarning[];
}

/** Turns a thrown build problem into issues against the step; anything else is a bug and propagates. */
function issuesOf(error: unknown, stepName: string): ValidationIssue[] {
  if (error instanceof BuildProblem) {
    return [{ where: stepName, field: error.field ?? '', problem: error.problem, fix: error.fix }];
  }
  if (error instanceof ValidationError) return [...error.issues];
  throw error;
}

/**
 * Builds each step's definition exactly once, recording what its values refer to, so the validators and the
 * implicit inclusion of referenced steps work from one pass.
 */
export class StepCompiler {
  readonly references = new Map<Step, RecordedReference[]>();
  private readonly definitions = new Map<Step, StepDefinition>();

  constructor(private readonly options: StepCompilerOptions) {}

  private context(step: Step): StepBuildContext {
    const { options } = this;
    const attempt = <T>(field: string, run: () => T): T => {
      try {
        return run();
      } catch (error) {
        if (error instanceof BuildProblem)
          throw new BuildProblem(error.problem, error.fix, error.field ? `${field}.${error.field}` : field);
        throw error;
      }
    };
    return {
      pipelineName: options.pipelineName,
      region: options.region,
      bucket: options.bucket,
      stepName: step.name,
      fileAsset: (localPath, kind = 'code', field = 'code') =>
        attempt(field, () => options.registry.file(localPath, kind)),
      sourceBundle: (spec, field) => attempt(field, () => options.registry.bundle(spec)),
      image: (request, field) => {
        const resolved = attempt(field, () => frameworkImageUri({ ...request, region: options.region }));
        if (resolved.warning) options.warnings.push({ where: step.name, field, message: resolved.warning });
        return resolved.imageUri;
      },
      warn: (field, message) => options.warnings.push({ where: step.name, field, message }),
      compileStep: (nested) => this.compile(nested),
    };
  }

  /** The step's full definition (envelope and arguments); built on first request, then reused. */
  compile(step: Step): StepDefinition {
    const done = this.definitions.get(step);
    if (done) return done;
    const report: SerializeReport = { references: [], problems: [] };
    let argumentsJson: JsonObject = {};
    try {
      const built: Arguments = step.buildArguments(this.context(step));
      argumentsJson = serialize(built, 'Arguments', report) as JsonObject;
    } catch (error) {
      this.options.issues.push(...issuesOf(error, step.name));
    }
    for (const problem of report.problems) this.options.issues.push({ where: step.name, ...problem });
    for (const [index, dependency] of step.dependsOn.entries()) {
      report.references.push({ reference: { kind: 'dependsOn', step: dependency }, field: `DependsOn[${index}]` });
    }
    const definition: StepDefinition = {
      Name: step.name,
      Type: step.stepType,
      Arguments: argumentsJson,
      ...(step.dependsOn.length > 0
        ? {
            DependsOn: step.dependsOn.map((dependency) =>
              typeof dependency === 'string' ? dependency : dependency.name,
            ),
          }
        : {}),
      ...(step.displayName ? { DisplayName: step.displayName } : {}),
      ...(step.description ? { Description: step.description } : {}),
      ...(step.retryPolicies.length > 0 ? { RetryPolicies: step.retryPolicies.map(retryPolicyDefinition) } : {}),
      ...(step.cacheConfig ? { CacheConfig: cacheConfigDefinition(step.cacheConfig) } : {}),
      ...(step instanceof ProcessingStep && step.propertyFiles.length > 0
        ? { PropertyFiles: step.propertyFiles.map((file) => file.toPropertyFileDefinition()) }
        : {}),
    };
    this.definitions.set(step, definition);
    this.references.set(step, report.references);
    return definition;
  }
}
