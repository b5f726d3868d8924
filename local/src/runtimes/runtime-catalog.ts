import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { IssueCollector, describeValue, parseJsonText } from '@slipway/core';
import { UnsupportedImageError } from '../runners/job-runner.js';
import { BUILTIN_RUNTIMES } from './builtin-runtimes.js';
import { isAwsStyleRegistry, parseImageUri } from './image-uri.js';
import type { RuntimeDefinition, RuntimeEnvironment } from './runtime-definition.js';

/** Where the mapping file is looked for when no option or `SLIPWAY_RUNTIMES_FILE` names one. */
export const RUNTIMES_FILE_HINT = 'local/runtimes.json';
const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * Maps image URIs to local runtimes: the runtimes file's entries first (so a project can override a built-in),
 * then the built-ins. Matching is pure; building a venv is the RuntimeManager's job.
 */
export class RuntimeCatalog {
  constructor(
    readonly definitions: readonly RuntimeDefinition[],
    /** The runtimes file these definitions came from, if any; named in "no runtime" messages. */
    readonly file?: string,
  ) {}

  static builtIn(): RuntimeCatalog {
    return new RuntimeCatalog(BUILTIN_RUNTIMES);
  }

  /** Reads a runtimes file (see local/README.md). A missing file means "built-ins only". */
  static async load(file: string): Promise<RuntimeCatalog> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new RuntimeCatalog(BUILTIN_RUNTIMES, file);
      throw error;
    }
    const json = parseJsonText(text, file, 'fix the syntax');
    return new RuntimeCatalog([...(await parseRuntimesFile(json, file)), ...BUILTIN_RUNTIMES], file);
  }

  /** The runtime for an image, or an UnsupportedImageError saying how to add one. */
  find(imageUri: string): RuntimeDefinition {
    const reference = parseImageUri(imageUri);
    const short = `${reference.repository}${reference.tag !== undefined ? `:${reference.tag}` : ''}`;
    const found = this.definitions.find(
      (definition) =>
        (!definition.awsImagesOnly || isAwsStyleRegistry(reference)) &&
        definition.images.some((pattern) => globMatches(pattern, imageUri) || globMatches(pattern, short)),
    );
    if (found) return found;
    const family = this.definitions.filter((definition) =>
      definition.images.some((pattern) => pattern.split(':')[0] === reference.name),
    );
    const known = family.length
      ? ` Versions of ${reference.name} with a local runtime: ${family.map((d) => d.images.join(', ')).join('; ')}.`
      : '';
    throw new UnsupportedImageError(
      `No local runtime for image ${describeValue(imageUri)}: Slipway runs jobs and models without Docker, in a ` +
        `local Python runtime chosen by image, and none matches this one.${known} To run it locally, map the ` +
        `image to a runtime in ${this.file ?? RUNTIMES_FILE_HINT} (or the file named by SLIPWAY_RUNTIMES_FILE), e.g. ` +
        `{"runtimes": [{"name": "${suggestName(reference.name)}", "images": ["${short}"], "requirements": ` +
        `["your-package==1.0"]}]} or "python": "/path/to/a/python/with/its/packages"; ` +
        `see "Job runners, runtimes and model serving" in local/README.md.`,
    );
  }
}

/** `*` matches any run of characters (including `/` and `:`); everything else is literal. */
export function globMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(value);
}

function suggestName(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .slice(0, 40) || 'my-image'
  );
}

/**
 * Validates a runtimes file and turns it into definitions. A `requirementsFile` is read now, so that a change
 * to it changes the runtime's identity (and rebuilds its venv); `sameAs` entries share a built-in's venv.
 */
