import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NAME_RULES, checkName, type NameKind } from './sagemaker-names.js';
import { parseJsonText } from './json-text.js';
import { IssueCollector, ValidationError, describeValue } from './validation-error.js';

export const PROJECT_CONFIG_FILE = 'slipway.config.json';
export const PROJECT_CONFIG_SCHEMA_FILE = 'slipway.config.schema.json';

/**
 * The models a project can train, each a variant of the same pipeline (build-pipeline/variants/): the same
 * preprocessing, evaluation report, condition, registration and deployment around a different Train step.
 */
export const PROJECT_MODELS = {
  sklearn: 'TF-IDF and logistic regression on the SageMaker scikit-learn image (fast; the default)',
  bert: "a BERT sequence classifier (transformers) trained by a PyTorch estimator, served by the PyTorch inference image (the lecture's model)",
} as const;

export type ProjectModel = keyof typeof PROJECT_MODELS;

/** The model of a config that names none. */
export const DEFAULT_PROJECT_MODEL: ProjectModel = 'sklearn';

/** True for a name in PROJECT_MODELS. */
export function isProjectModel(value: unknown): value is ProjectModel {
  return typeof value === 'string' && Object.hasOwn(PROJECT_MODELS, value);
}

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
  /** Which model the pipeline trains (a key of PROJECT_MODELS). @default 'sklearn' */
  readonly model?: ProjectModel;
  /**
   * Set only in the template's own config: its project id and artifact bucket belong to the template, so
   * `init` gives every repository made from it a new id (and the personalization workflow runs).
   * @default false
   */
  readonly template?: boolean;
  /** What only the local server uses (`slipway local up`). */
  readonly local?: LocalSettings;
  /**
   * Deploy the MonitoringStack (drift route, drift alarms) with `slipway bootstrap`.
   * @default false
   */
  readonly monitoring?: boolean;
  /**
   * The SageMaker project (Studio) this project was created as, from the Slipway project template: what the
   * pipeline, model package group and endpoints are tagged with, so Studio shows them under that project.
   * @default - none: resources are tagged with this config's own projectName and projectId
   */
  readonly sagemakerProject?: SageMakerProjectRef;
  /**
   * The account ProjectStack is deployed in, which keeps the registry and the model artifacts. Required with
   * `stageAccounts`: each stage account's stack names the build account's registry, bucket and key.
   * @default - every stage deploys in the account of the credentials in use
   */
  readonly buildAccount?: string;
  /**
   * Stages that deploy in their own AWS account (and region), by stage name; a stage not listed deploys in
   * the build account.
   * @default - every stage in the build account
   */
  readonly stageAccounts?: Readonly<Record<string, StageAccount>>;
}

/** Where one stage's endpoint lives when it is not the build account. */
export interface StageAccount {
  /** The stage account's 12-digit id. */
  readonly account: string;
  /** @default the project's `region` */
  readonly region?: string;
}

/** Where a stage deploys: its account (undefined: the build account's credentials) and region. */
export interface StageTarget {
  readonly stage: string;
  /** @default - the account of the credentials in use (the build account) */
  readonly account?: string;
  readonly region: string;
  /** True when the stage's account is not the build account: cross-account policies and a stage stack apply. */
  readonly crossAccount: boolean;
}

/** Where `stage` deploys, from `stageAccounts` (one account stays the default). */
export function stageTarget(
  config: Pick<ProjectConfig, 'region' | 'buildAccount' | 'stageAccounts'>,
  stage: string,
): StageTarget {
  const entry =
    config.stageAccounts && Object.hasOwn(config.stageAccounts, stage) ? config.stageAccounts[stage] : undefined;
  if (!entry) return { stage, region: config.region, crossAccount: false };
  return {
    stage,
    account: entry.account,
    region: entry.region ?? config.region,
    crossAccount: entry.account !== config.buildAccount,
  };
}

/** The stages that deploy in an account other than the build account, in promotion order. */
export function crossAccountStages(
  config: Pick<ProjectConfig, 'region' | 'buildAccount' | 'stageAccounts' | 'stages'>,
): StageTarget[] {
  return config.stages.map((stage) => stageTarget(config, stage)).filter((target) => target.crossAccount);
}

