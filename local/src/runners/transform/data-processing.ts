import { applyJsonPath, type JsonPath } from './json-path.js';

/**
 * Batch transform's DataProcessing, record by record: the input filter picks what the model sees, the join
 * puts the model's answer beside the original record, the output filter picks what is written. CSV records are
 * arrays of their fields (so only index paths apply, as SageMaker documents); JSON and JSON Lines records are
 * their JSON values.
 */
export type RecordFormat = 'csv' | 'json' | 'text';

export function formatOf(contentType: string | undefined): RecordFormat {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'text/csv') return 'csv';
  if (media === 'application/json' || media === 'application/jsonlines' || media === 'application/x-jsonlines') {
    return 'json';
  }
  return 'text';
}

/** One record's text → the value filters apply to. */
export function parseRecord(text: string, format: RecordFormat, what: string): unknown {
  if (format === 'csv') return parseCsvLine(text, what);
  if (format === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(`${what} is not JSON (${(error as Error).message}): ${text.slice(0, 120)}`);
    }
  }
  return text;
}

/** A value back to one record's text in a format (arrays to CSV rows, anything else to compact JSON). */
export function formatRecord(value: unknown, format: RecordFormat): string {
  if (format === 'csv' && Array.isArray(value)) return value.map(csvField).join(',');
  if (format === 'text' && typeof value === 'string') return value;
  if (format === 'csv' && typeof value !== 'object') return csvField(value);
  return JSON.stringify(value);
}

export interface RecordProcessing {
  readonly inputFilter?: JsonPath;
  readonly outputFilter?: JsonPath;
  readonly joinInput: boolean;
  readonly inputFormat: RecordFormat;
  readonly outputFormat: RecordFormat;
}

/** What the model gets for one input record (the input filter applied, in the input's format). */
export function filterInput(record: string, processing: RecordProcessing, what: string): string {
  if (!processing.inputFilter) return record;
  const selected = applyJsonPath(processing.inputFilter, parseRecord(record, processing.inputFormat, what));
  return formatRecord(selected, processing.inputFormat);
}

/**
 * What is written for one record: the model's answer, joined with the original input record when JoinSource
 * is Input (a CSV row gains the answer's columns; a JSON object gains `SageMakerOutput`; a JSON array gains the
 * answer at its end), then the output filter.
 */
export function processOutput(input: string, output: string, processing: RecordProcessing, what: string): string {
  if (!processing.joinInput && !processing.outputFilter) return output;
  const answer = parseRecord(output, processing.outputFormat, `the answer for ${what}`);
  let joined: unknown = answer;
  let format = processing.outputFormat;
  if (processing.joinInput) {
    const original = parseRecord(input, processing.inputFormat, what);
    format = processing.inputFormat;
    if (processing.inputFormat === 'csv') {
      joined = [...(original as unknown[]), ...(Array.isArray(answer) ? answer : [answer])];
    } else if (Array.isArray(original)) {
      joined = [...original, answer];
    } else if (typeof original === 'object' && original !== null) {
      joined = { ...(original as Record<string, unknown>), SageMakerOutput: answer };
    } else {
      throw new Error(
        `${what} is neither a JSON object nor an array, so JoinSource Input has nothing to add the answer to`,
      );
    }
  }
  const selected = processing.outputFilter ? applyJsonPath(processing.outputFilter, joined) : joined;
  return formatRecord(selected, format);
}

/** One CSV line's fields (RFC 4180 quoting), as strings. */
export function parseCsvLine(line: string, what: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  let atStart = true;
  while (i < line.length) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += char;
    } else if (char === '"' && atStart) {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      atStart = true;
      i += 1;
      continue;
    } else field += char;
    atStart = false;
    i += 1;
  }
  if (quoted) throw new Error(`${what} has an unclosed quote: ${line.slice(0, 120)}`);
  fields.push(field.replace(/\r$/, ''));
  return fields;
}

function csvField(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
