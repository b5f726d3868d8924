import { resolve } from 'node:path';

/** Where an asset's key lives under the pipeline's prefix: `<pipeline>/<kind>/<sha256>/<file>`. */
export type AssetKind = 'code' | 'data';

/**
 * A local file that the pipeline needs in S3 (e.g. the sample data set as a parameter's default). The compiler
 * hashes it, gives it a content-addressed key and lists it among the assets to upload; it uploads nothing.
 */
export class FileAsset {
  readonly localPath: string;
  readonly kind: AssetKind;

  constructor(localPath: string, options: { readonly kind?: AssetKind } = {}) {
    this.localPath = resolve(localPath);
    this.kind = options.kind ?? 'data';
  }
}
