import { randomUUID } from 'node:crypto';
import { isObject } from '../engine/definition/index.js';
import type { Logger } from '../server/logger.js';
import { parseS3Uri, type S3Location } from '../storage/object-key.js';
import type { ObjectStore } from '../storage/object-store.js';

/** How often captured records are written out (SageMaker writes a file every few minutes). */
const FLUSH_EVERY_MS = 1000;

export interface CapturedBody {
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * An endpoint config's DataCaptureConfig, carried out: a sample of successful invocations
 * (InitialSamplingPercentage) is written as JSON Lines in Model Monitor's capture format to
 * `<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm-ss-mmm>-<uuid>.jsonl` in the local object store.
 * Bodies whose content type the config lists under CaptureContentTypeHeader are kept as text (JSON, CSV);
 * others are BASE64, as on SageMaker.
 */
export class DataCapture {
  private readonly destination: S3Location;
  private readonly sampling: number;
  private readonly input: boolean;
  private readonly output: boolean;
  private readonly jsonTypes: readonly string[];
  private readonly csvTypes: readonly string[];
  private pending = new Map<string, string[]>();
  private timer?: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    config: Readonly<Record<string, unknown>>,
    private readonly endpointName: string,
    private readonly objects: ObjectStore,
    private readonly log: Logger,
  ) {
    this.destination = parseS3Uri(config['DestinationS3Uri'], 'DataCaptureConfig.DestinationS3Uri');
    this.sampling = Number(config['InitialSamplingPercentage'] ?? 0) / 100;
    const modes = (Array.isArray(config['CaptureOptions']) ? config['CaptureOptions'] : [])
      .filter(isObject)
      .map((option) => option['CaptureMode']);
    this.input = modes.includes('Input') || modes.includes('InputAndOutput');
    this.output = modes.includes('Output') || modes.includes('InputAndOutput');
    const headers = isObject(config['CaptureContentTypeHeader']) ? config['CaptureContentTypeHeader'] : {};
    const list = (value: unknown) =>
      Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
    this.jsonTypes = list(headers['JsonContentTypes']);
    this.csvTypes = list(headers['CsvContentTypes']);
  }

  /** The capture for a deployment, or undefined when it captures nothing. */
  static for(
    config: Readonly<Record<string, unknown>> | undefined,
    endpointName: string,
    objects: ObjectStore,
    log: Logger,
  ): DataCapture | undefined {
    if (!config || config['EnableCapture'] === false) return undefined;
    const capture = new DataCapture(config, endpointName, objects, log);
    return capture.sampling > 0 && (capture.input || capture.output) ? capture : undefined;
  }

  /** Decides, per request, whether it is in the sample. */
  sample(): boolean {
    return Math.random() < this.sampling;
  }

  record(variant: string, request: CapturedBody, response: CapturedBody, at = new Date()): void {
    const line = JSON.stringify({
      captureData: {
        ...(this.input ? { endpointInput: this.encode(request, 'INPUT') } : {}),
        ...(this.output ? { endpointOutput: this.encode(response, 'OUTPUT') } : {}),
      },
      eventMetadata: { eventId: randomUUID(), inferenceTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z') },
      eventVersion: '0',
    });
    const lines = this.pending.get(variant) ?? [];
    lines.push(line);
    this.pending.set(variant, lines);
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Writes every record captured so far (one object per variant). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = this.writing.then(async () => {
      for (const [variant, lines] of batch) {
        const key = this.objectKey(variant, new Date());
        try {
          await this.objects.put(this.destination.bucket, key, `${lines.join('\n')}\n`, {
            contentType: 'application/jsonlines',
          });
        } catch (error) {
          this.log.warn(
            `endpoint ${this.endpointName}: data capture to s3://${this.destination.bucket}/${key} failed: ${String(error)}`,
          );
        }
      }
    });
    return this.writing;
  }

  private encode(captured: CapturedBody, mode: 'INPUT' | 'OUTPUT') {
    const media = captured.contentType.split(';')[0]!.trim().toLowerCase();
    const matches = (types: readonly string[]) => types.some((type) => type.toLowerCase() === media);
    const encoding = matches(this.jsonTypes) ? 'JSON' : matches(this.csvTypes) ? 'CSV' : 'BASE64';
    return {
      observedContentType: captured.contentType,
      mode,
      data: encoding === 'BASE64' ? captured.body.toString('base64') : captured.body.toString('utf8'),
      encoding,
    };
  }

  private objectKey(variant: string, at: Date): string {
    const two = (n: number) => String(n).padStart(2, '0');
    const prefix = this.destination.key.replace(/\/+$/, '');
    const hour = `${at.getUTCFullYear()}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}/${two(at.getUTCHours())}`;
    const file = `${two(at.getUTCMinutes())}-${two(at.getUTCSeconds())}-${String(at.getUTCMilliseconds()).padStart(3, '0')}-${randomUUID()}.jsonl`;
    return [prefix, this.endpointName, variant, hour, file].filter(Boolean).join('/');
  }
}
