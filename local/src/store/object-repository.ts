import type { ChecksumAlgorithm, ChecksumType, StoredChecksum } from '../storage/checksums.js';
import { fromJsonColumn, toJsonColumn, type Database } from './database.js';

/** One file of an object's content: a whole single-part object, or one part of a multipart one. */
export interface ObjectSegment {
  /** The file's id under s3-data/. */
  readonly blob: string;
  readonly size: number;
  /** The part's checksum (base64), in the object's checksum algorithm, when it has one. */
  readonly checksum?: string;
}

/** Everything S3 reports about an object, and which files hold its bytes. */
export interface ObjectRecord {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Quoted, as S3 sends it: `"<md5>"` for a single-part object, `"<md5 of part md5s>-<parts>"` for multipart. */
  readonly etag: string;
  readonly contentType: string;
  /** Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires (lowercase names). */
  readonly headers: Readonly<Record<string, string>>;
  /** User metadata (`x-amz-meta-*`), names lowercase and without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksum?: StoredChecksum;
  readonly segments: readonly ObjectSegment[];
  /** Set for an object made by a multipart upload: its number of parts. */
  readonly partCount?: number;
  readonly lastModified: Date;
}

export interface UploadRecord {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: ChecksumType;
  readonly initiatedAt: Date;
}

export interface PartRecord {
  readonly uploadId: string;
  readonly number: number;
  readonly size: number;
  readonly etag: string;
  readonly checksum?: string;
  readonly blob: string;
  readonly lastModified: Date;
}

interface ObjectRow {
  bucket: string;
  key: Buffer;
  size: number;
  etag: string;
  content_type: string;
  headers: string;
  metadata: string;
  checksum: string | null;
  segments: string;
  part_count: number | null;
  last_modified: number;
}

interface UploadRow {
  id: string;
  bucket: string;
  key: Buffer;
  content_type: string;
  headers: string;
  metadata: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  initiated_at: number;
}

interface PartRow {
  upload_id: string;
  number: number;
  size: number;
  etag: string;
  checksum: string | null;
  blob: string;
  last_modified: number;
}

/**
 * The object store's index in the server's database: buckets, objects (by bucket and UTF-8 key bytes),
 * multipart uploads and their parts. Every change that makes content visible or invisible is one statement
 * or one transaction, and returns the files it left unreferenced so the caller can remove them afterwards.
 */
export class ObjectRepository {
  constructor(private readonly db: Database) {}

  createBucket(name: string, at: Date): boolean {
    return (
      this.db.prepare('INSERT OR IGNORE INTO s3_buckets (name, created_at) VALUES (?, ?)').run(name, at.getTime())
        .changes > 0
    );
  }

  bucketExists(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM s3_buckets WHERE name = ?').get(name) !== undefined;
  }

  listBuckets(): { name: string; createdAt: Date }[] {
    return (
      this.db.prepare('SELECT name, created_at FROM s3_buckets ORDER BY name').all() as {
        name: string;
        created_at: number;
      }[]
    ).map((row) => ({ name: row.name, createdAt: new Date(row.created_at) }));
  }

