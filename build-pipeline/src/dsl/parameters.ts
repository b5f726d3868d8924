import type { JsonValue, ParameterDefinition, ParameterType } from '../definition/types.js';
import type { FileAsset } from './file-asset.js';
import {
  PipelineVariable,
  type ParameterHandle,
  type Primitive,
  type ReferenceSink,
  type ValueKind,
} from './pipeline-variable.js';

/**
 * A pipeline parameter, `{"Get": "Parameters.<name>"}` wherever it is used. Values given at start override the
 * default; a parameter without a default must be given.
 */
export abstract class Parameter<T extends Primitive> extends PipelineVariable<T> implements ParameterHandle {
  abstract readonly parameterType: ParameterType;

  protected constructor(
    readonly name: string,
    readonly defaultValue: T | undefined,
  ) {
    super();
  }

  get kind(): ValueKind {
    return this.parameterType === 'String' ? 'string' : this.parameterType === 'Boolean' ? 'boolean' : 'number';
  }

  toDefinition(sink: ReferenceSink): JsonValue {
    sink.add({ kind: 'parameter', parameter: this });
    return { Get: `Parameters.${this.name}` };
  }

  describe(): string {
    return `Parameters.${this.name}`;
  }

  /** The `Parameters` entry; `resolveDefault` turns a file asset default into its S3 URI. */
  toParameterDefinition(resolveDefault: (asset: FileAsset) => string): ParameterDefinition {
    const defaultValue = this.defaultForDefinition(resolveDefault);
    return {
      Name: this.name,
      Type: this.parameterType,
      ...(defaultValue !== undefined ? { DefaultValue: defaultValue } : {}),
    };
  }

  /** The default as written to the definition; a default is kept even when it is 0, false or "". */
  protected defaultForDefinition(_resolveDefault: (asset: FileAsset) => string): Primitive | undefined {
    return this.defaultValue;
  }
}

export interface ParameterStringOptions {
  /** A literal, or a local file uploaded as an asset whose S3 URI becomes the default. */
  readonly defaultValue?: string | FileAsset;
  /** The only values the service accepts at start. */
  readonly enumValues?: readonly string[];
}

export class ParameterString extends Parameter<string> {
  readonly parameterType = 'String' as const;
  readonly enumValues: readonly string[] | undefined;
  readonly defaultAsset: FileAsset | undefined;

  constructor(name: string, options: ParameterStringOptions = {}) {
    super(name, typeof options.defaultValue === 'string' ? options.defaultValue : undefined);
    this.defaultAsset = typeof options.defaultValue === 'object' ? options.defaultValue : undefined;
    this.enumValues = options.enumValues ? [...options.enumValues] : undefined;
  }

  override toParameterDefinition(resolveDefault: (asset: FileAsset) => string): ParameterDefinition {
    return {
      ...super.toParameterDefinition(resolveDefault),
      ...(this.enumValues ? { EnumValues: this.enumValues } : {}),
    };
  }

  protected override defaultForDefinition(resolveDefault: (asset: FileAsset) => string): string | undefined {
    return this.defaultAsset ? resolveDefault(this.defaultAsset) : this.defaultValue;
  }
}

export class ParameterInteger extends Parameter<number> {
  readonly parameterType = 'Integer' as const;

  constructor(name: string, options: { readonly defaultValue?: number } = {}) {
    super(name, options.defaultValue);
  }
}

export class ParameterFloat extends Parameter<number> {
  readonly parameterType = 'Float' as const;

  constructor(name: string, options: { readonly defaultValue?: number } = {}) {
    super(name, options.defaultValue);
  }
}

export class ParameterBoolean extends Parameter<boolean> {
  readonly parameterType = 'Boolean' as const;

  constructor(name: string, options: { readonly defaultValue?: boolean } = {}) {
    super(name, options.defaultValue);
  }
}

/** Any parameter, as the pipeline lists them. */
export type AnyParameter = ParameterString | ParameterInteger | ParameterFloat | ParameterBoolean;
