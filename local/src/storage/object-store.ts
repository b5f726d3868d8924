import { randomBytes } from 'node:crypto';
import { createWriteStream, unlinkSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ServiceError } from '../server/service-error.js';
import { openDatabase, type Database } from '../store/database.js';
import {
  ObjectRepository,
  keyBytes,
  type ObjectRecord,
  type ObjectSegment,
  type PartRecord,
  type UploadRecord,
} from '../store/object-repository.js';
import { BlobFiles } from './blob-files.js';
import { writeBody, type Body, type WrittenBody } from './body-writer.js';
import type { ChecksumAlgorithm, ChecksumType, StoredChecksum } from './checksums.js';
import { migrateLegacyLayout } from './legacy-layout.js';
import { MAX_PART_NUMBER, buildCompletedObject, type CompletionOptions, type RequestedPart } from './multipart.js';
import { checkBucketName, checkObjectKey } from './object-key.js';

/** What S3 reports about an object (HeadObject, ListObjects, GetObjectAttributes): its record less where its bytes are. */
export interface ObjectInfo extends Omit<ObjectRecord, 'bucket' | 'segments'> {
  /** Its parts' sizes and checksums in order (one for a single-part object, none for an empty one). */
  readonly parts: readonly { readonly size: number; readonly checksum?: string }[];
}

export interface PutOptions {
  /** @default "application/octet-stream" */
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Checksums to compute while the body is written (MD5, for the ETag, always is). */
  readonly checksumAlgorithms?: readonly ChecksumAlgorithm[];
  /**
   * Called once the body is written and before anyone can see it: throw to refuse it (nothing is kept),
   * return the checksum to record with it.
   */
  readonly accept?: (body: WrittenBody) => StoredChecksum | undefined;
  /** Store only if the key has no object (`If-None-Match: *`); else PreconditionFailed. */
  readonly ifAbsent?: boolean;
}

export interface CopyOptions {
  /** COPY keeps the source's content type, headers and metadata; REPLACE takes the ones given here. */
  readonly metadataDirective: 'COPY' | 'REPLACE';
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Checked against the source before anything is copied (CopyObject's x-amz-copy-source-if-* headers). */
  readonly checkSource?: (source: ObjectInfo) => void;
}

export interface ListOptions {
  readonly prefix?: string;
  readonly delimiter?: string;
  /** Only keys after this one (ListObjects' marker, ListObjectsV2's start-after and continuation). */
  readonly startAfter?: string;
  readonly maxKeys: number;
}

export interface ListResult {
  readonly contents: ObjectInfo[];
  readonly commonPrefixes: string[];
  readonly truncated: boolean;
  /** The last key or common prefix of this page, when it is truncated: where the next page starts after. */
  readonly nextMarker?: string;
}

export interface UploadOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: ChecksumType;
}

export interface PartResult {
  readonly etag: string;
  readonly size: number;
  readonly checksum?: string;
  readonly lastModified: Date;
}

/** An object opened for reading: its files stay on disk until the stream ends or `close()` is called. */
export interface OpenedObject {
  readonly info: ObjectInfo;
  /** Streams the object, or bytes `start`..`end` (inclusive) of it; closes the object when it ends. */
  stream(range?: { readonly start: number; readonly end: number }): Readable;
  close(): void;
}

const SCAN_BATCH = 1000;

/**
 * The local stand-in for S3. Object content lives in files named by random ids (see blob-files.ts); which
 * key names which files, and all its metadata, is in the server's database (object-repository.ts). So any
 * key S3 accepts is stored as it is, and no key can collide with another key or with metadata. A write
 * streams to a temporary file and becomes visible in one transaction; a crash at any point leaves either
 * the old object or the new one, never part of one.
 */
/** The object store of another emulated account that owns `bucket`, when its bucket policy allows `action`. */
export type OtherAccountObjects = (
  bucket: string,
  key: string,
  action: 's3:GetObject' | 's3:PutObject',
) => Promise<ObjectStore | undefined>;