export async function parseRuntimesFile(json: unknown, file: string): Promise<RuntimeDefinition[]> {
  const issues = new IssueCollector();
  const fix = 'see "Job runners, runtimes and model serving" in local/README.md for the format';
  const add = (field: string, problem: string) => issues.add({ where: file, field, problem, fix });
  const entries = (json as { runtimes?: unknown } | null)?.runtimes;
  if (typeof json !== 'object' || json === null || !Array.isArray(entries)) {
    add('runtimes', `must be a list of runtime entries, got ${describeValue(entries)}`);
    issues.throwIfAny();
  }
  const definitions: RuntimeDefinition[] = [];
  const names = new Set<string>();
  for (const [index, raw] of (entries as unknown[]).entries()) {
    const at = `runtimes[${index}]`;
    const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = entry.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      add(`${at}.name`, `must be 1-63 lowercase letters, digits, ".", "_" or "-", got ${describeValue(name)}`);
    } else if (names.has(name)) {
      add(`${at}.name`, `repeats the name ${describeValue(name)}`);
    } else {
      names.add(name);
    }
    const images = entry.images;
    if (!Array.isArray(images) || images.length === 0 || images.some((i) => typeof i !== 'string' || i === '')) {
      add(`${at}.images`, `must be a non-empty list of image patterns, got ${describeValue(images)}`);
    }
    const given = ['requirements', 'requirementsFile', 'python', 'sameAs'].filter((key) => entry[key] !== undefined);
    if (given.length !== 1) {
      add(
        at,
        `must have exactly one of requirements, requirementsFile, python or sameAs, got ${given.length ? given.join(', ') : 'none'}`,
      );
      continue;
    }
    const sameAs = BUILTIN_RUNTIMES.find((definition) => definition.name === entry.sameAs);
    const environment = await environmentOf(entry, at, file, add);
    if (environment && typeof name === 'string' && Array.isArray(images)) {
      definitions.push({
        name: sameAs?.name ?? name,
        description: typeof entry.description === 'string' ? entry.description : `the runtime ${name} from ${file}`,
        source: file,
        images: images as string[],
        environment,
      });
    }
  }
  issues.throwIfAny();
  return definitions;
}

async function environmentOf(
  entry: Record<string, unknown>,
  at: string,
  file: string,
  add: (field: string, problem: string) => void,
): Promise<RuntimeEnvironment | undefined> {
  if (entry.requirements !== undefined) {
    const lines = entry.requirements;
    if (!Array.isArray(lines) || lines.some((line) => typeof line !== 'string')) {
      add(`${at}.requirements`, `must be a list of pip requirement lines, got ${describeValue(lines)}`);
      return undefined;
    }
    return { kind: 'venv', requirements: lines as string[] };
  }
  if (entry.requirementsFile !== undefined) {
    if (typeof entry.requirementsFile !== 'string') {
      add(`${at}.requirementsFile`, `must be a path, got ${describeValue(entry.requirementsFile)}`);
      return undefined;
    }
    const path = resolve(dirname(file), entry.requirementsFile);
    try {
      return { kind: 'venv', requirements: requirementLines(await readFile(path, 'utf8')) };
    } catch (error) {
      add(`${at}.requirementsFile`, `could not be read (${(error as Error).message})`);
      return undefined;
    }
  }
  if (entry.python !== undefined) {
    if (typeof entry.python !== 'string' || entry.python === '') {
      add(`${at}.python`, `must be the path or command of a Python interpreter, got ${describeValue(entry.python)}`);
      return undefined;
    }
    const python = entry.python;
    return {
      kind: 'python',
      python: isAbsolute(python) || !python.includes('/') ? python : resolve(dirname(file), python),
    };
  }
  const target = BUILTIN_RUNTIMES.find((definition) => definition.name === entry.sameAs);
  if (!target) {
    add(
      `${at}.sameAs`,
      `must name a built-in runtime (${BUILTIN_RUNTIMES.map((d) => d.name).join(', ')}), got ${describeValue(entry.sameAs)}`,
    );
    return undefined;
  }
  return target.environment;
}

/** The requirement lines of a requirements.txt, without comments and blank lines. */
export function requirementLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}
