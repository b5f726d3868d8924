import type { LabelledSample } from '../../src/index.js';
import type { MotoServer } from './moto-server.js';

/**
 * Queues moto's SageMaker Runtime answers: moto hands each new request body the next queued result. The
 * endpoint test sends one batch request, then one request per sample, in order.
 */
export async function queueEndpointAnswers(moto: MotoServer, bodies: readonly string[]): Promise<void> {
  const response = await fetch(`${moto.url}/moto-api/static/sagemaker/endpoint-results`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      region: moto.region,
      results: bodies.map((Body) => ({
        Body,
        ContentType: 'application/json',
        InvokedProductionVariant: 'AllTraffic',
        CustomAttributes: '',
      })),
    }),
  });
  if (!response.ok) throw new Error(`moto refused the queued results: ${response.status}`);
}

/** Answers that predict `labels` for the samples, in the serving contract's `{"predictions": [...]}` form. */
export function answersFor(
  samples: readonly LabelledSample[],
  labels: readonly string[] = samples.map((sample) => sample.label),
): string[] {
  return [
    JSON.stringify({ predictions: labels }),
    ...labels.map((label) => JSON.stringify({ predictions: [{ label, score: 0.9 }] })),
  ];
}