export class ObjectStore {
  private readonly repository: ObjectRepository;
  private readonly blobs: BlobFiles;
  private readonly ownedDb: Database | undefined;
  private otherAccounts: OtherAccountObjects | undefined;

  /**
   * @param dataDir the server's data dir (`s3-data/`, `s3-tmp/` and the database live there)
   * @param db the server's database; @default the data dir's database, opened (and migrated) here
   */
  constructor(
    private readonly dataDir: string,
    db?: Database,
  ) {
    this.ownedDb = db ? undefined : openDatabase(dataDir);
    this.repository = new ObjectRepository(db ?? this.ownedDb!);
    this.blobs = new BlobFiles(dataDir);
  }

  /**
   * At start, before serving (only the server that owns the data dir calls it): removes writes a crash
   * interrupted and files no object or part names, then moves objects of the old one-file-per-key layout
   * (`s3/`, `s3-meta/`) into this one.
   */
  async recover(): Promise<{ removedFiles: number; migratedObjects: number }> {
    const removedFiles = await this.blobs.collectGarbage(this.repository.referencedBlobs());
    const migratedObjects = await migrateLegacyLayout(this.dataDir, this.repository, this.blobs);
    return { removedFiles, migratedObjects };
  }

  /**
   * Lets this account's own reads and writes (model data, data capture) reach a bucket of another account the
   * server emulates, as its bucket policy allows: set by the server once the accounts are wired.
   */
  linkOtherAccounts(otherAccounts: OtherAccountObjects): void {
    this.otherAccounts = otherAccounts;
  }

  /** The store of the account that owns `bucket` when this one does not (and its policy allows `action`). */
  private async ownerOf(
    bucket: string,
    key: string,
    action: 's3:GetObject' | 's3:PutObject',
  ): Promise<ObjectStore | undefined> {
    if (!this.otherAccounts || this.repository.bucketExists(bucket)) return undefined;
    return this.otherAccounts(bucket, key, action);
  }

  /** Closes the database when this store opened it itself. */
  close(): void {
    if (this.ownedDb?.open) this.ownedDb.close();
  }

  async createBucket(bucket: string): Promise<boolean> {
    checkBucketName(bucket);
    return this.repository.createBucket(bucket, new Date());
  }

  async bucketExists(bucket: string): Promise<boolean> {
    checkBucketName(bucket);
    return this.repository.bucketExists(bucket);
  }

  async listBuckets(): Promise<string[]> {
    return this.repository.listBuckets().map((bucket) => bucket.name);
  }

  /** Buckets with when each was created (ListBuckets). */
  listBucketRecords(): { name: string; createdAt: Date }[] {
    return this.repository.listBuckets();
  }

  /** Deletes an empty bucket (aborting uploads in progress in it). */
  async deleteBucket(bucket: string): Promise<'deleted' | 'missing' | 'not-empty'> {
    checkBucketName(bucket);
    const { result, unused } = this.repository.deleteBucket(bucket);
    await this.blobs.remove(unused);
    return result;
  }

