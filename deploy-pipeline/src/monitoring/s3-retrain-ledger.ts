import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MONITORING_PREFIX } from './drift-check.js';
import { emptyRetrainLedger, parseRetrainLedger, type RetrainLedger, type RetrainLedgerStore } from './retrain-gate.js';

/** The ledger's key in the artifact bucket, beside the drift reports (`monitoring/<endpoint>/<check>/`). */
export const RETRAIN_LEDGER_KEY = `${MONITORING_PREFIX}/retrains.json`;

/** How often an update is retried when another writer changed the ledger between its read and its write. */
const MAX_ATTEMPTS = 10;

/**
 * The retrain ledger on AWS: one object in the artifact bucket, which build.yml's role (the gate) reads and
 * writes and `monitor status` reads. Each update is a read-modify-write guarded by S3's conditional writes: a
 * first write only if no ledger exists (If-None-Match: *), later ones only if it is still the version read
 * (If-Match: its ETag). A writer that lost the race (412, or 409 for two conditional writes at once) reads again.
 * build.yml's concurrency group already runs one gate at a time; the conditions keep that true for any caller.
 */
export class S3RetrainLedger implements RetrainLedgerStore {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string = RETRAIN_LEDGER_KEY,
  ) {
    this.location = `s3://${bucket}/${key}`;
  }

  async read(): Promise<RetrainLedger> {
    return (await this.readVersion()).ledger;
  }

  async update<T>(change: (ledger: RetrainLedger) => T): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const { ledger, etag } = await this.readVersion();
      const result = change(ledger);
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.key,
            Body: `${JSON.stringify(ledger, null, 2)}\n`,
            ContentType: 'application/json',
            ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
          }),
        );
        return result;
      } catch (error) {
        if (!lostTheRace(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  private async readVersion(): Promise<{ ledger: RetrainLedger; etag?: string }> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const ledger = parseRetrainLedger(await object.Body!.transformToString());
      return { ledger, ...(object.ETag ? { etag: object.ETag } : {}) };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return { ledger: emptyRetrainLedger() };
      throw error;
    }
  }
}

function lostTheRace(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    name === 'PreconditionFailed' ||
    name === 'ConditionalRequestConflict' ||
    $metadata?.httpStatusCode === 412 ||
    $metadata?.httpStatusCode === 409
  );
}
