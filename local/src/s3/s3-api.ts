import { ServiceError, S3_ERROR_CODES, toServiceError } from '../server/service-error.js';
import { MAX_KEY_BYTES } from '../storage/object-key.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { CrossAccountAccess } from '../accounts/cross-account.js';
import type { ResourcePolicyRepository } from '../store/resource-policy-repository.js';
import { bodyIntake, readSmallBody } from './body-intake.js';
import { bucketPolicyRequest, s3Permission } from './bucket-policy-api.js';
import { copySource } from './copy-source.js';
import { listMultipartUploads, listObjectsV1, listObjectsV2 } from './listing-api.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './multipart-api.js';
import {
  checkConditions,
  objectHeaders,
  parseRange,
  partRange,
  preconditionFailed,
  requestedMetadata,
} from './object-headers.js';
import {
  LOCAL_OWNER,
  checksumElement,
  header,
  noSuchBucket,
  noSuchKey,
  notImplemented,
  xmlResponse,
  type S3Request,
  type S3Response,
} from './s3-http.js';
import { xmlDocument } from './xml.js';
import { childText, malformedXml, parseXmlRequest } from './xml-request.js';

export type { S3Request, S3Response } from './s3-http.js';
export { parseRange } from './object-headers.js';

/** Query keys naming S3 sub-resources the local server does not serve (ACLs, tagging, versioning ...). */
const UNSUPPORTED_SUBRESOURCES = [
  'acl',
  'tagging',
  'versioning',
  'versions',
  'versionId',
  'cors',
  'lifecycle',
  'website',
  'notification',
  'replication',
  'encryption',
  'logging',
  'object-lock',
  'retention',
  'legal-hold',
  'torrent',
  'restore',
  'select',
];

/** A DeleteObjects request names at most 1,000 keys (of up to 1 KiB each, escaped). */
const MAX_DELETE_BODY_BYTES = 8 * 1024 * 1024;
const MAX_DELETE_KEYS = 1000;

export interface S3ApiOptions {
  /** Largest object PutObject or a multipart upload makes, in bytes. */
  readonly maxObjectBytes: number;
  /**
   * Bucket policies (`?policy`) are kept here.
   * @default - `?policy` answers NotImplemented
   */
  readonly policies?: ResourcePolicyRepository;
  /**
   * The caller's account's reach into the other accounts the server emulates: a bucket of another account is
   * served from there when its bucket policy allows the request, refused with AccessDenied otherwise.
   * @default - one account: a bucket this store lacks does not exist
   */
  readonly crossAccount?: CrossAccountAccess;
}

/**
 * S3's path-style REST API over the local ObjectStore, as the AWS SDKs and boto3 use it: buckets (Create,
 * Head, Delete, List, GetBucketLocation), objects (Put, Get and Head with ranges, parts and conditions,
 * Delete, DeleteObjects, CopyObject, GetObjectAttributes), ListObjects v1 and v2, and multipart uploads
 * (Create, UploadPart, UploadPartCopy, Complete, Abort, ListParts, ListMultipartUploads), with S3's XML
 * shapes and error codes. Any other sub-resource answers `NotImplemented` by name.
 */
export class S3Api {
  constructor(
    private readonly store: ObjectStore,
    private readonly options: S3ApiOptions,
  ) {}

  async handle(request: S3Request): Promise<S3Response> {
    try {
      return await this.route(request);
    } catch (thrown) {
      const { error, internal } = toServiceError(thrown, S3_ERROR_CODES);
      // Unexpected errors go up to the listener, which logs them and answers InternalError in this shape.
      if (internal) throw thrown;
      return s3ErrorResponse(error, request);
    }
  }