  /** Stores `body` under `bucket/key`, creating the bucket if needed (the local store is forgiving there). */
  async put(bucket: string, key: string, body: Body, options: PutOptions = {}): Promise<ObjectInfo> {
    // Until the write starts reading it, an error on the body must not go unheard (it would end the process).
    if (body instanceof Readable) body.on('error', () => undefined);
    checkBucketName(bucket);
    checkObjectKey(key);
    const owner = await this.ownerOf(bucket, key, 's3:PutObject');
    if (owner) return owner.put(bucket, key, body, options);
    const written = await writeBody(this.blobs, body, options.checksumAlgorithms ?? []);
    try {
      const checksum = options.accept?.(written);
      const blob = BlobFiles.newId();
      const record: ObjectRecord = {
        bucket,
        key,
        size: written.size,
        etag: `"${written.md5.toString('hex')}"`,
        contentType: options.contentType ?? 'application/octet-stream',
        headers: options.headers ?? {},
        metadata: options.metadata ?? {},
        ...(checksum ? { checksum } : {}),
        segments: written.size === 0 ? [] : [{ blob, size: written.size }],
        lastModified: new Date(),
      };
      const replaced = this.commit(record.segments.length > 0 ? [[written.path, blob]] : [], () =>
        this.repository.transaction(() => {
          if (options.ifAbsent && this.repository.getObject(bucket, key)) throw preconditionFailed('If-None-Match');
          return this.repository.putObject(record);
        }),
      );
      await this.blobs.remove(replaced.map((segment) => segment.blob));
      return toInfo(record);
    } finally {
      await rm(written.path, { force: true });
    }
  }

  /** Copies a local file into the store (job outputs, model artifacts); rejects if the file cannot be read. */
  async putFile(bucket: string, key: string, file: string, options: PutOptions = {}): Promise<ObjectInfo> {
    // Refuse a bad name before the file is opened: a stream nobody reads would hold its descriptor open.
    checkBucketName(bucket);
    checkObjectKey(key);
    const handle = await open(file, 'r');
    return this.put(bucket, key, handle.createReadStream(), options);
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    checkBucketName(bucket);
    checkObjectKey(key);
    const record = this.repository.getObject(bucket, key);
    return record ? toInfo(record) : undefined;
  }

  /**
   * Opens an object for reading, or undefined when there is none. Its files cannot be removed (by an
   * overwrite or a delete) until the returned object is closed or its stream ends.
   */
  open(bucket: string, key: string): OpenedObject | undefined {
    const pinned = this.pin(bucket, key);
    if (!pinned) return undefined;
    const { record, close } = pinned;
    return {
      info: toInfo(record),
      stream: (range) => {
        const stream = Readable.from(this.readSegments(record.segments, range ?? { start: 0, end: record.size - 1 }), {
          objectMode: false,
        });
        stream.once('close', close);
        return stream;
      },
      close,
    };
  }

