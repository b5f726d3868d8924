import type { Asset } from '../assets/asset.js';
import type { Condition } from '../conditions/conditions.js';
import type { SourceBundleSpec } from '../assets/asset-registry.js';
import type { JsonPrimitive, StepDefinition, StepType } from '../definition/types.js';
import type { AssetKind } from '../dsl/file-asset.js';
import type { PipelineVariable, StepHandle } from '../dsl/pipeline-variable.js';
import type { ImageRequest } from '../images/image-uri.js';
import type { CacheConfig } from './cache-config.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * A step's request before serialisation: JSON with pipeline variables where run-time values go. `undefined`
 * members are left out, as the Python SDK leaves out unset options.
 */
export type ArgumentValue =
  | JsonPrimitive
  | undefined
  | PipelineVariable
  | Condition
  | StepDefinition
  | readonly ArgumentValue[]
  | { readonly [key: string]: ArgumentValue };

export type Arguments = { readonly [key: string]: ArgumentValue };

/** What a step may ask of the compiler while it builds its request. */
export interface StepBuildContext {
  readonly pipelineName: string;
  readonly region: string;
  /** The bucket for code assets and default output locations. */
  readonly bucket: string;
  readonly stepName: string;
  /** A local file as an asset with a content-addressed key; problems are reported against `field`. */
  fileAsset(localPath: string, kind?: AssetKind, field?: string): Asset;
  /** A script-mode `sourcedir.tar.gz`, byte-stable, as an asset; problems are reported against `field`. */
  sourceBundle(spec: SourceBundleSpec, field: string): Asset;
  /** A framework image for the compile region; a warning, if any, is reported against `field`. */
  image(request: Omit<ImageRequest, 'region'>, field: string): string;
  warn(field: string, message: string): void;
  /** The full definition of a nested step (a condition's branches). */
  compileStep(step: Step): StepDefinition;
}

export interface StepOptions {
  /** Steps that must finish first, beyond those this step's values already refer to. */
  readonly dependsOn?: readonly (Step | string)[];
  readonly displayName?: string;
  readonly description?: string;
}

export interface RetryableStepOptions extends StepOptions {
  readonly retryPolicies?: readonly RetryPolicy[];
}

export interface CacheableStepOptions extends RetryableStepOptions {
  readonly cacheConfig?: CacheConfig;
}

type AllStepOptions = CacheableStepOptions;

export interface NestedSteps {
  readonly field: string;
  readonly steps: readonly Step[];
}

/** The envelope every step shares: name, type, explicit dependencies, display name, description. */
export abstract class Step implements StepHandle {
  abstract readonly stepType: StepType;
  readonly name: string;
  readonly displayName: string | undefined;
  readonly description: string | undefined;
  readonly retryPolicies: readonly RetryPolicy[];
  readonly cacheConfig: CacheConfig | undefined;
  private readonly explicitDependencies: (Step | string)[];

  protected constructor(name: string, options: AllStepOptions = {}) {
    this.name = name;
    this.displayName = options.displayName;
    this.description = options.description;
    this.retryPolicies = [...(options.retryPolicies ?? [])];
    this.cacheConfig = options.cacheConfig;
    this.explicitDependencies = [...(options.dependsOn ?? [])];
  }

  get dependsOn(): readonly (Step | string)[] {
    return this.explicitDependencies;
  }

  /** Adds explicit dependencies after construction (the Python SDK's `add_depends_on`). */
  addDependsOn(...steps: readonly (Step | string)[]): void {
    this.explicitDependencies.push(...steps);
  }

  /** The service request this step sends, e.g. a CreateProcessingJob request without its job name. */
  abstract buildArguments(context: StepBuildContext): Arguments;

  /** Steps nested inside this one, by the field that holds them (a condition's branches). */
  nestedSteps(): readonly NestedSteps[] {
    return [];
  }
}
