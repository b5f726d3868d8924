import { ServiceError } from '../server/service-error.js';
import type { ObjectInfo, ObjectStore } from '../storage/object-store.js';
import { LOCAL_OWNER, countParameter, keyEncoder, xmlResponse, type S3Response } from './s3-http.js';

/** S3 answers at most 1,000 keys a page. */
const MAX_KEYS = 1000;

/** ListObjects (v1): marker paging; NextMarker only when a delimiter is given, as S3 sends it. */
export function listObjectsV1(store: ObjectStore, bucket: string, query: URLSearchParams): S3Response {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const marker = query.get('marker') ?? '';
  const maxKeys = countParameter(query, 'max-keys', MAX_KEYS, MAX_KEYS);
  const encode = keyEncoder(query);
  const page = store.listPage(bucket, { prefix, delimiter, maxKeys, ...(marker ? { startAfter: marker } : {}) });
  return xmlResponse('ListBucketResult', {
    Name: bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    IsTruncated: page.truncated,
    ...(query.has('encoding-type') ? { EncodingType: 'url' } : {}),
    ...(page.truncated && delimiter && page.nextMarker !== undefined ? { NextMarker: encode(page.nextMarker) } : {}),
    Contents: page.contents.map((info) => contentsEntry(info, encode, true)),
    CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
  });
}

/** ListObjectsV2: continuation tokens (opaque: the last key or common prefix of the page) and start-after. */
export function listObjectsV2(store: ObjectStore, bucket: string, query: URLSearchParams): S3Response {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = countParameter(query, 'max-keys', MAX_KEYS, MAX_KEYS);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const encode = keyEncoder(query);
  const after = token !== null ? decodeContinuation(token) : startAfter;
  const page = store.listPage(bucket, { prefix, delimiter, maxKeys, ...(after ? { startAfter: after } : {}) });
  const fetchOwner = query.get('fetch-owner') === 'true';
  return xmlResponse('ListBucketResult', {
    Name: bucket,
    Prefix: encode(prefix),
    KeyCount: page.contents.length + page.commonPrefixes.length,
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    IsTruncated: page.truncated,
    ...(query.has('encoding-type') ? { EncodingType: 'url' } : {}),
    ...(token !== null ? { ContinuationToken: token } : {}),
    ...(page.truncated && page.nextMarker !== undefined
      ? { NextContinuationToken: encodeContinuation(page.nextMarker) }
      : {}),
    ...(startAfter ? { StartAfter: encode(startAfter) } : {}),
    Contents: page.contents.map((info) => contentsEntry(info, encode, fetchOwner)),
    CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
  });
}

/** ListMultipartUploads: uploads in progress by key then start time, with key and upload-id markers. */
export function listMultipartUploads(store: ObjectStore, bucket: string, query: URLSearchParams): S3Response {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = query.get('upload-id-marker') ?? '';
  const maxUploads = countParameter(query, 'max-uploads', MAX_KEYS, MAX_KEYS);
  const encode = keyEncoder(query);
  const uploads = store.listUploads(bucket).filter((upload) => upload.key.startsWith(prefix));
  const entries: ({ kind: 'upload'; upload: (typeof uploads)[number] } | { kind: 'prefix'; prefix: string })[] = [];
  let passedMarker = keyMarker === '';
  let truncated = false;
  for (const upload of uploads) {
    if (!passedMarker) {
      const order = Buffer.compare(Buffer.from(upload.key), Buffer.from(keyMarker));
      if (order < 0 || (order === 0 && (uploadIdMarker === '' || upload.id !== uploadIdMarker))) continue;
      passedMarker = true;
      if (order === 0) continue;
    }
    const cut = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? upload.key.slice(0, cut + delimiter.length) : undefined;
    const previous = entries[entries.length - 1];
    if (common !== undefined && previous?.kind === 'prefix' && previous.prefix === common) continue;
    if (entries.length >= maxUploads) {
      truncated = true;
      break;
    }
    entries.push(common !== undefined ? { kind: 'prefix', prefix: common } : { kind: 'upload', upload });
  }
  const last = entries[entries.length - 1];
  return xmlResponse('ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    ...(truncated && last
      ? {
          NextKeyMarker: encode(last.kind === 'upload' ? last.upload.key : last.prefix),
          NextUploadIdMarker: last.kind === 'upload' ? last.upload.id : '',
        }
      : {}),
    ...(prefix ? { Prefix: encode(prefix) } : {}),
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    ...(query.has('encoding-type') ? { EncodingType: 'url' } : {}),
    Upload: entries.flatMap((entry) =>
      entry.kind === 'upload'
        ? [
            {
              Key: encode(entry.upload.key),
              UploadId: entry.upload.id,
              Initiator: LOCAL_OWNER,
              Owner: LOCAL_OWNER,
              StorageClass: 'STANDARD',
              Initiated: entry.upload.initiatedAt.toISOString(),
              ChecksumAlgorithm: entry.upload.checksumAlgorithm,
              ChecksumType: entry.upload.checksumType,
            },
          ]
        : [],
    ),
    CommonPrefixes: entries.flatMap((entry) => (entry.kind === 'prefix' ? [{ Prefix: encode(entry.prefix) }] : [])),
  });
}

function contentsEntry(info: ObjectInfo, encode: (text: string) => string, withOwner: boolean) {
  return {
    Key: encode(info.key),
    LastModified: info.lastModified.toISOString(),
    ETag: info.etag,
    ...(info.checksum ? { ChecksumAlgorithm: info.checksum.algorithm, ChecksumType: info.checksum.type } : {}),
    Size: info.size,
    StorageClass: 'STANDARD',
    ...(withOwner ? { Owner: LOCAL_OWNER } : {}),
  };
}

function encodeContinuation(marker: string): string {
  return Buffer.from(marker, 'utf8').toString('base64');
}

function decodeContinuation(token: string): string {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  if (token === '' || encodeContinuation(decoded) !== token) {
    throw new ServiceError('InvalidArgument', 'The continuation token provided is incorrect.', 400, {
      ArgumentName: 'continuation-token',
      ArgumentValue: token.slice(0, 100),
    });
  }
  return decoded;
}
