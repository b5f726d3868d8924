import { SENTIMENT_LABELS, type SentimentLabel } from './endpoint-samples.js';

/**
 * Reads the labels out of an endpoint's JSON response. The serving contract (seed/inference.py) answers
 * `{"instances": [...]}` with one prediction per instance, either `{"predictions": [...]}` or a bare list,
 * each prediction a label or an object with `label`. Anything else is a shape error, reported as text.
 */
export function parsePredictions(body: string, expected: number): { labels: SentimentLabel[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { error: `the response is not JSON: ${body.slice(0, 80)}` };
  }
  const list = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as Record<string, unknown>).predictions)
      ? ((parsed as Record<string, unknown>).predictions as unknown[])
      : undefined;
  if (!list) return { error: 'the response is neither a list nor an object with a "predictions" list' };
  if (list.length !== expected)
    return { error: `the response holds ${list.length} predictions for ${expected} instances` };
  const labels: SentimentLabel[] = [];
  for (const [index, item] of list.entries()) {
    const label =
      typeof item === 'string'
        ? item
        : typeof item === 'object' && item !== null
          ? (item as Record<string, unknown>).label
          : undefined;
    if (!SENTIMENT_LABELS.includes(label as SentimentLabel)) {
      return {
        error: `prediction ${index} is ${JSON.stringify(item).slice(0, 80)}, not one of ${SENTIMENT_LABELS.join(', ')}`,
      };
    }
    labels.push(label as SentimentLabel);
  }
  return { labels };
}