  /** Deletes an empty bucket; uploads still in progress in it are aborted (their files are returned). */
  deleteBucket(name: string): { result: 'deleted' | 'missing' | 'not-empty'; unused: string[] } {
    return this.db.transaction(() => {
      if (!this.bucketExists(name)) return { result: 'missing' as const, unused: [] };
      if (this.db.prepare('SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1').get(name) !== undefined) {
        return { result: 'not-empty' as const, unused: [] };
      }
      const unused = (
        this.db
          .prepare('SELECT p.blob FROM s3_parts p JOIN s3_uploads u ON u.id = p.upload_id WHERE u.bucket = ?')
          .all(name) as { blob: string }[]
      ).map((row) => row.blob);
      this.db.prepare('DELETE FROM s3_uploads WHERE bucket = ?').run(name);
      this.db.prepare('DELETE FROM s3_buckets WHERE name = ?').run(name);
      return { result: 'deleted' as const, unused };
    })();
  }

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    const row = this.db.prepare('SELECT * FROM s3_objects WHERE bucket = ? AND key = ?').get(bucket, keyBytes(key)) as
      ObjectRow | undefined;
    return row ? toObject(row) : undefined;
  }

  /**
   * Stores an object record (creating its bucket if needed), replacing any under the same key, and returns
   * the segments of the object it replaced (to remove once no reader needs them).
   */
  putObject(record: ObjectRecord): ObjectSegment[] {
    return this.db.transaction(() => {
      this.createBucket(record.bucket, record.lastModified);
      const replaced = this.getObject(record.bucket, record.key);
      this.db
        .prepare(
          `INSERT OR REPLACE INTO s3_objects
             (bucket, key, size, etag, content_type, headers, metadata, checksum, segments, part_count, last_modified)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(...objectColumns(record));
      return replaced ? [...replaced.segments] : [];
    })();
  }

  /** Removes an object's record; returns its segments, or undefined when there was none. */
  deleteObject(bucket: string, key: string): ObjectSegment[] | undefined {
    const row = this.db
      .prepare('DELETE FROM s3_objects WHERE bucket = ? AND key = ? RETURNING segments')
      .get(bucket, keyBytes(key)) as { segments: string } | undefined;
    return row ? (JSON.parse(row.segments) as ObjectSegment[]) : undefined;
  }

  /** Up to `limit` objects of a bucket in key order (UTF-8 bytes), from `from` on (inclusive or not). */
  scan(bucket: string, from: Buffer, inclusive: boolean, limit: number): ObjectRecord[] {
    const rows = this.db
      .prepare(`SELECT * FROM s3_objects WHERE bucket = ? AND key ${inclusive ? '>=' : '>'} ? ORDER BY key LIMIT ?`)
      .all(bucket, from, limit) as ObjectRow[];
    return rows.map(toObject);
  }

  createUpload(upload: UploadRecord): void {
    this.db.transaction(() => {
      this.createBucket(upload.bucket, upload.initiatedAt);
      this.db
        .prepare(
          `INSERT INTO s3_uploads (id, bucket, key, content_type, headers, metadata, checksum_algorithm, checksum_type, initiated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          upload.id,
          upload.bucket,
          keyBytes(upload.key),
          upload.contentType,
          JSON.stringify(upload.headers),
          JSON.stringify(upload.metadata),
          upload.checksumAlgorithm ?? null,
          upload.checksumType ?? null,
          upload.initiatedAt.getTime(),
        );
    })();
  }

  getUpload(id: string): UploadRecord | undefined {
    const row = this.db.prepare('SELECT * FROM s3_uploads WHERE id = ?').get(id) as UploadRow | undefined;
    return row ? toUpload(row) : undefined;
  }

  /** The uploads in progress in a bucket, by key (UTF-8 bytes), then by when they started. */
  listUploads(bucket: string): UploadRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM s3_uploads WHERE bucket = ? ORDER BY key, initiated_at, id')
        .all(bucket) as UploadRow[]
    ).map(toUpload);
  }

  /** Removes an upload and its parts; returns the parts' files, or undefined when there was no such upload. */
  deleteUpload(id: string): string[] | undefined {
    return this.db.transaction(() => {
      if (!this.getUpload(id)) return undefined;
      const blobs = this.partBlobs(id);
      this.db.prepare('DELETE FROM s3_uploads WHERE id = ?').run(id);
      return blobs;
    })();
  }

  /**
   * Records a part, replacing one with the same number. Returns the replaced part's file (or null when
   * there was none), or undefined when the upload no longer exists (completed or aborted meanwhile).
   */
  putPart(part: PartRecord): string | null | undefined {
    return this.db.transaction(() => {
      if (!this.getUpload(part.uploadId)) return undefined;
      const replaced = this.db
        .prepare('SELECT blob FROM s3_parts WHERE upload_id = ? AND number = ?')
        .get(part.uploadId, part.number) as { blob: string } | undefined;
      this.db
        .prepare(
          `INSERT OR REPLACE INTO s3_parts (upload_id, number, size, etag, checksum, blob, last_modified)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          part.uploadId,
          part.number,
          part.size,
          part.etag,
          part.checksum ?? null,
          part.blob,
          part.lastModified.getTime(),
        );
      return replaced?.blob ?? null;
    })();
  }

  listParts(uploadId: string): PartRecord[] {
    return (
      this.db.prepare('SELECT * FROM s3_parts WHERE upload_id = ? ORDER BY number').all(uploadId) as PartRow[]
    ).map(toPart);
  }

  /**
   * Completes an upload in one transaction: `build` sees its parts and returns the object (or throws to
   * refuse); the object replaces any under its key and the upload is gone. Returns the files no longer
   * referenced: the replaced object's and the parts the object does not use.
   */
  completeUpload(uploadId: string, build: (upload: UploadRecord, parts: PartRecord[]) => ObjectRecord): string[] {
    return this.db.transaction(() => {
      const upload = this.getUpload(uploadId);
      if (!upload) throw new Error(`upload ${uploadId} vanished`);
      const parts = this.listParts(uploadId);
      const object = build(upload, parts);
      const used = new Set(object.segments.map((segment) => segment.blob));
      const replaced = this.putObject(object);
      this.db.prepare('DELETE FROM s3_uploads WHERE id = ?').run(uploadId);
      return [...replaced.map((segment) => segment.blob), ...parts.map((part) => part.blob)].filter(
        (blob) => !used.has(blob),
      );
    })();
  }

  /** Every file an object or a part refers to (to find files a crash left unreferenced). */
  referencedBlobs(): Set<string> {
    const blobs = new Set<string>();
    for (const row of this.db
      .prepare("SELECT json_extract(value, '$.blob') AS blob FROM s3_objects, json_each(s3_objects.segments)")
      .iterate() as Iterable<{ blob: string }>) {
      blobs.add(row.blob);
    }
    for (const row of this.db.prepare('SELECT blob FROM s3_parts').iterate() as Iterable<{ blob: string }>) {
      blobs.add(row.blob);
    }
    return blobs;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  private partBlobs(uploadId: string): string[] {
    return (this.db.prepare('SELECT blob FROM s3_parts WHERE upload_id = ?').all(uploadId) as { blob: string }[]).map(
      (row) => row.blob,
    );
  }
}

/** A key as stored: its UTF-8 bytes. */
export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

function objectColumns(record: ObjectRecord): unknown[] {
  return [
    record.bucket,
    keyBytes(record.key),
    record.size,
    record.etag,
    record.contentType,
    JSON.stringify(record.headers),
    JSON.stringify(record.metadata),
    toJsonColumn(record.checksum),
    JSON.stringify(record.segments),
    record.partCount ?? null,
    record.lastModified.getTime(),
  ];
}

function toObject(row: ObjectRow): ObjectRecord {
  const checksum = fromJsonColumn<StoredChecksum>(row.checksum);
  return {
    bucket: row.bucket,
    key: row.key.toString('utf8'),
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    headers: JSON.parse(row.headers) as Record<string, string>,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    ...(checksum ? { checksum } : {}),
    segments: JSON.parse(row.segments) as ObjectSegment[],
    ...(row.part_count !== null ? { partCount: row.part_count } : {}),
    lastModified: new Date(row.last_modified),
  };
}

function toUpload(row: UploadRow): UploadRecord {
  return {
    id: row.id,
    bucket: row.bucket,
    key: row.key.toString('utf8'),
    contentType: row.content_type,
    headers: JSON.parse(row.headers) as Record<string, string>,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    ...(row.checksum_algorithm ? { checksumAlgorithm: row.checksum_algorithm as ChecksumAlgorithm } : {}),
    ...(row.checksum_type ? { checksumType: row.checksum_type as ChecksumType } : {}),
    initiatedAt: new Date(row.initiated_at),
  };
}

function toPart(row: PartRow): PartRecord {
  return {
    uploadId: row.upload_id,
    number: row.number,
    size: row.size,
    etag: row.etag,
    ...(row.checksum !== null ? { checksum: row.checksum } : {}),
    blob: row.blob,
    lastModified: new Date(row.last_modified),
  };
}