  /** The whole object in memory (small documents: manifests, property files, definitions). */
  async get(bucket: string, key: string): Promise<Buffer | undefined> {
    const opened = this.open(bucket, key);
    if (!opened) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of opened.stream()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  /** Streams the object, or undefined when there is none. */
  async getStream(bucket: string, key: string): Promise<Readable | undefined> {
    return this.open(bucket, key)?.stream();
  }

  /** Copies one object to a local file (used to stage job inputs). */
  async getToFile(bucket: string, key: string, file: string): Promise<boolean> {
    const owner = await this.ownerOf(bucket, key, 's3:GetObject');
    if (owner) return owner.getToFile(bucket, key, file);
    const opened = this.open(bucket, key);
    if (!opened) return false;
    try {
      await mkdir(dirname(file), { recursive: true });
    } catch (error) {
      opened.close();
      throw error;
    }
    await pipeline(opened.stream(), createWriteStream(file));
    return true;
  }

  /** Every object whose key starts with `prefix`, in S3's order (UTF-8 bytes). */
  async list(bucket: string, prefix = ''): Promise<ObjectInfo[]> {
    checkBucketName(bucket);
    return this.listPage(bucket, { prefix, maxKeys: Number.POSITIVE_INFINITY }).contents;
  }

  /**
   * One page of a listing, as S3 makes it: keys after `startAfter` that start with `prefix`, in UTF-8 byte
   * order; keys with `delimiter` after the prefix roll up into one common prefix each; keys and common
   * prefixes together count toward `maxKeys`. A start-after that is itself a common prefix skips all of it.
   */
  listPage(bucket: string, options: ListOptions): ListResult {
    checkBucketName(bucket);
    const prefix = options.prefix ?? '';
    const delimiter = options.delimiter ?? '';
    const prefixBytes = keyBytes(prefix);
    let from = prefixBytes;
    let inclusive = true;
    if (options.startAfter) {
      const startAfter = keyBytes(options.startAfter);
      const isCommonPrefix =
        delimiter !== '' &&
        options.startAfter.startsWith(prefix) &&
        options.startAfter.endsWith(delimiter) &&
        options.startAfter.indexOf(delimiter, prefix.length) === options.startAfter.length - delimiter.length;
      const after = isCommonPrefix ? successor(startAfter) : startAfter;
      if (after && Buffer.compare(after, prefixBytes) >= 0) {
        from = after;
        inclusive = isCommonPrefix;
      } else if (!after) {
        return { contents: [], commonPrefixes: [], truncated: false };
      }
    }
    const contents: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    const full = () => contents.length + commonPrefixes.length >= options.maxKeys;
    for (;;) {
      const rows = this.repository.scan(bucket, from, inclusive, SCAN_BATCH);
      if (rows.length === 0) return { contents, commonPrefixes, truncated: false };
      let jumped = false;
      for (const row of rows) {
        if (!row.key.startsWith(prefix)) return { contents, commonPrefixes, truncated: false };
        const cut = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
        if (full())
          return { contents, commonPrefixes, truncated: true, ...(last !== undefined ? { nextMarker: last } : {}) };
        if (cut >= 0) {
          const common = row.key.slice(0, cut + delimiter.length);
          commonPrefixes.push(common);
          last = common;
          const next = successor(keyBytes(common));
          if (!next) return { contents, commonPrefixes, truncated: false };
          from = next;
          inclusive = true;
          jumped = true;
          break;
        }
        contents.push(toInfo(row));
        last = row.key;
      }
      if (!jumped) {
        if (rows.length < SCAN_BATCH) return { contents, commonPrefixes, truncated: false };
        from = keyBytes(rows[rows.length - 1]!.key);
        inclusive = false;
      }
    }
  }

  /** Deletes an object; a key with no object is not an error, as in S3. Returns whether there was one. */
  async delete(bucket: string, key: string): Promise<boolean> {
    checkBucketName(bucket);
    checkObjectKey(key);
    const removed = this.repository.deleteObject(bucket, key);
    if (removed) await this.blobs.remove(removed.map((segment) => segment.blob));
    return removed !== undefined;
  }

  /**
   * Copies an object (CopyObject): the target gets the source's bytes (hard-linked files), ETag, checksum
   * and parts, and its metadata as the directive says. Undefined when the source does not exist.
   */
  async copy(
    source: { readonly bucket: string; readonly key: string },
    target: { readonly bucket: string; readonly key: string },
    options: CopyOptions,
  ): Promise<ObjectInfo | undefined> {
    checkBucketName(target.bucket);
    checkObjectKey(target.key);
    const pinned = this.pin(source.bucket, source.key);
    if (!pinned) return undefined;
    const { record } = pinned;
    const temporaries: string[] = [];
    try {
      options.checkSource?.(toInfo(record));
      for (const segment of record.segments) temporaries.push(await this.blobs.duplicateToTemp(segment.blob));
      const segments = record.segments.map((segment) => ({ ...segment, blob: BlobFiles.newId() }));
      const copy: ObjectRecord = {
        ...record,
        bucket: target.bucket,
        key: target.key,
        ...(options.metadataDirective === 'REPLACE'
          ? {
              contentType: options.contentType ?? 'binary/octet-stream',
              metadata: options.metadata ?? {},
              headers: options.headers ?? {},
            }
          : {}),
        segments,
        lastModified: new Date(),
      };
      const replaced = this.commit(
        temporaries.map((temporary, index) => [temporary, segments[index]!.blob]),
        () => this.repository.putObject(copy),
      );
      await this.blobs.remove(replaced.map((segment) => segment.blob));
      return toInfo(copy);
    } finally {
      pinned.close();
      for (const temporary of temporaries) await rm(temporary, { force: true });
    }
  }

  /** Starts a multipart upload; the bucket must exist (the S3 layer checks, the store creates it if not). */
  createUpload(bucket: string, key: string, options: UploadOptions = {}): UploadRecord {
    checkBucketName(bucket);
    checkObjectKey(key);
    const upload: UploadRecord = {
      id: randomBytes(30).toString('base64url'),
      bucket,
      key,
      contentType: options.contentType ?? 'application/octet-stream',
      headers: options.headers ?? {},
      metadata: options.metadata ?? {},
      ...(options.checksumAlgorithm ? { checksumAlgorithm: options.checksumAlgorithm } : {}),
      ...(options.checksumType ? { checksumType: options.checksumType } : {}),
      initiatedAt: new Date(),
    };
    this.repository.createUpload(upload);
    return upload;
  }

  /** The upload in progress with this id for this bucket and key; NoSuchUpload otherwise. */
  upload(bucket: string, key: string, uploadId: string): UploadRecord {
    const upload = this.repository.getUpload(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
    return upload;
  }

  /**
   * Stores one part (UploadPart, or UploadPartCopy with a source stream), replacing an earlier part with
   * the same number. The upload's checksum algorithm is always computed, so the parts' checksums are known
   * at completion whether or not the client sent them.
   */
  async uploadPart(
    bucket: string,
    key: string,
    uploadId: string,
    partNumber: number,
    body: Body,
    options: Pick<PutOptions, 'checksumAlgorithms' | 'accept'> = {},
  ): Promise<PartResult> {
    if (body instanceof Readable) body.on('error', () => undefined);
    checkPartNumber(partNumber);
    const upload = this.upload(bucket, key, uploadId);
    const algorithms = [
      ...(options.checksumAlgorithms ?? []),
      ...(upload.checksumAlgorithm ? [upload.checksumAlgorithm] : []),
    ];
    const written = await writeBody(this.blobs, body, algorithms);
    try {
      options.accept?.(written);
      const checksum = upload.checksumAlgorithm
        ? written.digests[upload.checksumAlgorithm]?.toString('base64')
        : undefined;
      const part: PartRecord = {
        uploadId,
        number: partNumber,
        size: written.size,
        etag: `"${written.md5.toString('hex')}"`,
        ...(checksum ? { checksum } : {}),
        blob: BlobFiles.newId(),
        lastModified: new Date(),
      };
      const replaced = this.commit([[written.path, part.blob]], () => {
        const result = this.repository.putPart(part);
        // Aborted or completed while this part was being written: it belongs to nothing.
        if (result === undefined) throw noSuchUpload(uploadId);
        return result;
      });
      if (replaced) await this.blobs.remove([replaced]);
      return {
        etag: part.etag,
        size: part.size,
        ...(checksum ? { checksum } : {}),
        lastModified: part.lastModified,
      };
    } finally {
      await rm(written.path, { force: true });
    }
  }

  /** The parts uploaded so far, by number. */
  listParts(bucket: string, key: string, uploadId: string): { upload: UploadRecord; parts: PartRecord[] } {
    const upload = this.upload(bucket, key, uploadId);
    return { upload, parts: this.repository.listParts(uploadId) };
  }

  /** The uploads in progress in a bucket, by key (UTF-8 bytes), then by when they started. */
  listUploads(bucket: string): UploadRecord[] {
    checkBucketName(bucket);
    return this.repository.listUploads(bucket);
  }

  /** Completes an upload: the object appears under its key in one transaction, made of the listed parts. */
  async completeUpload(
    bucket: string,
    key: string,
    uploadId: string,
    parts: readonly RequestedPart[],
    options: Omit<CompletionOptions, 'now'> & { readonly ifAbsent?: boolean },
  ): Promise<ObjectInfo> {
    this.upload(bucket, key, uploadId);
    let completed: ObjectRecord | undefined;
    const unused = this.repository.completeUpload(uploadId, (upload, stored) => {
      if (options.ifAbsent && this.repository.getObject(bucket, key)) throw preconditionFailed('If-None-Match');
      completed = buildCompletedObject(upload, stored, parts, { ...options, now: new Date() });
      return completed;
    });
    await this.blobs.remove(unused);
    return toInfo(completed!);
  }

  /** Aborts an upload, removing its parts. */
  async abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
    this.upload(bucket, key, uploadId);
    const blobs = this.repository.deleteUpload(uploadId);
    if (blobs === undefined) throw noSuchUpload(uploadId);
    await this.blobs.remove(blobs);
  }

  /** An object's record with its files pinned until `close()`; undefined when there is no object. */
  private pin(bucket: string, key: string): { record: ObjectRecord; close: () => void } | undefined {
    checkBucketName(bucket);
    checkObjectKey(key);
    const record = this.repository.getObject(bucket, key);
    if (!record) return undefined;
    const blobs = record.segments.map((segment) => segment.blob);
    this.blobs.pin(blobs);
    let closed = false;
    return {
      record,
      close: () => {
        if (closed) return;
        closed = true;
        this.blobs.unpin(blobs);
      },
    };
  }

  /**
   * Publishes finished temporary files as blobs and commits the rows naming them, in one synchronous step:
   * no other request runs in between, and if the commit fails the published files are removed again.
   */
  private commit<T>(files: readonly (readonly [temporary: string, blob: string])[], transaction: () => T): T {
    const published: string[] = [];
    try {
      for (const [temporary, blob] of files) {
        this.blobs.publishSync(temporary, blob);
        published.push(blob);
      }
      return transaction();
    } catch (error) {
      for (const blob of published) {
        try {
          unlinkSync(this.blobs.pathOf(blob));
        } catch {
          // Left for the garbage collection at the next start.
        }
      }
      throw error;
    }
  }

  private async *readSegments(
    segments: readonly ObjectSegment[],
    range: { readonly start: number; readonly end: number },
  ): AsyncGenerator<Buffer> {
    let offset = 0;
    for (const segment of segments) {
      const first = offset;
      const lastByte = offset + segment.size - 1;
      offset += segment.size;
      if (segment.size === 0 || lastByte < range.start || first > range.end) continue;
      const from = Math.max(range.start, first) - first;
      const to = Math.min(range.end, lastByte) - first;
      for await (const chunk of this.blobs.read(segment.blob, from, to)) yield chunk as Buffer;
    }
  }
}

function toInfo(record: ObjectRecord): ObjectInfo {
  return {
    key: record.key,
    size: record.size,
    etag: record.etag,
    lastModified: record.lastModified,
    contentType: record.contentType,
    headers: record.headers,
    metadata: record.metadata,
    ...(record.checksum ? { checksum: record.checksum } : {}),
    ...(record.partCount !== undefined ? { partCount: record.partCount } : {}),
    parts: record.segments.map((segment) => ({
      size: segment.size,
      ...(segment.checksum ? { checksum: segment.checksum } : {}),
    })),
  };
}

/** The smallest byte string greater than every string that starts with `bytes` (none when all are 0xff). */
function successor(bytes: Buffer): Buffer | undefined {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0xff) end -= 1;
  if (end === 0) return undefined;
  const next = Buffer.from(bytes.subarray(0, end));
  next[end - 1] = next[end - 1]! + 1;
  return next;
}

function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new ServiceError(
      'InvalidArgument',
      `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive (got ${partNumber}).`,
      400,
      { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) },
    );
  }
}

function noSuchUpload(uploadId: string): ServiceError {
  return new ServiceError(
    'NoSuchUpload',
    'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    { UploadId: uploadId },
  );
}

function preconditionFailed(condition: string): ServiceError {
  return new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    Condition: condition,
  });
}
