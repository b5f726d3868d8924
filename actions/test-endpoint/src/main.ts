import * as core from '@actions/core';
import { ValidationError, loadProjectConfig } from '@slipway/core';
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

function optionalNumber(name: string, min: number, max: number): number | undefined {
  const text = core.getInput(name);
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError({
      where: `input ${name}`,
      field: '',
      problem: `must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`,
      fix: 'or leave it out to use the stage config',
    });
  }
  return value;
}

export function readInputs(): TestEndpointInputs {
  const stage = core.getInput('stage');
  if (!stage)
    throw new ValidationError({
      where: 'input stage',
      field: '',
      problem: 'is required',
      fix: 'name the stage whose endpoint to test, e.g. staging',
    });
  const minAccuracy = optionalNumber('min-accuracy', 0, 1);
  const maxP95LatencyMs = optionalNumber('max-p95-latency-ms', 1, 60_000);
  return {
    stage,
    endpointName: core.getInput('endpoint-name'),
    samples: core.getInput('samples'),
    ...(minAccuracy !== undefined ? { minAccuracy } : {}),
    ...(maxP95LatencyMs !== undefined ? { maxP95LatencyMs } : {}),
    backend: core.getInput('backend'),
    endpointUrl: core.getInput('endpoint-url'),
    config: core.getInput('config'),
  };
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
    const inputs = readInputs();
    const project = loadProjectConfig({
      ...(inputs.config ? { path: inputs.config } : {}),
      cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    });
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
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