  private async route(request: S3Request): Promise<S3Response> {
    const { bucket, key } = splitPath(request.path);
    const { query } = request;
    const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
    if (unsupported) {
      throw notImplemented(
        `the "${unsupported}" sub-resource (${request.method} ${request.path.slice(0, 200)}?${unsupported})`,
      );
    }
    const method = request.method.toUpperCase();
    if (!bucket) {
      if (method === 'GET') return this.listBuckets();
      throw notImplemented(`${method} /`);
    }
    const crossAccount = this.options.crossAccount;
    if (crossAccount && !(await this.store.bucketExists(bucket))) {
      if (key === undefined && method === 'PUT' && query.size === 0) {
        if (await crossAccount.bucketOwnedByAnother(bucket)) {
          throw new ServiceError(
            'BucketAlreadyExists',
            'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
            409,
            { BucketName: bucket },
          );
        }
      } else if (!query.has('policy')) {
        const permission = s3Permission(method, bucket, key, query);
        const owner = await crossAccount.bucket(bucket, permission.action, permission.resource, permission.context);
        if (owner) return owner.s3.handle(request);
      }
    }
    if (key === undefined) return this.routeBucket(method, bucket, request);
    checkKeyLength(key);
    await this.requireBucket(bucket);
    const store = this.store;
    if (query.has('uploadId')) {
      if (method === 'PUT') {
        return request.headers['x-amz-copy-source'] !== undefined
          ? uploadPartCopy(store, bucket, key, request)
          : uploadPart(store, bucket, key, request, this.options);
      }
      if (method === 'POST') return completeMultipartUpload(store, bucket, key, request, this.options);
      if (method === 'DELETE') return abortMultipartUpload(store, bucket, key, request);
      if (method === 'GET') return listParts(store, bucket, key, request);
    } else if (method === 'POST' && query.has('uploads')) {
      return createMultipartUpload(store, bucket, key, request);
    } else if (method === 'PUT') {
      return request.headers['x-amz-copy-source'] !== undefined
        ? this.copyObject(bucket, key, request)
        : this.putObject(bucket, key, request);
    } else if (method === 'GET' && query.has('attributes')) {
      return this.getObjectAttributes(bucket, key, request);
    } else if (method === 'GET' || method === 'HEAD') {
      return this.getObject(bucket, key, request, method === 'GET');
    } else if (method === 'DELETE') {
      await this.store.delete(bucket, key);
      return { status: 204, headers: {} };
    }
    throw notImplemented(
      `${method} on an object${query.size > 0 ? ` with ?${[...query.keys()].join('&').slice(0, 100)}` : ''}`,
    );
  }

  private async routeBucket(method: string, bucket: string, request: S3Request): Promise<S3Response> {
    const { query } = request;
    if (method === 'PUT' && query.size === 0) return this.createBucket(bucket);
    if (query.has('policy')) {
      await this.requireBucket(bucket);
      if (!this.options.policies) throw notImplemented('the "policy" sub-resource');
      return bucketPolicyRequest(this.options.policies, bucket, method, request);
    }
    if (method === 'HEAD') {
      await this.requireBucket(bucket);
      return { status: 200, headers: { 'x-amz-bucket-region': 'us-east-1' } };
    }
    await this.requireBucket(bucket);
    if (method === 'GET') {
      if (query.has('location')) return xmlResponse('LocationConstraint', {});
      if (query.has('uploads')) return listMultipartUploads(this.store, bucket, query);
      if (query.get('list-type') === '2') return listObjectsV2(this.store, bucket, query);
      if (query.has('list-type')) {
        throw new ServiceError(
          'InvalidArgument',
          `list-type must be 2 (ListObjectsV2) or absent (ListObjects), got ${query.get('list-type')!.slice(0, 20)}.`,
        );
      }
      return listObjectsV1(this.store, bucket, query);
    }
    if (method === 'POST' && query.has('delete')) return this.deleteObjects(bucket, request);
    if (method === 'DELETE' && query.size === 0) return this.deleteBucket(bucket);
    throw notImplemented(
      `${method} on a bucket${query.size > 0 ? ` with ?${[...query.keys()].join('&').slice(0, 100)}` : ''}`,
    );
  }

  private listBuckets(): S3Response {
    return xmlResponse('ListAllMyBucketsResult', {
      Owner: LOCAL_OWNER,
      Buckets: {
        Bucket: this.store
          .listBucketRecords()
          .map(({ name, createdAt }) => ({ Name: name, CreationDate: createdAt.toISOString() })),
      },
    });
  }

