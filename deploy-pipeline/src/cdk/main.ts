// The entry the CDK CLI runs (deploy-pipeline/cdk.json): `cdk synth`, `cdk deploy`, as the deploy logic and
// `slipway bootstrap` invoke it.
import { loadProjectConfig } from '@slipway/core';
import { buildApp } from './app.js';

const { app } = buildApp({ project: loadProjectConfig() });
app.synth();
