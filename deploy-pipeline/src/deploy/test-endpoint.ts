import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClientConfig, type Backend } from '@slipway/core';
import type { EndpointTestThresholds } from '../config/stage-config.js';
import type { LabelledSample, SentimentLabel } from './endpoint-samples.js';
import { parsePredictions } from './predictions.js';

export interface EndpointTestOptions {
  readonly endpointName: string;
  readonly samples: readonly LabelledSample[];
  readonly thresholds: EndpointTestThresholds;
  readonly backend: Backend;
  /** @default - no progress output */
  readonly log?: (message: string) => void;
}

export interface EndpointTestDeps {
  readonly runtime?: SageMakerRuntimeClient;
  /** Milliseconds clock; injectable so tests can fix latencies. */
  readonly now?: () => number;
}

export interface LatencySummary {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

export interface EndpointTestResult {
  readonly endpointName: string;
  readonly passed: boolean;
  /** Share of labelled samples predicted correctly (0–1). */
  readonly accuracy: number;
  readonly correct: number;
  readonly total: number;
  readonly latency: LatencySummary;
  readonly thresholds: EndpointTestThresholds;
  /** Why the test failed, one line per reason; empty when it passed. */
  readonly failures: readonly string[];
  /** The samples the endpoint got wrong. */
  readonly mistakes: readonly {
    readonly text: string;
    readonly expected: SentimentLabel;
    readonly predicted: SentimentLabel;
  }[];
}

const CONTENT_TYPE = 'application/json';

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * Tests a live endpoint: one batch request must answer with one well-formed prediction per review; then
 * each labelled review is sent on its own, timed, and compared with its label. Fails below the stage's
 * accuracy or above its p95 latency, or on any malformed answer or invocation error.
 */
export async function testEndpoint(
  options: EndpointTestOptions,
  deps: EndpointTestDeps = {},
): Promise<EndpointTestResult> {
  const runtime = deps.runtime ?? new SageMakerRuntimeClient(awsClientConfig(options.backend));
  const now = deps.now ?? (() => performance.now());
  const log = options.log ?? ((): void => undefined);
  const failures: string[] = [];
  const invoke = async (texts: readonly string[]): Promise<string> => {
    const response = await runtime.send(
      new InvokeEndpointCommand({
        EndpointName: options.endpointName,
        ContentType: CONTENT_TYPE,
        Accept: CONTENT_TYPE,
        Body: new TextEncoder().encode(JSON.stringify({ instances: texts })),
      }),
    );
    return new TextDecoder().decode(response.Body);
  };

  // The batch request checks the response shape and warms the endpoint up before anything is timed.
  try {
    const batch = parsePredictions(await invoke(options.samples.map((sample) => sample.text)), options.samples.length);
    if ('error' in batch) failures.push(`Batch request: ${batch.error}`);
  } catch (error) {
    failures.push(`Batch request failed: ${(error as Error).message}`);
  }

  const latencies: number[] = [];
  const mistakes: { text: string; expected: SentimentLabel; predicted: SentimentLabel }[] = [];
  let correct = 0;
  for (const [index, sample] of options.samples.entries()) {
    const started = now();
    let body: string;
    try {
      body = await invoke([sample.text]);
    } catch (error) {
      failures.push(`Sample ${index + 1} failed: ${(error as Error).message}`);
      continue;
    }
    latencies.push(now() - started);
    const parsed = parsePredictions(body, 1);
    if ('error' in parsed) {
      failures.push(`Sample ${index + 1}: ${parsed.error}`);
      continue;
    }
    const predicted = parsed.labels[0] as SentimentLabel;
    if (predicted === sample.label) correct += 1;
    else mistakes.push({ text: sample.text, expected: sample.label, predicted });
  }
  log(`${options.endpointName}: ${correct}/${options.samples.length} samples predicted as labelled`);

  const total = options.samples.length;
  const accuracy = total === 0 ? 0 : correct / total;
  const sorted = [...latencies].sort((a, b) => a - b);
  const latency = {
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    maxMs: round(sorted.at(-1) ?? 0),
  };
  if (accuracy < options.thresholds.minAccuracy) {
    failures.push(
      `Accuracy ${formatShare(accuracy)} is below the minimum ${formatShare(options.thresholds.minAccuracy)}`,
    );
  }
  if (latency.p95Ms > options.thresholds.maxP95LatencyMs) {
    failures.push(`p95 latency ${latency.p95Ms} ms is above the maximum ${options.thresholds.maxP95LatencyMs} ms`);
  }
  return {
    endpointName: options.endpointName,
    passed: failures.length === 0,
    accuracy,
    correct,
    total,
    latency,
    thresholds: options.thresholds,
    failures,
    mistakes,
  };
}

/** The result as table rows (metric, measured, threshold, verdict), for job summaries and the CLI. */
export function endpointTestRows(result: EndpointTestResult): string[][] {
  const verdict = (ok: boolean): string => (ok ? 'pass' : 'FAIL');
  return [
    ['Metric', 'Measured', 'Threshold', 'Result'],
    [
      'Accuracy',
      `${formatShare(result.accuracy)} (${result.correct}/${result.total})`,
      `≥ ${formatShare(result.thresholds.minAccuracy)}`,
      verdict(result.accuracy >= result.thresholds.minAccuracy),
    ],
    ['Latency p50', `${result.latency.p50Ms} ms`, '', ''],
    [
      'Latency p95',
      `${result.latency.p95Ms} ms`,
      `≤ ${result.thresholds.maxP95LatencyMs} ms`,
      verdict(result.latency.p95Ms <= result.thresholds.maxP95LatencyMs),
    ],
    ['Latency max', `${result.latency.maxMs} ms`, '', ''],
  ];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function formatShare(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