/** A SageMaker project, as Studio names it: `sagemaker:project-name` and `sagemaker:project-id`. */
export interface SageMakerProjectRef {
  readonly projectName: string;
  readonly projectId: string;
}

/**
 * The SageMaker project a config's resources belong to: the Studio project it was created as, else the
 * config's own name and id (SageMaker-Projects-style, so the tags are the same shape either way).
 */
export function sagemakerProjectOf(
  config: Pick<ProjectConfig, 'projectName' | 'projectId' | 'sagemakerProject'>,
): SageMakerProjectRef {
  return config.sagemakerProject ?? { projectName: config.projectName, projectId: config.projectId };
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
  /** The config's model, or DEFAULT_PROJECT_MODEL when it names none. */
  readonly model: ProjectModel;
}

interface FieldSpec {
  readonly description: string;
  /** A SageMaker name rule; without it (and without `choices` or `boolean`) the field is the list of stages. */
  readonly name?: NameKind;
  /** The allowed values, each with what it means. */
  readonly choices?: Readonly<Record<string, string>>;
  readonly default?: string;
  readonly boolean?: true;
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

const STAGE_ACCOUNT_FIELDS = ['account', 'region'] as const;

function stageAccountsSchema(): Record<string, unknown> {
  const rule = (kind: 'awsAccountId' | 'awsRegion') => ({
    type: 'string',
    pattern: NAME_RULES[kind].pattern.source,
    minLength: NAME_RULES[kind].minLength,
    maxLength: NAME_RULES[kind].maxLength,
  });
  return {
    type: 'object',
    propertyNames: { pattern: STAGE_NAME.source },
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      required: ['account'],
      properties: {
        account: { description: "The stage account's 12-digit id.", ...rule('awsAccountId') },
        region: { description: "The stage's region. Default: the project's region.", ...rule('awsRegion') },
      },
    },
  };
}

/** Checks `stageAccounts` on its own; which stages it may name is checked with the whole config. */
function checkStageAccounts(
  value: unknown,
  field: string,
  add: (field: string, problem: string, fix: string) => void,
): void {
  if (!isRecord(value)) {
    add(
      field,
      `must be an object keyed by stage name, got ${describeValue(value)}`,
      'e.g. {"prod": {"account": "123456789012"}}',
    );
    return;
  }
  for (const [stage, entry] of Object.entries(value)) {
    const at = `${field}.${stage}`;
    if (!isRecord(entry)) {
      add(
        at,
        `must be {"account": ..., "region": ...}, got ${describeValue(entry)}`,
        'e.g. {"account": "123456789012"}',
      );
      continue;
    }
    for (const key of Object.keys(entry)) {
      if (!(STAGE_ACCOUNT_FIELDS as readonly string[]).includes(key))
        add(`${at}.${key}`, 'is not a known setting', `remove it; known: ${STAGE_ACCOUNT_FIELDS.join(', ')}`);
    }
    if (entry['account'] === undefined) {
      add(`${at}.account`, 'is missing', 'set it to the 12-digit id of the account the stage deploys in');
    } else {
      const problem = checkName('awsAccountId', entry['account']);
      if (problem) add(`${at}.account`, problem, 'write the account id as a string of 12 digits, e.g. "123456789012"');
    }
    if (entry['region'] !== undefined) {
      const problem = checkName('awsRegion', entry['region']);
      if (problem)
        add(`${at}.region`, problem, "use a region code such as eu-west-1, or remove it for the project's region");
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
  model: {
    description: `Which model the pipeline trains: ${Object.keys(PROJECT_MODELS).join(' or ')} (build-pipeline/variants/).`,
    choices: PROJECT_MODELS,
    default: DEFAULT_PROJECT_MODEL,
    required: false,
  },
  template: {
    description:
      "Only in the template's own config: init gives each repository made from it a new project id and bucket.",
    boolean: true,
    required: false,
  },
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
  monitoring: {
    description: 'Deploy the MonitoringStack (drift route, drift alarms) with `slipway bootstrap`.',
    boolean: true,
    required: false,
  },
  sagemakerProject: {
    description:
      'The SageMaker project (Studio) this project was created as: its pipeline, model package group and endpoints are tagged with it.',
    required: false,
    section: { schema: sagemakerProjectSchema, check: checkSageMakerProjectSection },
  },
  buildAccount: {
    description:
      'The 12-digit id of the account ProjectStack is deployed in (registry, artifacts). Required with stageAccounts.',
    name: 'awsAccountId',
    required: false,
  },
  stageAccounts: {
    description:
      'Stages that deploy in their own AWS account, by stage name: {"account": "123456789012", "region": ...}. Others deploy in the build account.',
    required: false,
    section: { schema: stageAccountsSchema, check: checkStageAccounts },
  },
};

const STAGE_NAME = /^[a-z][a-z0-9-]{0,19}$/;

/** The keys of `sagemakerProject`, each a SageMaker name rule. */
const SAGEMAKER_PROJECT_FIELDS: Record<keyof SageMakerProjectRef, NameKind> = {
  projectName: 'projectName',
  projectId: 'projectId',
};

function sagemakerProjectSchema(): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(SAGEMAKER_PROJECT_FIELDS),
    properties: Object.fromEntries(
      Object.entries(SAGEMAKER_PROJECT_FIELDS).map(([key, kind]) => {
        const rule = NAME_RULES[kind];
        return [
          key,
          { type: 'string', pattern: rule.pattern.source, minLength: rule.minLength, maxLength: rule.maxLength },
        ];
      }),
    ),
  };
}

