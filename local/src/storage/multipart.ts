import { createHash } from 'node:crypto';
import { ServiceError } from '../server/service-error.js';
import type { ObjectRecord, PartRecord, UploadRecord } from '../store/object-repository.js';
import {
  combineCrcs,
  compositeChecksum,
  supportsFullObjectMultipart,
  type ChecksumAlgorithm,
  type ChecksumType,
  type StoredChecksum,
} from './checksums.js';

/** S3's smallest part, except the last one of an upload. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Part numbers are 1 to 10,000. */
export const MAX_PART_NUMBER = 10_000;

/** One `<Part>` of a CompleteMultipartUpload request. */
export interface RequestedPart {
  readonly partNumber: number;
  readonly etag: string;
  /** `ChecksumCRC32` and the like, when the client sent them. */
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
}

export interface CompletionOptions {
  readonly now: Date;
  /** The largest object the server stores. */
  readonly maxBytes: number;
  /** A full-object checksum the client sent with the request (`x-amz-checksum-crc32: …`), to verify. */
  readonly expectedChecksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
}

/** The checksum type an upload gets when CreateMultipartUpload names an algorithm but no type, as S3 defaults it. */
export function defaultChecksumType(algorithm: ChecksumAlgorithm): ChecksumType {
  return algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
}

/** Refuses combinations S3 refuses: SHA checksums cannot be full-object, CRC-64/NVME cannot be composite. */
export function checkChecksumType(algorithm: ChecksumAlgorithm, type: ChecksumType): void {
  if (type === 'FULL_OBJECT' && !supportsFullObjectMultipart(algorithm)) {
    throw new ServiceError(
      'InvalidRequest',
      `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw new ServiceError(
      'InvalidRequest',
      'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
    );
  }
}

/**
 * The object a CompleteMultipartUpload makes, by S3's rules: at least one part, part numbers ascending,
 * each part uploaded with the ETag (and checksum) given, every part but the last at least 5 MiB. The
 * ETag is the MD5 of the parts' binary MD5s followed by `-<part count>`; the checksum is the composite of
 * the parts' checksums, or for FULL_OBJECT the CRC of the whole object derived from the parts' CRCs.
 */
export function buildCompletedObject(
  upload: UploadRecord,
  stored: readonly PartRecord[],
  requested: readonly RequestedPart[],
  options: CompletionOptions,
): ObjectRecord {
  if (requested.length === 0) {
    throw new ServiceError(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema: ' +
        'CompleteMultipartUpload must list at least one part.',
    );
  }
  const byNumber = new Map(stored.map((part) => [part.number, part]));
  const chosen: PartRecord[] = [];
  for (const [index, part] of requested.entries()) {
    if (index > 0 && part.partNumber <= requested[index - 1]!.partNumber) {
      throw new ServiceError(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      );
    }
    const found = byNumber.get(part.partNumber);
    const checksumProblem =
      found && upload.checksumAlgorithm !== undefined
        ? part.checksums[upload.checksumAlgorithm] !== undefined &&
          part.checksums[upload.checksumAlgorithm] !== found.checksum
        : false;
    if (!found || unquote(found.etag) !== unquote(part.etag) || checksumProblem) {
      throw new ServiceError(
        'InvalidPart',
        'One or more of the specified parts could not be found. The part may not have been uploaded, or the ' +
          `specified entity tag may not match the part's entity tag (part ${part.partNumber}, ETag ${part.etag}).`,
        400,
        { UploadId: upload.id, PartNumber: String(part.partNumber), ETag: part.etag },
      );
    }
    chosen.push(found);
  }
  for (const part of chosen.slice(0, -1)) {
    if (part.size < MIN_PART_BYTES) {
      throw new ServiceError(
        'EntityTooSmall',
        `Your proposed upload is smaller than the minimum allowed object size: part ${part.number} is ${part.size} ` +
          `bytes, and every part but the last must be at least ${MIN_PART_BYTES} bytes (5 MiB).`,
        400,
        { ProposedSize: String(part.size), MinSizeAllowed: String(MIN_PART_BYTES), PartNumber: String(part.number) },
      );
    }
  }
  const size = chosen.reduce((total, part) => total + part.size, 0);
  if (size > options.maxBytes) {
    throw new ServiceError(
      'EntityTooLarge',
      `Your proposed upload of ${size} bytes exceeds the local server's limit of ${options.maxBytes} bytes.`,
      400,
      { ProposedSize: String(size), MaxSizeAllowed: String(options.maxBytes) },
    );
  }
  const md5s = Buffer.concat(chosen.map((part) => Buffer.from(unquote(part.etag), 'hex')));
  const etag = `"${createHash('md5').update(md5s).digest('hex')}-${chosen.length}"`;
  const checksum = objectChecksum(upload, chosen, options);
  return {
    bucket: upload.bucket,
    key: upload.key,
    size,
    etag,
    contentType: upload.contentType,
    headers: upload.headers,
    metadata: upload.metadata,
    ...(checksum ? { checksum } : {}),
    segments: chosen.map((part) => ({
      blob: part.blob,
      size: part.size,
      ...(part.checksum ? { checksum: part.checksum } : {}),
    })),
    partCount: chosen.length,
    lastModified: options.now,
  };
}

function objectChecksum(
  upload: UploadRecord,
  parts: readonly PartRecord[],
  options: CompletionOptions,
): StoredChecksum | undefined {
  const algorithm = upload.checksumAlgorithm;
  if (algorithm === undefined) return undefined;
  const type = upload.checksumType ?? defaultChecksumType(algorithm);
  const checksums = parts.map((part) => part.checksum ?? '');
  if (type === 'COMPOSITE') return { algorithm, type, value: compositeChecksum(algorithm, checksums) };
  const value = combineCrcs(
    algorithm as 'CRC32' | 'CRC32C' | 'CRC64NVME',
    parts.map((part, index) => ({ checksum: checksums[index]!, size: part.size })),
  );
  const expected = options.expectedChecksum;
  if (expected && (expected.algorithm !== algorithm || expected.value !== value)) {
    throw new ServiceError(
      'BadDigest',
      `The ${expected.algorithm.toLowerCase()} you specified for the whole object (${expected.value}) did not match ` +
        `what the parts make (${algorithm.toLowerCase()} ${value}).`,
    );
  }
  return { algorithm, type, value };
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
