import type { AssetKind } from '../dsl/file-asset.js';

/** Something the caller uploads before creating the pipeline; the definition refers to it by `s3Uri`. */
export interface Asset {
  readonly s3Uri: string;
  readonly bucket: string;
  /** `<prefix>/<kind>/<sha256>/<file name>`: the same content always gets the same key. */
  readonly key: string;
  /** Hex SHA-256 of exactly the bytes to upload. */
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string;
  readonly kind: AssetKind;
  /** Upload this file ... */
  readonly localPath?: string;
  /** ... or these bytes (bundles built in memory). */
  readonly bytes?: Uint8Array;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.py': 'text/x-python',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.sh': 'text/x-sh',
  '.gz': 'application/gzip',
  '.tgz': 'application/gzip',
};

export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot >= 0 ? CONTENT_TYPES[fileName.slice(dot).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

export function assetKey(prefix: string, kind: AssetKind, sha256: string, fileName: string): string {
  return [prefix, kind, sha256, fileName].filter((part) => part.length > 0).join('/');
}
