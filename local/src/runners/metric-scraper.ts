import { ValidationError, describeValue } from '@slipway/core';

export interface MetricDefinition {
  readonly Name?: string | undefined;
  readonly Regex?: string | undefined;
}

export interface MetricDatum {
  readonly MetricName: string;
  readonly Value: number;
  readonly Timestamp: Date;
}

/**
 * Applies a training job's MetricDefinitions to each log line, as SageMaker does with the job's log stream:
 * the first capture group (or the whole match) parsed as a number; the last value seen of each metric is its
 * final value.
 */
export class MetricScraper {
  private readonly compiled: { name: string; regex: RegExp }[];
  private readonly latest = new Map<string, MetricDatum>();

  constructor(definitions: readonly MetricDefinition[] | undefined, where: string) {
    this.compiled = (definitions ?? []).map((definition, index) => {
      const field = `AlgorithmSpecification.MetricDefinitions[${index}]`;
      if (!definition.Name || !definition.Regex) {
        throw new ValidationError({
          where,
          field,
          problem: 'needs both Name and Regex',
          fix: 'give the metric a name and a regex',
        });
      }
      try {
        return { name: definition.Name, regex: new RegExp(definition.Regex) };
      } catch (error) {
        throw new ValidationError({
          where,
          field: `${field}.Regex`,
          problem: `is not a valid regular expression (${(error as Error).message}), got ${describeValue(definition.Regex)}`,
          fix: 'fix the pattern, e.g. "validation_accuracy=([0-9.]+)"',
        });
      }
    });
  }

  scan(line: string, at = new Date()): void {
    for (const { name, regex } of this.compiled) {
      const match = regex.exec(line);
      if (!match) continue;
      const value = Number.parseFloat(match[1] ?? match[0]);
      if (Number.isFinite(value)) this.latest.set(name, { MetricName: name, Value: value, Timestamp: at });
    }
  }

  /** FinalMetricDataList, in MetricDefinitions order. */
  results(): MetricDatum[] {
    return this.compiled.flatMap(({ name }) => {
      const datum = this.latest.get(name);
      return datum ? [datum] : [];
    });
  }
}
