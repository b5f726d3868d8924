import { ServiceError } from '../server/service-error.js';
import {
  checksumHeader,
  isChecksumAlgorithm,
  type ChecksumAlgorithm,
  type ChecksumType,
} from '../storage/checksums.js';
import { checkChecksumType, defaultChecksumType, type RequestedPart } from '../storage/multipart.js';
import type { ObjectStore } from '../storage/object-store.js';
import { bodyIntake, readSmallBody, unsupportedAlgorithm } from './body-intake.js';
import { requestedMetadata } from './object-headers.js';
import { copySource, type CopySource } from './copy-source.js';
import {
  LOCAL_OWNER,
  checksumElement,
  countParameter,
  header,
  xmlResponse,
  type S3Request,
  type S3Response,
} from './s3-http.js';
import { childText, malformedXml, parseXmlRequest } from './xml-request.js';

/** S3's largest part: 5 GiB. */
const MAX_PART_BYTES = 5 * 1024 ** 3;
/** A CompleteMultipartUpload document lists at most 10,000 parts of about 200 bytes each. */
const MAX_COMPLETE_BODY_BYTES = 4 * 1024 * 1024;

export interface MultipartLimits {
  /** Largest object the server stores. */
  readonly maxObjectBytes: number;
}

/** CreateMultipartUpload (`POST /bucket/key?uploads`). */
export function createMultipartUpload(store: ObjectStore, bucket: string, key: string, request: S3Request): S3Response {
  const algorithmName = header(request, 'x-amz-checksum-algorithm')?.toUpperCase();
  if (algorithmName !== undefined && !isChecksumAlgorithm(algorithmName)) throw unsupportedAlgorithm(algorithmName);
  const typeName = header(request, 'x-amz-checksum-type')?.toUpperCase();
  if (typeName !== undefined && typeName !== 'FULL_OBJECT' && typeName !== 'COMPOSITE') {
    throw new ServiceError(
      'InvalidRequest',
      `Value for x-amz-checksum-type header is invalid: ${typeName.slice(0, 40)}.`,
    );
  }
  if (typeName !== undefined && algorithmName === undefined) {
    throw new ServiceError('InvalidRequest', 'x-amz-checksum-type requires x-amz-checksum-algorithm.');
  }
  const algorithm = algorithmName as ChecksumAlgorithm | undefined;
  const type = algorithm ? ((typeName as ChecksumType | undefined) ?? defaultChecksumType(algorithm)) : undefined;
  if (algorithm && type) checkChecksumType(algorithm, type);
  const { contentType, headers, metadata } = requestedMetadata(request);
  const upload = store.createUpload(bucket, key, {
    contentType,
    headers,
    metadata,
    ...(algorithm ? { checksumAlgorithm: algorithm } : {}),
    ...(type ? { checksumType: type } : {}),
  });
  return xmlResponse(
    'InitiateMultipartUploadResult',
    { Bucket: bucket, Key: key, UploadId: upload.id },
    algorithm && type ? { 'x-amz-checksum-algorithm': algorithm, 'x-amz-checksum-type': type } : {},
  );
}

/** UploadPart (`PUT /bucket/key?partNumber=N&uploadId=…`), streamed into the store. */
export async function uploadPart(
  store: ObjectStore,
  bucket: string,
  key: string,
  request: S3Request,
  limits: MultipartLimits,
): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  const partNumber = partNumberOf(request.query);
  const upload = store.upload(bucket, key, uploadId);
  const intake = bodyIntake(request, Math.min(MAX_PART_BYTES, limits.maxObjectBytes));
  if (upload.checksumAlgorithm && intake.checksumAlgorithm && intake.checksumAlgorithm !== upload.checksumAlgorithm) {
    throw new ServiceError(
      'InvalidRequest',
      `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${intake.checksumAlgorithm.toLowerCase()}`,
    );
  }
  const part = await store.uploadPart(bucket, key, uploadId, partNumber, intake.body, {
    checksumAlgorithms: intake.algorithms,
    accept: intake.accept,
  });
  return {
    status: 200,
    headers: {
      etag: part.etag,
      ...(upload.checksumAlgorithm && part.checksum
        ? { [checksumHeader(upload.checksumAlgorithm)]: part.checksum }
        : {}),
    },
  };
}

/** UploadPartCopy (`PUT …?partNumber=N&uploadId=…` with x-amz-copy-source, optionally a byte range of it). */
export async function uploadPartCopy(
  store: ObjectStore,
  bucket: string,
  key: string,
  request: S3Request,
): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  const partNumber = partNumberOf(request.query);
  store.upload(bucket, key, uploadId);
  const source: CopySource = copySource(request);
  const opened = store.open(source.bucket, source.key);
  if (!opened) throw source.missing(await store.bucketExists(source.bucket));
  let range: { start: number; end: number } | undefined;
  try {
    source.check(request, opened.info);
    range = copyRange(header(request, 'x-amz-copy-source-range'), opened.info.size);
  } catch (error) {
    opened.close();
    throw error;
  }
  let part;
  try {
    part = await store.uploadPart(bucket, key, uploadId, partNumber, opened.stream(range));
  } finally {
    opened.close();
  }
  return xmlResponse('CopyPartResult', { ETag: part.etag, LastModified: part.lastModified.toISOString() });
}

