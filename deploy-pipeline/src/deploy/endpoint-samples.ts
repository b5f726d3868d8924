import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IssueCollector, ValidationError, describeValue } from '@slipway/core';

/** The model's classes: sentiment of a product review. */
export const SENTIMENT_LABELS = Object.freeze(['negative', 'neutral', 'positive'] as const);
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

/** A review with the label a sane model should give it. */
export interface LabelledSample {
  readonly text: string;
  readonly label: SentimentLabel;
}

/** The labelled set kept with the deploy code, relative to the repository root. */
export const DEFAULT_SAMPLES_PATH = 'deploy-pipeline/test-data/endpoint-samples.jsonl';

export function defaultSamplesPath(rootDir: string): string {
  return join(rootDir, DEFAULT_SAMPLES_PATH);
}

/** Reads a JSON Lines file of `{"text": …, "label": …}`, naming the line of every bad entry. */
export function loadLabelledSamples(path: string): LabelledSample[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError({
      where: path,
      field: '',
      problem: `cannot be read (${(error as Error).message})`,
      fix: 'pass the path of a JSON Lines file of labelled reviews',
    });
  }
  const issues = new IssueCollector();
  const samples: LabelledSample[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const where = `${path}:${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      issues.add({ where, field: '', problem: 'is not valid JSON', fix: 'write one JSON object per line' });
      return;
    }
    const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    if (typeof record.text !== 'string' || !record.text.trim()) {
      issues.add({
        where,
        field: 'text',
        problem: `must be a non-empty string, got ${describeValue(record.text)}`,
        fix: 'give the review text',
      });
      return;
    }
    if (!SENTIMENT_LABELS.includes(record.label as SentimentLabel)) {
      issues.add({
        where,
        field: 'label',
        problem: `must be one of ${SENTIMENT_LABELS.join(', ')}, got ${describeValue(record.label)}`,
        fix: 'label the review',
      });
      return;
    }
    samples.push({ text: record.text, label: record.label as SentimentLabel });
  });
  issues.throwIfAny();
  if (samples.length === 0) {
    throw new ValidationError({
      where: path,
      field: '',
      problem: 'holds no samples',
      fix: 'add at least one labelled review',
    });
  }
  return samples;
}
