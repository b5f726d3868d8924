// The AWS SDK commands the run sends, loaded on the first send (`awsCommands()`), not when this package is
// imported: every pipeline module imports the package for its DSL, and evaluating the two SDK clients costs
// about a third of a second that compiling a pipeline never needs. Loaded through this module, which names
// each command, rather than by importing the client packages whole, so a bundler keeps only these commands.
import type * as Commands from './aws-command-set.js';

let loading: Promise<typeof Commands> | undefined;

/** The SDK commands, loaded once, on first use. */
export function awsCommands(): Promise<typeof Commands> {
  loading ??= import('./aws-command-set.js');
  return loading;
}