/** Checks `sagemakerProject`: both keys, each against SageMaker's rule for it. */
function checkSageMakerProjectSection(
  value: unknown,
  field: string,
  add: (field: string, problem: string, fix: string) => void,
): void {
  const example = '{"projectName": "NAME", "projectId": "p-…"} as Studio shows the project';
  if (!isRecord(value)) {
    add(field, `must be an object, got ${describeValue(value)}`, `e.g. ${example}`);
    return;
  }
  for (const key of Object.keys(value)) {
    if (!(key in SAGEMAKER_PROJECT_FIELDS))
      add(
        `${field}.${key}`,
        'is not a known setting',
        `remove it; known: ${Object.keys(SAGEMAKER_PROJECT_FIELDS).join(', ')}`,
      );
  }
  for (const [key, kind] of Object.entries(SAGEMAKER_PROJECT_FIELDS)) {
    const setting = value[key];
    if (setting === undefined) {
      add(`${field}.${key}`, 'is missing', `set it: ${example}`);
      continue;
    }
    const problem = checkName(kind, setting);
    if (problem) add(`${field}.${key}`, problem, `copy the ${NAME_RULES[kind].what} from Studio`);
  }
}

/** The JSON schema of `slipway.config.json`, derived from the same table the loader checks. */
export function projectConfigJsonSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = { $schema: { type: 'string' } };
  for (const [key, spec] of Object.entries(FIELDS)) {
    if (spec.section) {
      properties[key] = { description: spec.description, ...spec.section.schema() };
    } else if (spec.choices) {
      properties[key] = {
        type: 'string',
        description: spec.description,
        enum: Object.keys(spec.choices),
        ...(spec.default !== undefined ? { default: spec.default } : {}),
      };
    } else if (spec.name) {
      const rule = NAME_RULES[spec.name];
      properties[key] = {
        type: 'string',
        description: spec.description,
        pattern: rule.pattern.source,
        minLength: rule.minLength,
        maxLength: rule.maxLength,
      };
    } else if (spec.boolean) {
      properties[key] = { type: 'boolean', description: spec.description };
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
    } else if (spec.choices) {
      if (typeof value !== 'string' || !Object.hasOwn(spec.choices, value)) {
        issues.add({
          where,
          field: key,
          problem: `must be one of ${Object.keys(spec.choices).join(', ')}, got ${describeValue(value)}`,
          fix: Object.entries(spec.choices)
            .map(([choice, meaning]) => `${choice}: ${meaning}`)
            .join('; '),
        });
      }
    } else if (spec.name) {
      const problem = checkName(spec.name, value);
      if (problem) issues.add({ where, field: key, problem, fix: `choose a valid ${NAME_RULES[spec.name].what}` });
    } else if (spec.boolean) {
      if (typeof value !== 'boolean')
        issues.add({
          where,
          field: key,
          problem: `must be true or false, got ${describeValue(value)}`,
          fix: 'use true or false',
        });
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
  checkStageAccountsAgainstStages(record, (field, problem, fix) => issues.add({ where, field, problem, fix }));
  issues.throwIfAny();
  return record as unknown as ProjectConfig;
}

/** What `stageAccounts` needs from the rest of the config: stages it names, and the build account. */
function checkStageAccountsAgainstStages(
  record: Record<string, unknown>,
  add: (field: string, problem: string, fix: string) => void,
): void {
  const accounts = record['stageAccounts'];
  if (!isRecord(accounts)) return;
  const stages = Array.isArray(record['stages']) ? (record['stages'] as unknown[]) : [];
  for (const stage of Object.keys(accounts)) {
    if (!stages.includes(stage))
      add(
        `stageAccounts.${stage}`,
        `names a stage that is not in stages (${stages.map(String).join(', ')})`,
        'add the stage to stages, or remove its entry',
      );
  }
  for (const [stage, entry] of Object.entries(accounts)) {
    const region = isRecord(entry) ? entry['region'] : undefined;
    if (typeof region === 'string' && typeof record['region'] === 'string' && region !== record['region'])
      add(
        `stageAccounts.${stage}.region`,
        `is ${region}, not the project's region ${record['region']}: SageMaker shares a model package group and reads a model's data only within one region`,
        `remove it, or set it to ${record['region']} (to serve in ${region}, deploy the build account's ProjectStack there too)`,
      );
  }
  if (Object.keys(accounts).length > 0 && record['buildAccount'] === undefined)
    add(
      'buildAccount',
      'is missing, and stageAccounts needs it: each stage account reads the registry and model artifacts of the build account',
      'set it to the 12-digit id of the account ProjectStack is deployed in',
    );
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
    model: config.model ?? DEFAULT_PROJECT_MODEL,
    stages: Object.freeze([...config.stages]),
    configPath,
    rootDir: dirname(configPath),
  });
}

