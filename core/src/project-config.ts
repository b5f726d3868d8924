import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NAME_RULES, checkName, type NameKind } from './sagemaker-names.js';
import { parseJsonText } from './json-text.js';
import { IssueCollector, ValidationError, describeValue } from './validation-error.js';

export const PROJECT_CONFIG_FILE = 'slipway.config.json';
export const PROJECT_CONFIG_SCHEMA_FILE = 'slipway.config.schema.json';

/** The project's settings: the one place every tool reads its names from. */
export interface ProjectConfig {
  /** Short project name; prefixes every resource Slipway creates. */
  readonly projectName: string;
  /** SageMaker-Projects-style id (`p-` + 12 characters), tagged as `sagemaker:project-id`. */
  readonly projectId: string;
  /** AWS region of the pipeline, registry and endpoints. */
  readonly region: string;
  /** The SageMaker pipeline's name. */
  readonly pipelineName: string;
  /** The Model Registry group that receives every trained version. */
  readonly modelPackageGroupName: string;
  /** The S3 bucket for code assets, data and model artifacts. */
  readonly artifactBucket: string;
  /** `OWNER/REPO` of the GitHub repository that builds and deploys this project, when known. */
  readonly githubRepository?: string;
  /** Deployment stages in promotion order; each has `deploy-pipeline/config/<stage>.json`. */
  readonly stages: readonly string[];
  /** What only the local server uses (`slipway local up`). */
  readonly local?: LocalSettings;
}

/** Settings read by the local server alone. */
export interface LocalSettings {
  /**
   * Lambda functions' local stand-ins, keyed by function ARN or function name: a Lambda step that invokes one
   * runs its handler here; one with no entry is refused at CreatePipeline.
   */
  readonly lambdaFunctions?: Readonly<Record<string, LocalLambdaFunction>>;
}

/** A Lambda function's handler on this machine. */
export interface LocalLambdaFunction {
  /** The handler's file, relative to the repository root: a `.py` file, or a Node module (`.mjs`, `.js`, `.cjs`). */
  readonly file: string;
  /** The function in that file called as `handler(event, context)`. @default "handler" */
  readonly function?: string;
  /**
   * Python only: the local runtime to run it in (a name `slipway local runtimes list` shows, e.g. `sklearn-1.2-1`).
   * @default the interpreter the runtimes are built from (`SLIPWAY_PYTHON`, else python3.11, else python3)
   */
  readonly runtime?: string;
}

/** The handler files a Lambda stand-in may be, by how they run. */
export const LAMBDA_HANDLER_FILES = { python: /\.py$/, node: /\.(mjs|cjs|js)$/ } as const;
const HANDLER_FUNCTION = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

interface LambdaFieldSpec {
  readonly description: string;
  readonly required: boolean;
  readonly pattern?: RegExp;
  readonly what: string;
}

/** One table drives the schema of a `local.lambdaFunctions` entry and the loader's checks of it. */
const LAMBDA_FUNCTION_FIELDS: Record<keyof LocalLambdaFunction, LambdaFieldSpec> = {
  file: {
    description: 'The handler file, relative to the repository root: a .py file or a Node module (.mjs, .js, .cjs).',
    required: true,
    pattern: /^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+\.(py|mjs|cjs|js)$/,
    what: 'a relative path inside the repository ending in .py, .mjs, .js or .cjs',
  },
  function: {
    description: 'The function in that file, called as handler(event, context). Default: handler.',
    required: false,
    pattern: HANDLER_FUNCTION,
    what: 'an identifier, e.g. "handler"',
  },
  runtime: {
    description: 'Python handlers only: the local runtime to run it in (see `slipway local runtimes list`).',
    required: false,
    pattern: /^[a-z0-9][a-z0-9._-]{0,62}$/,
    what: 'a runtime name, e.g. "sklearn-1.2-1"',
  },
};

/** A loaded config together with where it came from. */
export interface LoadedProjectConfig extends ProjectConfig {
  /** Absolute path of the config file. */
  readonly configPath: string;
  /** The repository root: the folder holding the config file. */
  readonly rootDir: string;
}

interface FieldSpec {
  readonly description: string;
  readonly name?: NameKind;
  readonly required: boolean;
  /** A section of its own (not a name or the stage list), with its own schema and checks. */
  readonly section?: {
    schema(): Record<string, unknown>;
    check(value: unknown, field: string, add: (field: string, problem: string, fix: string) => void): void;
  };
}

