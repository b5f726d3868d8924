import * as core from '@actions/core';
import { ActionInputs, failStep, loadActionProject, type InputReader } from '@slipway/core';
import {
  chooseBackend,
  endpointTestRows,
  stageTestOptions,
  testEndpoint,
  type EndpointTestResult,
} from '@slipway/deploy-pipeline';

/** Every input of action.yml, read once. `required` in action.yml is not enforced by the runner; this is. */
export interface TestEndpointInputs {
  readonly stage: string;
  /** Overrides the stage's endpoint name. */
  readonly endpointName: string;
  readonly samples: string;
  /** Override the stage config's thresholds when given. */
  readonly minAccuracy?: number;
  readonly maxP95LatencyMs?: number;
  readonly backend: string;
  readonly endpointUrl: string;
  readonly config: string;
}

export function readInputs(read: InputReader): TestEndpointInputs {
  const inputs = new ActionInputs(read);
  const stage = inputs.required('stage', 'name the stage whose endpoint to test, e.g. staging');
  const fix = 'or leave it out to use the stage config';
  const minAccuracy = inputs.number('min-accuracy', { min: 0, max: 1 }, undefined, fix);
  const maxP95LatencyMs = inputs.number('max-p95-latency-ms', { min: 1, max: 60_000 }, undefined, fix);
  const tested: TestEndpointInputs = {
    stage,
    endpointName: inputs.text('endpoint-name'),
    samples: inputs.text('samples'),
    ...(minAccuracy !== undefined ? { minAccuracy } : {}),
    ...(maxP95LatencyMs !== undefined ? { maxP95LatencyMs } : {}),
    backend: inputs.text('backend'),
    endpointUrl: inputs.text('endpoint-url'),
    config: inputs.text('config'),
  };
  inputs.finish();
  return tested;
}

async function writeSummary(stage: string, result: EndpointTestResult): Promise<void> {
  const [header, ...rows] = endpointTestRows(result);
  core.summary
    .addHeading(`Endpoint tests: ${stage} (${result.endpointName}) ${result.passed ? 'passed' : 'FAILED'}`, 3)
    .addTable([(header ?? []).map((data) => ({ data, header: true })), ...rows]);
  if (result.failures.length > 0) core.summary.addList([...result.failures]);
  if (result.mistakes.length > 0) {
    core.summary.addDetails(
      `${result.mistakes.length} reviews predicted differently from their label`,
      result.mistakes.map((mistake) => `${mistake.expected} → ${mistake.predicted}: ${mistake.text}`).join('<br>'),
    );
  }
  await core.summary.write();
}

/** The action: test a stage's endpoint, report in the job summary, fail the step below the thresholds. */
export async function run(): Promise<void> {
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const project = loadActionProject(inputs.config);
    const result = await testEndpoint(
      stageTestOptions({
        stage: inputs.stage,
        project,
        ...(inputs.samples ? { samplesPath: inputs.samples } : {}),
        ...(inputs.endpointName ? { endpointName: inputs.endpointName } : {}),
        thresholds: {
          ...(inputs.minAccuracy !== undefined ? { minAccuracy: inputs.minAccuracy } : {}),
          ...(inputs.maxP95LatencyMs !== undefined ? { maxP95LatencyMs: inputs.maxP95LatencyMs } : {}),
        },
        backend: chooseBackend({ kind: inputs.backend, endpointUrl: inputs.endpointUrl, region: project.region }),
        log: (line) => core.info(line),
      }),
    );
    core.setOutput('passed', String(result.passed));
    core.setOutput('accuracy', result.accuracy.toFixed(4));
    core.setOutput('p50-ms', String(result.latency.p50Ms));
    core.setOutput('p95-ms', String(result.latency.p95Ms));
    await writeSummary(inputs.stage, result);
    if (!result.passed) throw new Error(`The ${inputs.stage} endpoint failed its tests: ${result.failures.join('; ')}`);
  } catch (error) {
    failStep(core, error);
  }
}