export interface InitOptions {
  /** @default - derived from the repository's name (`projectNameFromRepository`), else kept from the config */
  readonly projectName?: string;
  /** @default - kept from the config */
  readonly githubRepository?: string;
  /** @default - kept from the config, else 'us-east-1' */
  readonly region?: string;
  /** @default the existing config's model, else DEFAULT_PROJECT_MODEL */
  readonly model?: string;
  /**
   * Checks the config before it is written (e.g. the AWS names derived from it); throws a ValidationError
   * to refuse it, leaving the file as it was.
   * @default - only the config's own rules
   */
  readonly checkConfig?: (config: ProjectConfig) => void;
}

export interface InitResult {
  readonly config: ProjectConfig;
  readonly created: boolean;
  readonly path: string;
  /** Whether this run made a new project id (and with it a new artifact bucket name). */
  readonly newProjectId: boolean;
  /** Why the id was kept or replaced, for the user. */
  readonly projectIdReason: string;
  /** Whether the file's content changed. */
  readonly changed: boolean;
}

function newProjectId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  // 252 = 7 × 36: bytes at or above it are dropped so that every character is equally likely.
  const characters: string[] = [];
  while (characters.length < 12) {
    for (const byte of randomBytes(16)) if (byte < 252 && characters.length < 12) characters.push(alphabet[byte % 36]!);
  }
  return `p-${characters.join('')}`;
}