function lambdaFunctionsSchema(): Record<string, unknown> {
  return {
    type: 'object',
    description: 'Lambda functions run locally, keyed by function ARN or name.',
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      required: Object.entries(LAMBDA_FUNCTION_FIELDS)
        .filter(([, spec]) => spec.required)
        .map(([key]) => key),
      properties: Object.fromEntries(
        Object.entries(LAMBDA_FUNCTION_FIELDS).map(([key, spec]) => [
          key,
          { type: 'string', description: spec.description, ...(spec.pattern ? { pattern: spec.pattern.source } : {}) },
        ]),
      ),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks `local`: its `lambdaFunctions` entries against LAMBDA_FUNCTION_FIELDS, the table its schema comes from. */
function checkLocalSection(
  value: unknown,
  field: string,
  add: (field: string, problem: string, fix: string) => void,
): void {
  if (!isRecord(value)) {
    add(field, `must be an object, got ${describeValue(value)}`, 'e.g. {"lambdaFunctions": {}}');
    return;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'lambdaFunctions')
      add(`${field}.${key}`, 'is not a known setting', 'remove it; known: lambdaFunctions');
  }
  const functions = value['lambdaFunctions'];
  if (functions === undefined) return;
  if (!isRecord(functions)) {
    add(
      `${field}.lambdaFunctions`,
      `must be an object keyed by function ARN or name, got ${describeValue(functions)}`,
      'e.g. {"my-function": {"file": "lambdas/my_function.py", "function": "handler"}}',
    );
    return;
  }
  for (const [name, entry] of Object.entries(functions)) {
    const at = `${field}.lambdaFunctions[${JSON.stringify(name)}]`;
    if (!isRecord(entry)) {
      add(at, `must be {"file": ..., "function": ...}, got ${describeValue(entry)}`, 'name the handler file');
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (!(key in LAMBDA_FUNCTION_FIELDS)) {
        add(
          `${at}.${key}`,
          'is not a known setting',
          `remove it; known: ${Object.keys(LAMBDA_FUNCTION_FIELDS).join(', ')}`,
        );
      }
    }
    for (const [key, spec] of Object.entries(LAMBDA_FUNCTION_FIELDS)) {
      const setting = entry[key];
      if (setting === undefined) {
        if (spec.required) add(`${at}.${key}`, 'is missing', `set it to ${spec.what}`);
        continue;
      }
      if (typeof setting !== 'string' || (spec.pattern && !spec.pattern.test(setting))) {
        add(`${at}.${key}`, `must be ${spec.what}, got ${describeValue(setting)}`, `set it to ${spec.what}`);
      }
    }
    if (
      typeof entry['file'] === 'string' &&
      LAMBDA_HANDLER_FILES.node.test(entry['file']) &&
      entry['runtime'] !== undefined
    ) {
      add(`${at}.runtime`, 'names a Python runtime for a Node module', 'remove it (Node modules run in this Node.js)');
    }
  }
}

/** One table drives the JSON schema, the loader's checks and `slipway init`. */
const FIELDS: Record<keyof ProjectConfig, FieldSpec> = {
  projectName: {
    description: 'Short project name; prefixes every resource Slipway creates.',
    name: 'projectName',
    required: true,
  },
  projectId: {
    description: 'SageMaker-Projects-style id, tagged as sagemaker:project-id.',
    name: 'projectId',
    required: true,
  },
  region: { description: 'AWS region of the pipeline, registry and endpoints.', name: 'awsRegion', required: true },
  pipelineName: { description: "The SageMaker pipeline's name.", name: 'pipelineName', required: true },
  modelPackageGroupName: {
    description: 'The Model Registry group that receives every trained version.',
    name: 'modelPackageGroupName',
    required: true,
  },
  artifactBucket: {
    description: 'S3 bucket for code assets, data and model artifacts.',
    name: 's3BucketName',
    required: true,
  },
  githubRepository: {
    description: 'OWNER/REPO of the GitHub repository that builds and deploys this project.',
    name: 'githubRepository',
    required: false,
  },
  stages: { description: 'Deployment stages in promotion order.', required: true },
  local: {
    description: 'Settings only the local server reads.',
    required: false,
    section: {
      schema: () => ({
        type: 'object',
        additionalProperties: false,
        properties: { lambdaFunctions: lambdaFunctionsSchema() },
      }),
      check: checkLocalSection,
    },
  },
};

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** The JSON schema of `slipway.config.json`, derived from the same table the loader checks. */
export function projectConfigJsonSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = { $schema: { type: 'string' } };
  for (const [key, spec] of Object.entries(FIELDS)) {
    if (spec.section) {
      properties[key] = { description: spec.description, ...spec.section.schema() };
    } else if (spec.name) {
      const rule = NAME_RULES[spec.name];
      properties[key] = {
        type: 'string',
        description: spec.description,
        pattern: rule.pattern.source,
        minLength: rule.minLength,
        maxLength: rule.maxLength,
      };
    } else {
      properties[key] = {
        type: 'array',
        description: spec.description,
        items: { type: 'string', pattern: STAGE_NAME.source },
        minItems: 1,
        uniqueItems: true,
      };
    }
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Slipway project config',
    type: 'object',
    additionalProperties: false,
    required: Object.entries(FIELDS)
      .filter(([, spec]) => spec.required)
      .map(([key]) => key),
    properties,
  };
}

