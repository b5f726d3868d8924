import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { IssueCollector, describeValue, parseJsonText } from '@slipway/core';
import { UnsupportedImageError } from '../runners/job-runner.js';
import { BUILTIN_RUNTIMES } from './builtin-runtimes.js';
import { isAwsStyleRegistry, parseImageUri } from './image-uri.js';
import {
  SERVING_DEFAULTS,
  type RuntimeDefinition,
  type RuntimeEnvironment,
  type ServingDefaults,
} from './runtime-definition.js';

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
      `No local runtime for image ${JSON.stringify(imageUri)}: Slipway runs jobs and models without Docker, in a ` +
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

/** Every field a runtimes file entry may have; anything else is refused by name. */
export const RUNTIME_ENTRY_FIELDS = [
  'name',
  'description',
  'images',
  'requirements',
  'requirementsFile',
  'python',
  'sameAs',
  'extends',
  'trainingModule',
  'servingDefaults',
  'notes',
] as const;
const ENVIRONMENT_FIELDS = ['requirements', 'requirementsFile', 'python', 'sameAs'] as const;
const MODULE = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*(:[A-Za-z_][\w]*)?$/;

/**
 * Validates a runtimes file and turns it into definitions. A `requirementsFile` is read now, so that a change
 * to it changes the runtime's identity (and rebuilds its venv); `sameAs` entries share a built-in's venv and its
 * container behaviour; `extends` layers the entry's requirements on a built-in's venv. Every field is honoured
 * or refused by name.
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
  for (const key of Object.keys(json as object)) {
    if (key !== 'runtimes') add(key, 'is not a field of a runtimes file (it has only "runtimes")');
  }
  const definitions: RuntimeDefinition[] = [];
  const names = new Set<string>();
  for (const [index, raw] of (entries as unknown[]).entries()) {
    const at = `runtimes[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      add(at, `must be an object, got ${describeValue(raw)}`);
      continue;
    }
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!(RUNTIME_ENTRY_FIELDS as readonly string[]).includes(key))
        add(`${at}.${key}`, `is not a field of a runtime entry; the fields are ${RUNTIME_ENTRY_FIELDS.join(', ')}`);
    }
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
    const given = ENVIRONMENT_FIELDS.filter((key) => entry[key] !== undefined);
    if (given.length !== 1) {
      add(
        at,
        `must have exactly one of requirements, requirementsFile, python or sameAs, got ${given.length ? given.join(', ') : 'none'}`,
      );
      continue;
    }
    const sameAs = entry.sameAs !== undefined ? builtIn(entry.sameAs, `${at}.sameAs`, add) : undefined;
    const extended = entry.extends !== undefined ? builtIn(entry.extends, `${at}.extends`, add) : undefined;
    if (entry.extends !== undefined && (entry.python !== undefined || entry.sameAs !== undefined))
      add(`${at}.extends`, 'goes with requirements or requirementsFile (packages layered on that runtime)');
    if (extended && extended.environment.kind !== 'venv')
      add(`${at}.extends`, `names ${extended.name}, which is not a venv runtime`);
    const trainingModule = entry.trainingModule;
    if (trainingModule !== undefined && (typeof trainingModule !== 'string' || !MODULE.test(trainingModule)))
      add(`${at}.trainingModule`, `must be a module or module:function, got ${describeValue(trainingModule)}`);
    const serving = entry.servingDefaults;
    if (serving !== undefined && !SERVING_DEFAULTS.includes(serving as ServingDefaults))
      add(`${at}.servingDefaults`, `must be one of ${SERVING_DEFAULTS.join(', ')}, got ${describeValue(serving)}`);
    const notes = entry.notes;
    if (notes !== undefined && (!Array.isArray(notes) || notes.some((n) => typeof n !== 'string')))
      add(`${at}.notes`, `must be a list of strings, got ${describeValue(notes)}`);
    if (entry.description !== undefined && typeof entry.description !== 'string')
      add(`${at}.description`, `must be a string, got ${describeValue(entry.description)}`);
    const environment =
      entry.sameAs !== undefined
        ? sameAs?.environment
        : await environmentOf(entry, at, file, add, typeof name === 'string' ? name : '', extended);
    if (!environment || typeof name !== 'string' || !Array.isArray(images)) continue;
    const like = sameAs ?? extended;
    const module = typeof trainingModule === 'string' ? trainingModule : like?.trainingModule;
    definitions.push({
      name,
      description:
        typeof entry.description === 'string'
          ? entry.description
          : sameAs
            ? `${sameAs.description}, for the images of ${name} (${file})`
            : `the runtime ${name} from ${file}`,
      source: file,
      images: images as string[],
      environment,
      serving: (serving as ServingDefaults | undefined) ?? like?.serving ?? 'toolkit',
      ...(module ? { trainingModule: module } : {}),
      ...(sameAs?.algorithm ? { algorithm: sameAs.algorithm } : {}),
      ...(Array.isArray(notes) || like?.notes
        ? { notes: [...(like?.notes ?? []), ...((notes as string[] | undefined) ?? [])] }
        : {}),
      ...(like?.tagVersions ? { tagVersions: like.tagVersions } : {}),
    });
  }
  issues.throwIfAny();
  return definitions;
}

function builtIn(
  value: unknown,
  field: string,
  add: (field: string, problem: string) => void,
): RuntimeDefinition | undefined {
  const found = BUILTIN_RUNTIMES.find((definition) => definition.name === value);
  if (!found) {
    add(
      field,
      `must name a built-in runtime (${BUILTIN_RUNTIMES.map((d) => d.name).join(', ')}), got ${describeValue(value)}`,
    );
  }
  return found;
}

async function environmentOf(
  entry: Record<string, unknown>,
  at: string,
  file: string,
  add: (field: string, problem: string) => void,
  name: string,
  extended: RuntimeDefinition | undefined,
): Promise<RuntimeEnvironment | undefined> {
  const venv = (requirements: string[]): RuntimeEnvironment => ({
    kind: 'venv',
    venv: name,
    requirements,
    ...(extended?.environment.kind === 'venv' ? { base: extended.environment } : {}),
  });
  if (entry.requirements !== undefined) {
    const lines = entry.requirements;
    if (!Array.isArray(lines) || lines.some((line) => typeof line !== 'string')) {
      add(`${at}.requirements`, `must be a list of pip requirement lines, got ${describeValue(lines)}`);
      return undefined;
    }
    return venv(lines as string[]);
  }
  if (entry.requirementsFile !== undefined) {
    if (typeof entry.requirementsFile !== 'string') {
      add(`${at}.requirementsFile`, `must be a path, got ${describeValue(entry.requirementsFile)}`);
      return undefined;
    }
    const path = resolve(dirname(file), entry.requirementsFile);
    try {
      return venv(requirementLines(await readFile(path, 'utf8')));
    } catch (error) {
      add(`${at}.requirementsFile`, `could not be read (${(error as Error).message})`);
      return undefined;
    }
  }
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

/** The requirement lines of a requirements.txt, without comments and blank lines. */
export function requirementLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}