  private async createBucket(bucket: string): Promise<S3Response> {
    const created = await this.store.createBucket(bucket);
    if (!created) {
      throw new ServiceError(
        'BucketAlreadyOwnedByYou',
        `Your previous request to create the named bucket succeeded and you already own it: ${bucket}.`,
        409,
        { BucketName: bucket },
      );
    }
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  private async deleteBucket(bucket: string): Promise<S3Response> {
    const result = await this.store.deleteBucket(bucket);
    if (result === 'missing') throw noSuchBucket(bucket);
    if (result === 'not-empty') {
      throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty.', 409, {
        BucketName: bucket,
      });
    }
    return { status: 204, headers: {} };
  }

  private async putObject(bucket: string, key: string, request: S3Request): Promise<S3Response> {
    const { contentType, headers, metadata } = requestedMetadata(request);
    const intake = bodyIntake(request, this.options.maxObjectBytes);
    const info = await this.store.put(bucket, key, intake.body, {
      contentType,
      headers,
      metadata,
      checksumAlgorithms: intake.algorithms,
      accept: intake.accept,
      ifAbsent: header(request, 'if-none-match')?.trim() === '*',
    });
    return {
      status: 200,
      headers: {
        etag: info.etag,
        ...(info.checksum
          ? {
              [`x-amz-checksum-${info.checksum.algorithm.toLowerCase()}`]: info.checksum.value,
              'x-amz-checksum-type': info.checksum.type,
            }
          : {}),
      },
    };
  }

  private async getObject(bucket: string, key: string, request: S3Request, withBody: boolean): Promise<S3Response> {
    const opened = withBody ? this.store.open(bucket, key) : undefined;
    const info = opened?.info ?? (withBody ? undefined : await this.store.head(bucket, key));
    if (!info) throw noSuchKey(key);
    try {
      if (checkConditions(request, info) === 304) {
        opened?.close();
        return { status: 304, headers: { etag: info.etag, 'last-modified': info.lastModified.toUTCString() } };
      }
      const partNumberText = request.query.get('partNumber');
      const partNumber = partNumberText === null ? undefined : Number(partNumberText);
      const range =
        partNumber !== undefined
          ? info.size === 0
            ? undefined
            : partRange(info, partNumber)
          : parseRange(request.headers['range'], info.size);
      if (range === 'unsatisfiable') {
        throw new ServiceError('InvalidRange', 'The requested range is not satisfiable', 416, {
          RangeRequested: String(header(request, 'range') ?? '').slice(0, 100),
          ActualObjectSize: String(info.size),
        });
      }
      const headers = objectHeaders(info, {
        withChecksum: !range && header(request, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED',
        partsCount: partNumber !== undefined,
      });
      if (!range) return { status: 200, headers, ...(opened ? { body: opened.stream() } : {}) };
      return {
        status: 206,
        headers: {
          ...headers,
          'content-length': String(range.end - range.start + 1),
          'content-range': `bytes ${range.start}-${range.end}/${info.size}`,
        },
        ...(opened ? { body: opened.stream(range) } : {}),
      };
    } catch (error) {
      opened?.close();
      throw error;
    }
  }

  private async copyObject(bucket: string, key: string, request: S3Request): Promise<S3Response> {
    const source = copySource(request);
    const directive = (header(request, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
    if (directive !== 'COPY' && directive !== 'REPLACE') {
      throw new ServiceError(
        'InvalidArgument',
        `Unknown metadata directive ${directive.slice(0, 40)}; use COPY or REPLACE.`,
        400,
        {
          ArgumentName: 'x-amz-metadata-directive',
          ArgumentValue: directive.slice(0, 100),
        },
      );
    }
    if (source.bucket === bucket && source.key === key && directive === 'COPY') {
      throw new ServiceError(
        'InvalidRequest',
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    const replacement = directive === 'REPLACE' ? requestedMetadata(request) : undefined;
    const info = await this.store.copy(
      { bucket: source.bucket, key: source.key },
      { bucket, key },
      {
        metadataDirective: directive,
        ...(replacement ?? {}),
        checkSource: (found) => {
          if (found.size > this.options.maxObjectBytes) throw preconditionFailed('size');
          source.check(request, found);
        },
      },
    );
    if (!info) throw source.missing(await this.store.bucketExists(source.bucket));
    return xmlResponse('CopyObjectResult', {
      ETag: info.etag,
      LastModified: info.lastModified.toISOString(),
      ...(info.checksum
        ? { ChecksumType: info.checksum.type, ...checksumElement(info.checksum.algorithm, info.checksum.value) }
        : {}),
    });
  }

  private async deleteObjects(bucket: string, request: S3Request): Promise<S3Response> {
    const document = parseXmlRequest((await readSmallBody(request, MAX_DELETE_BODY_BYTES)).toString('utf8'));
    if (document.name !== 'Delete')
      throw malformedXml(`the root element is <${document.name.slice(0, 50)}>, not <Delete>`);
    const objects = document.children.filter((child) => child.name === 'Object');
    if (objects.length === 0 || objects.length > MAX_DELETE_KEYS) {
      throw malformedXml(`a Delete request names 1 to ${MAX_DELETE_KEYS} objects, this one ${objects.length}`);
    }
    const quiet = childText(document, 'Quiet') === 'true';
    const deleted: { Key: string }[] = [];
    const errors: { Key: string; Code: string; Message: string }[] = [];
    for (const object of objects) {
      const keyElement = object.children.find((child) => child.name === 'Key');
      if (!keyElement) throw malformedXml('every <Object> needs a <Key>');
      const key = keyElement.text;
      try {
        checkKeyLength(key);
        await this.store.delete(bucket, key);
        deleted.push({ Key: key });
      } catch (thrown) {
        const { error, internal } = toServiceError(thrown, S3_ERROR_CODES);
        if (internal) throw thrown;
        errors.push({ Key: key, Code: error.code, Message: error.message });
      }
    }
    return xmlResponse('DeleteResult', { ...(quiet ? {} : { Deleted: deleted }), Error: errors });
  }

  private async getObjectAttributes(bucket: string, key: string, request: S3Request): Promise<S3Response> {
    const info = await this.store.head(bucket, key);
    if (!info) throw noSuchKey(key);
    const wanted = new Set(
      String(header(request, 'x-amz-object-attributes') ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    );
    if (wanted.size === 0) {
      throw new ServiceError(
        'InvalidArgument',
        'x-amz-object-attributes must name at least one of ETag, Checksum, ObjectParts, StorageClass, ObjectSize.',
        400,
        {
          ArgumentName: 'x-amz-object-attributes',
        },
      );
    }
    const marker = Number(header(request, 'x-amz-part-number-marker') ?? 0) || 0;
    const maxParts = Math.min(Number(header(request, 'x-amz-max-parts') ?? 1000) || 1000, 1000);
    const parts = info.partCount !== undefined ? info.parts.map((part, index) => ({ number: index + 1, ...part })) : [];
    const page = parts.filter((part) => part.number > marker).slice(0, maxParts);
    return xmlResponse(
      'GetObjectAttributesResponse',
      {
        ...(wanted.has('ETag') ? { ETag: info.etag.replace(/^"|"$/g, '') } : {}),
        ...(wanted.has('Checksum') && info.checksum
          ? {
              Checksum: {
                ...checksumElement(info.checksum.algorithm, info.checksum.value),
                ChecksumType: info.checksum.type,
              },
            }
          : {}),
        ...(wanted.has('ObjectParts') && info.partCount !== undefined
          ? {
              ObjectParts: {
                PartsCount: info.partCount,
                PartNumberMarker: marker,
                ...(page.length > 0 ? { NextPartNumberMarker: page[page.length - 1]!.number } : {}),
                MaxParts: maxParts,
                IsTruncated: parts.filter((part) => part.number > marker).length > page.length,
                Part: page.map((part) => ({
                  PartNumber: part.number,
                  Size: part.size,
                  ...(info.checksum ? checksumElement(info.checksum.algorithm, part.checksum) : {}),
                })),
              },
            }
          : {}),
        ...(wanted.has('StorageClass') ? { StorageClass: 'STANDARD' } : {}),
        ...(wanted.has('ObjectSize') ? { ObjectSize: info.size } : {}),
      },
      { 'last-modified': info.lastModified.toUTCString() },
    );
  }

  private async requireBucket(bucket: string): Promise<void> {
    if (!(await this.store.bucketExists(bucket))) throw noSuchBucket(bucket);
  }
}

/** S3 refuses a key over 1,024 bytes with its own code (the store's check would say InvalidArgument). */
function checkKeyLength(key: string): void {
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new ServiceError(
      'KeyTooLongError',
      `Your key is too long: ${bytes} bytes, and S3 keys are at most ${MAX_KEY_BYTES}.`,
      400,
      {
        Size: String(bytes),
        MaxSizeAllowed: String(MAX_KEY_BYTES),
      },
    );
  }
  if (key === '') throw new ServiceError('InvalidArgument', 'An object key must not be empty.');
}

/**
 * Bucket and key from the raw path (`/bucket/key`, percent-encoded). The key is everything after the first
 * slash, decoded once and kept exactly: `//`, a trailing `/`, `.` and `..` segments are all part of it.
 */
function splitPath(rawPath: string): { bucket: string | undefined; key: string | undefined } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return { bucket: undefined, key: undefined };
  const slash = path.indexOf('/');
  if (slash < 0 || slash === path.length - 1) {
    return { bucket: decode(slash < 0 ? path : path.slice(0, slash)), key: undefined };
  }
  return { bucket: decode(path.slice(0, slash)), key: decode(path.slice(slash + 1)) };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ServiceError(
      'InvalidURI',
      `Couldn't parse the specified URI: the path segment ${JSON.stringify(text.slice(0, 100))} is not valid percent-encoded UTF-8.`,
    );
  }
}

/** S3's error answer: `<Error><Code>…` with the request id (no body for HEAD, as S3 does). */
export function s3ErrorResponse(error: ServiceError, request: Pick<S3Request, 'method' | 'requestId'>): S3Response {
  const headers: Record<string, string> = { 'x-amz-request-id': request.requestId };
  if (request.method.toUpperCase() === 'HEAD') return { status: error.status, headers };
  return {
    status: error.status,
    headers: { ...headers, 'content-type': 'application/xml' },
    body: xmlDocument('Error', {
      Code: error.code,
      Message: error.message,
      ...error.details,
      RequestId: request.requestId,
    }),
  };
}