/** GitHub compares owner and repository names without regard to case. */
function sameRepository(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Whether a config's project id may be kept for `repository`. The id names the project's resources
 * (`sagemaker:project-id`, the globally unique artifact bucket), so it belongs to one repository: the
 * template's own id is never kept, nor an id made for another repository. An id made before the
 * repository was known stays with the checkout it was made in.
 */
export function projectIdDecision(
  existing: Pick<Partial<ProjectConfig>, 'projectId' | 'githubRepository' | 'template'> | undefined,
  repository: string | undefined,
): { keep: boolean; reason: string } {
  if (!existing?.projectId) return { keep: false, reason: 'no project id yet' };
  if (existing.template)
    return { keep: false, reason: `${existing.projectId} is the template's own id; this repository gets its own` };
  if (repository && existing.githubRepository && !sameRepository(repository, existing.githubRepository))
    return {
      keep: false,
      reason: `${existing.projectId} was made for ${existing.githubRepository}, not ${repository}`,
    };
  return { keep: true, reason: `kept ${existing.projectId}, made for this repository` };
}

/**
 * A project name from a repository's: lowercase letters, digits and single hyphens, at most 32 characters
 * (`acme/Reviews_Model.v2` → `reviews-model-v2`).
 */
export function projectNameFromRepository(repository: string): string {
  const name = (repository.split('/').pop() ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, NAME_RULES.projectName.maxLength)
    .replace(/-+$/, '');
  if (!name) {
    throw new ValidationError({
      where: 'init',
      field: 'githubRepository',
      problem: `has no letters or digits to make a project name from, got ${describeValue(repository)}`,
      fix: 'pass --project NAME',
    });
  }
  return name;
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

function readExisting(path: string): Partial<ProjectConfig> | undefined {
  if (!existsSync(path)) return undefined;
  const parsed = parseJsonText(readFileSync(path, 'utf8'), path);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError({
      where: path,
      field: '',
      problem: 'must be a JSON object',
      fix: 'fix or delete the file',
    });
  }
  return parsed as Partial<ProjectConfig>;
}

/**
 * Writes or updates `slipway.config.json` in `dir`. Re-running keeps the project id (unless it was made for
 * another repository, or is the template's: see `projectIdDecision`) and any name the user changed by hand;
 * names still equal to what init derived follow a new project name. A new id always brings a new artifact
 * bucket name: bucket names are global, and the old one belongs to the project the old id named.
 */
export function initProjectConfig(dir: string, options: InitOptions): InitResult {
  const path = join(resolve(dir), PROJECT_CONFIG_FILE);
  const existing = readExisting(path);
  const githubRepository = options.githubRepository ?? existing?.githubRepository;
  const projectName =
    options.projectName ??
    (options.githubRepository ? projectNameFromRepository(options.githubRepository) : existing?.projectName);
  if (!projectName) {
    throw new ValidationError({
      where: 'init',
      field: 'projectName',
      problem: 'is not given and there is no config or repository to take it from',
      fix: 'pass --project NAME or --github OWNER/REPO',
    });
  }
  const decision = projectIdDecision(existing, githubRepository);
  const projectId = decision.keep ? existing!.projectId! : newProjectId();
  const oldDerived =
    existing?.projectName && existing.projectId ? derivedNames(existing.projectName, existing.projectId) : undefined;
  const newDerived = derivedNames(projectName, projectId);
  const keepOrDerive = (key: keyof typeof newDerived): string => {
    if (key === 'artifactBucket' && !decision.keep) return newDerived[key];
    const current = existing?.[key];
    return current !== undefined && current !== oldDerived?.[key] ? current : newDerived[key];
  };
  const candidate: Record<string, unknown> = {
    $schema: `./${PROJECT_CONFIG_SCHEMA_FILE}`,
    projectName,
    projectId,
    region: options.region ?? existing?.region ?? 'us-east-1',
    pipelineName: keepOrDerive('pipelineName'),
    modelPackageGroupName: keepOrDerive('modelPackageGroupName'),
    artifactBucket: keepOrDerive('artifactBucket'),
    ...(githubRepository ? { githubRepository } : {}),
    stages: existing?.stages ?? ['staging', 'prod'],
    model: options.model ?? existing?.model ?? DEFAULT_PROJECT_MODEL,
    ...(existing?.local !== undefined ? { local: existing.local } : {}),
    ...(existing?.monitoring !== undefined ? { monitoring: existing.monitoring } : {}),
    // The Studio project belongs to this project id: a new id (another repository) is not that project.
    ...(existing?.sagemakerProject !== undefined && decision.keep
      ? { sagemakerProject: existing.sagemakerProject }
      : {}),
    ...(existing?.buildAccount !== undefined ? { buildAccount: existing.buildAccount } : {}),
    ...(existing?.stageAccounts !== undefined ? { stageAccounts: existing.stageAccounts } : {}),
  };
  const config = validateProjectConfig(candidate, path);
  options.checkConfig?.(config);
  const text = `${JSON.stringify(candidate, null, 2)}\n`;
  const changed = !existsSync(path) || readFileSync(path, 'utf8') !== text;
  if (changed) {
    const temporary = `${path}.tmp-${process.pid}`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  }
  return {
    config,
    created: existing === undefined,
    path,
    newProjectId: !decision.keep,
    projectIdReason: decision.keep ? decision.reason : `new project id ${projectId}: ${decision.reason}`,
    changed,
  };
}
