// The entry the CDK CLI runs (deploy-pipeline/cdk.json): `cdk synth`, `cdk deploy`, as the deploy logic and
// `slipway bootstrap` invoke it.
import { ValidationError, loadProjectConfig } from '@slipway/core';
import { buildApp } from './app.js';

try {
  const { app } = buildApp({ project: loadProjectConfig() });
  app.synth();
} catch (error) {
  // Bad input (the project config, the context) is one message naming the field and the fix: the CDK CLI
  // shows the app's stderr, and a stack trace around it would hide it. Anything else keeps its stack.
  if (!(error instanceof ValidationError)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
}