/** Checks a parsed config, reporting every bad field at once with what would fix it. */
export function validateProjectConfig(input: unknown, where = PROJECT_CONFIG_FILE): ProjectConfig {
  const issues = new IssueCollector();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError({ where, field: '', problem: `must be a JSON object, got ${describeValue(input)}` });
  }
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== '$schema' && !(key in FIELDS)) {
      issues.add({
        where,
        field: key,
        problem: 'is not a known setting',
        fix: `remove it; known settings: ${Object.keys(FIELDS).join(', ')}`,
      });
    }
  }
  for (const [key, spec] of Object.entries(FIELDS)) {
    const value = record[key];
    if (value === undefined) {
      if (spec.required)
        issues.add({
          where,
          field: key,
          problem: 'is missing',
          fix: 'run `npx slipway init --project NAME` to write it',
        });
      continue;
    }
    if (spec.section) {
      spec.section.check(value, key, (field, problem, fix) => issues.add({ where, field, problem, fix }));
    } else if (spec.name) {
      const problem = checkName(spec.name, value);
      if (problem) issues.add({ where, field: key, problem, fix: `choose a valid ${NAME_RULES[spec.name].what}` });
    } else if (!Array.isArray(value) || value.length === 0) {
      issues.add({
        where,
        field: key,
        problem: `must be a non-empty list of stage names, got ${describeValue(value)}`,
        fix: 'e.g. ["staging", "prod"]',
      });
    } else {
      value.forEach((stage, index) => {
        if (typeof stage !== 'string' || !STAGE_NAME.test(stage)) {
          issues.add({
            where,
            field: `${key}[${index}]`,
            problem: `must be lowercase letters, digits and hyphens (at most 20), got ${describeValue(stage)}`,
            fix: 'rename the stage',
          });
        }
      });
      if (new Set(value).size !== value.length)
        issues.add({ where, field: key, problem: 'has a stage twice', fix: 'list each stage once' });
    }
  }
  issues.throwIfAny();
  return record as unknown as ProjectConfig;
}

/** Finds `slipway.config.json` in `from` or a parent folder. `SLIPWAY_CONFIG` names the file explicitly. */
export function findProjectConfig(
  from: string = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (env.SLIPWAY_CONFIG) return resolve(env.SLIPWAY_CONFIG);
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, PROJECT_CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadProjectConfig(
  options: { path?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): LoadedProjectConfig {
  const configPath = options.path ? resolve(options.path) : findProjectConfig(options.cwd, options.env);
  if (!configPath || !existsSync(configPath)) {
    throw new ValidationError({
      where: configPath ?? PROJECT_CONFIG_FILE,
      field: '',
      problem: 'was not found in this folder or any parent',
      fix: 'run `npx slipway init --project NAME` at the repository root',
    });
  }
  const config = validateProjectConfig(parseJsonText(readFileSync(configPath, 'utf8'), configPath), configPath);
  return Object.freeze({
    ...config,
    stages: Object.freeze([...config.stages]),
    configPath,
    rootDir: dirname(configPath),
  });
}

export interface InitOptions {
  readonly projectName: string;
  readonly githubRepository?: string;
  readonly region?: string;
}

function newProjectId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `p-${Array.from(randomBytes(12), (byte) => alphabet[byte % alphabet.length]).join('')}`;
}

/** The names `init` derives from the project name and id, unless the user has changed them. */
function derivedNames(
  projectName: string,
  projectId: string,
): Pick<ProjectConfig, 'pipelineName' | 'modelPackageGroupName' | 'artifactBucket'> {
  return {
    pipelineName: `${projectName}-pipeline`,
    modelPackageGroupName: `${projectName}-models`,
    artifactBucket: `slipway-${projectName.toLowerCase()}-${projectId}`,
  };
}

/**
 * Writes or updates `slipway.config.json` in `dir`. Re-running keeps the project id and any name the user
 * changed by hand; names still equal to what init derived follow a new project name.
 */
export function initProjectConfig(
  dir: string,
  options: InitOptions,
): { config: ProjectConfig; created: boolean; path: string } {
  const path = join(resolve(dir), PROJECT_CONFIG_FILE);
  const existing = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<ProjectConfig>) : undefined;
  const projectId = existing?.projectId ?? newProjectId();
  const oldDerived = existing?.projectName ? derivedNames(existing.projectName, projectId) : undefined;
  const newDerived = derivedNames(options.projectName, projectId);
  const keepOrDerive = (key: keyof typeof newDerived): string => {
    const current = existing?.[key];
    return current !== undefined && current !== oldDerived?.[key] ? current : newDerived[key];
  };
  const githubRepository = options.githubRepository ?? existing?.githubRepository;
  const candidate: Record<string, unknown> = {
    $schema: `./${PROJECT_CONFIG_SCHEMA_FILE}`,
    projectName: options.projectName,
    projectId,
    region: options.region ?? existing?.region ?? 'us-east-1',
    pipelineName: keepOrDerive('pipelineName'),
    modelPackageGroupName: keepOrDerive('modelPackageGroupName'),
    artifactBucket: keepOrDerive('artifactBucket'),
    ...(githubRepository ? { githubRepository } : {}),
    stages: existing?.stages ?? ['staging', 'prod'],
    ...(existing?.local !== undefined ? { local: existing.local } : {}),
  };
  const config = validateProjectConfig(candidate, path);
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(candidate, null, 2)}\n`);
  renameSync(temporary, path);
  return { config, created: existing === undefined, path };
}
