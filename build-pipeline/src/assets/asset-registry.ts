import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { AssetKind } from '../dsl/file-asset.js';
import { assetKey, contentTypeFor, type Asset } from './asset.js';
import { createTarball, type BundleEntry } from './tarball.js';
import { BuildProblem } from '../build-problem.js';

/** What goes into a script-mode `sourcedir.tar.gz`, as the SageMaker Python SDK defines it. */
export interface SourceBundleSpec {
  /** The script to run: relative to `sourceDir` when that is given, else a local file. */
  readonly entryPoint: string;
  /** A folder whose whole content goes to the archive root. */
  readonly sourceDir?: string;
  /** More files or folders, each placed at the archive root under its own name. */
  readonly dependencies?: readonly string[];
}

/** Files that differ between machines without being code; bundling them would break byte-stability. */
const IGNORED = new Set(['__pycache__', '.git', '.DS_Store', '.pytest_cache', '.mypy_cache', '.venv', 'node_modules']);

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function statOf(path: string, what: string): Stats {
  try {
    return statSync(path);
  } catch {
    throw new BuildProblem(
      `refers to ${what} ${path}, which does not exist`,
      'check the path (relative paths start at the folder the pipeline is compiled from)',
    );
  }
}

function readFolder(root: string, prefix: string, into: BundleEntry[]): void {
  for (const name of readdirSync(root).sort()) {
    if (IGNORED.has(name) || name.endsWith('.pyc')) continue;
    const path = join(root, name);
    const stats = statSync(path);
    const archivePath = prefix ? `${prefix}/${name}` : name;
    if (stats.isDirectory()) readFolder(path, archivePath, into);
    else if (stats.isFile())
      into.push({ archivePath, content: readFileSync(path), executable: (stats.mode & 0o111) !== 0 });
  }
}

function addPath(path: string, into: BundleEntry[]): void {
  const stats = statOf(path, 'file');
  if (stats.isDirectory()) readFolder(path, basename(path), into);
  else into.push({ archivePath: basename(path), content: readFileSync(path), executable: (stats.mode & 0o111) !== 0 });
}

/**
 * Collects the assets of one compilation. Keys are content-addressed, so two steps using the same script share
 * one asset, and an unchanged file keeps its key (and the steps that use it keep their cache) across builds.
 */
export class AssetRegistry {
  private readonly assets = new Map<string, Asset>();

  constructor(
    readonly bucket: string,
    readonly prefix: string,
  ) {}

  private add(
    kind: AssetKind,
    fileName: string,
    bytes: Uint8Array,
    source: { localPath: string } | { bytes: Uint8Array },
  ): Asset {
    const hash = sha256(bytes);
    const key = assetKey(this.prefix, kind, hash, fileName);
    const existing = this.assets.get(key);
    if (existing) return existing;
    const asset: Asset = {
      s3Uri: `s3://${this.bucket}/${key}`,
      bucket: this.bucket,
      key,
      sha256: hash,
      size: bytes.byteLength,
      contentType: contentTypeFor(fileName),
      kind,
      ...source,
    };
    this.assets.set(key, asset);
    return asset;
  }

  /** One local file, uploaded as it is. */
  file(localPath: string, kind: AssetKind): Asset {
    const path = resolve(localPath);
    const stats = statOf(path, 'file');
    if (!stats.isFile()) throw new BuildProblem(`refers to ${path}, which is not a file`, 'name a single file');
    return this.add(kind, basename(path), readFileSync(path), { localPath: path });
  }

  /** A script-mode source bundle, built in memory as a byte-stable tarball. */
  bundle(spec: SourceBundleSpec, fileName = 'sourcedir.tar.gz'): Asset {
    const entries: BundleEntry[] = [];
    if (spec.sourceDir) {
      const root = resolve(spec.sourceDir);
      if (!statOf(root, 'source folder').isDirectory())
        throw new BuildProblem(`refers to ${root}, which is not a folder`, 'pass the folder that holds the code');
      const entryPoint = resolve(root, spec.entryPoint);
      if (relative(root, entryPoint).startsWith(`..${sep}`) || !statOf(entryPoint, 'entry point').isFile())
        throw new BuildProblem(
          `entry point ${spec.entryPoint} is not a file inside ${root}`,
          'give the entry point relative to sourceDir',
        );
      readFolder(root, '', entries);
    } else {
      addPath(resolve(spec.entryPoint), entries);
    }
    for (const dependency of spec.dependencies ?? []) addPath(resolve(dependency), entries);
    const seen = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.archivePath))
        throw new BuildProblem(
          `puts two files at ${entry.archivePath} in ${fileName}`,
          'rename one of them or drop the duplicate dependency',
        );
      seen.add(entry.archivePath);
    }
    const bytes = createTarball(entries);
    return this.add('code', fileName, bytes, { bytes });
  }

  /** Every asset, ordered by key. */
  list(): Asset[] {
    return [...this.assets.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