/** CompleteMultipartUpload (`POST /bucket/key?uploadId=…` with the list of parts). */
export async function completeMultipartUpload(
  store: ObjectStore,
  bucket: string,
  key: string,
  request: S3Request,
  limits: MultipartLimits,
): Promise<S3Response> {
  const uploadId = request.query.get('uploadId') ?? '';
  const upload = store.upload(bucket, key, uploadId);
  const document = parseXmlRequest((await readSmallBody(request, MAX_COMPLETE_BODY_BYTES)).toString('utf8'));
  if (document.name !== 'CompleteMultipartUpload')
    throw malformedXml(`the root element is <${document.name.slice(0, 50)}>, not <CompleteMultipartUpload>`);
  const parts: RequestedPart[] = document.children
    .filter((child) => child.name === 'Part')
    .map((part) => {
      const numberText = childText(part, 'PartNumber');
      const etag = childText(part, 'ETag');
      if (numberText === undefined || !/^\d{1,5}$/.test(numberText) || etag === undefined) {
        throw malformedXml('every <Part> needs a <PartNumber> (1 to 10000) and an <ETag>');
      }
      const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
      for (const child of part.children) {
        const name = child.name.startsWith('Checksum') ? child.name.slice('Checksum'.length).toUpperCase() : '';
        if (isChecksumAlgorithm(name)) checksums[name] = child.text.trim();
      }
      return { partNumber: Number(numberText), etag, checksums };
    });
  const expected = upload.checksumAlgorithm ? header(request, checksumHeader(upload.checksumAlgorithm)) : undefined;
  const info = await store.completeUpload(bucket, key, uploadId, parts, {
    maxBytes: limits.maxObjectBytes,
    ...(expected && upload.checksumAlgorithm
      ? { expectedChecksum: { algorithm: upload.checksumAlgorithm, value: expected } }
      : {}),
    ifAbsent: header(request, 'if-none-match')?.trim() === '*',
  });
  return xmlResponse('CompleteMultipartUploadResult', {
    Location: `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
    Bucket: bucket,
    Key: key,
    ETag: info.etag,
    ...(info.checksum
      ? { ...checksumElement(info.checksum.algorithm, info.checksum.value), ChecksumType: info.checksum.type }
      : {}),
  });
}

/** AbortMultipartUpload (`DELETE /bucket/key?uploadId=…`). */
export async function abortMultipartUpload(
  store: ObjectStore,
  bucket: string,
  key: string,
  request: S3Request,
): Promise<S3Response> {
  await store.abortUpload(bucket, key, request.query.get('uploadId') ?? '');
  return { status: 204, headers: {} };
}

/** ListParts (`GET /bucket/key?uploadId=…`), paged by part number. */
export function listParts(store: ObjectStore, bucket: string, key: string, request: S3Request): S3Response {
  const uploadId = request.query.get('uploadId') ?? '';
  const marker = countParameter(request.query, 'part-number-marker', 0, Number.MAX_SAFE_INTEGER);
  const maxParts = countParameter(request.query, 'max-parts', 1000, 1000);
  const { upload, parts } = store.listParts(bucket, key, uploadId);
  const after = parts.filter((part) => part.number > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  return xmlResponse('ListPartsResult', {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    PartNumberMarker: marker,
    ...(page.length > 0 ? { NextPartNumberMarker: page[page.length - 1]!.number } : {}),
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((part) => ({
      PartNumber: part.number,
      LastModified: part.lastModified.toISOString(),
      ETag: part.etag,
      Size: part.size,
      ...(upload.checksumAlgorithm ? checksumElement(upload.checksumAlgorithm, part.checksum) : {}),
    })),
    Initiator: LOCAL_OWNER,
    Owner: LOCAL_OWNER,
    StorageClass: 'STANDARD',
    ...(upload.checksumAlgorithm ? { ChecksumAlgorithm: upload.checksumAlgorithm } : {}),
    ...(upload.checksumType ? { ChecksumType: upload.checksumType } : {}),
  });
}

function partNumberOf(query: URLSearchParams): number {
  const text = query.get('partNumber') ?? '';
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= 10_000)) {
    throw new ServiceError(
      'InvalidArgument',
      `Part number must be an integer between 1 and 10000, inclusive (got ${JSON.stringify(text.slice(0, 20))}).`,
      400,
      {
        ArgumentName: 'partNumber',
        ArgumentValue: text.slice(0, 100),
      },
    );
  }
  return value;
}

/** `x-amz-copy-source-range: bytes=first-last`, which must lie inside the source. */
function copyRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (value === undefined) return size === 0 ? undefined : { start: 0, end: size - 1 };
  const match = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  const start = match ? Number(match[1]) : Number.NaN;
  const end = match ? Number(match[2]) : Number.NaN;
  if (!(start <= end) || end >= size) {
    throw new ServiceError(
      'InvalidArgument',
      `The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy, inside the source's ${size} bytes.`,
      400,
      { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value.slice(0, 100) },
    );
  }
  return { start, end };
}
