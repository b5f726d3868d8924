import type { PropertyFileDefinition } from '../definition/types.js';
import type { PropertyFileHandle } from './pipeline-variable.js';

export interface PropertyFileProps<O extends string> {
  /** The name JsonGet uses, e.g. `EvaluationReport`. */
  readonly name: string;
  /** The processing output that holds the file. */
  readonly outputName: O;
  /** The file's path inside that output, e.g. `evaluation.json`. */
  readonly path: string;
}

/**
 * A JSON file written by a processing step, read back by `JsonGet` once the step has succeeded (from
 * `<output's S3Uri>/<path>`). Declare it on the step with `propertyFiles`.
 */
export class PropertyFile<O extends string = string> implements PropertyFileHandle {
  readonly name: string;
  readonly outputName: O;
  readonly path: string;

  constructor(props: PropertyFileProps<O>) {
    this.name = props.name;
    this.outputName = props.outputName;
    this.path = props.path;
  }

  toPropertyFileDefinition(): PropertyFileDefinition {
    return { PropertyFileName: this.name, OutputName: this.outputName, FilePath: this.path };
  }
}
