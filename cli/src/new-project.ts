import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_PROJECT_MODEL,
  PROJECT_MODELS,
  ValidationError,
  initProjectConfig,
  type InitResult,
  type ProjectModel,
} from '@slipway/core';
import { checkDerivedNames } from '@slipway/deploy-pipeline';

/** The models a new project can start from: the config's own (PROJECT_MODELS), DEFAULT_PROJECT_MODEL first. */
export const NEW_PROJECT_MODELS: readonly ProjectModel[] = [
  DEFAULT_PROJECT_MODEL,
  ...(Object.keys(PROJECT_MODELS) as ProjectModel[]).filter((model) => model !== DEFAULT_PROJECT_MODEL),
];
export type NewProjectModel = ProjectModel;

export interface NewProjectOptions {
  /** Where the new repository goes: a folder that does not exist yet, or is empty. */
  readonly dir: string;
  /** @default - from `githubRepository`, else the folder's name */
  readonly projectName?: string;
  /** @default - none: `init --github` names it later */
  readonly githubRepository?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default 'sklearn' */
  readonly model?: NewProjectModel;
  /** @default true */
  readonly gitInit?: boolean;
  /** The template to copy. @default - the Slipway checkout this CLI runs from */
  readonly templateDir?: string;
}

export interface NewProjectResult extends InitResult {
  readonly dir: string;
  readonly files: number;
  readonly gitInitialized: boolean;
}

/** The Slipway checkout this CLI is part of (cli/src or cli/dist → the repository root). */
export function templateRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/**
 * Files of the template that a new project does not get: the personalization workflow and its test (a new
 * project is its own from the start).
 */
const LEFT_OUT = new Set(['.github/workflows/personalize.yml', 'test/personalize-workflow.test.ts']);

/**
 * The template's files as git tracks them: only what its engineers committed, so no history, no `.slipway/`,
 * no build output, no venvs, whatever the checkout holds besides.
 */
function templateFiles(templateDir: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('git', ['ls-files', '-z', '--cached'], {
      cwd: templateDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    throw new ValidationError({
      where: templateDir,
      field: '',
      problem: 'is not a git checkout of the Slipway template, so there is no clean list of its files',
      fix: 'run `slipway new` from a clone of the template',
    });
  }
  // A file deleted in the checkout but still in the index is left out: the copy is what the checkout has.
  return listing
    .split('\0')
    .filter((file) => file && !LEFT_OUT.has(file) && existsSync(join(templateDir, file)))
    .filter((file) => statSync(join(templateDir, file)).isFile());
}

function checkTarget(dir: string): void {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new ValidationError({
      where: 'new',
      field: 'DIR',
      problem: `${dir} already exists and is not an empty folder`,
      fix: 'choose a new folder: nothing there is overwritten',
    });
  }
}

/**
 * `slipway new DIR`: a new project repository outside GitHub's "Use this template": the template's tracked
 * files, its config made the project's own by `init` (a new project id and bucket), and a fresh git
 * repository with them as its first commit's content (not committed: the team commits as itself).
 */
export function createNewProject(options: NewProjectOptions): NewProjectResult {
  const model = options.model ?? DEFAULT_PROJECT_MODEL;
  if (!NEW_PROJECT_MODELS.includes(model)) {
    throw new ValidationError({
      where: 'new',
      field: '--model',
      problem: `must be one of ${NEW_PROJECT_MODELS.join(', ')}, got ${JSON.stringify(model)}`,
      fix: 'pass --model sklearn',
    });
  }
  const dir = resolve(options.dir);
  const templateDir = options.templateDir ?? templateRoot();
  checkTarget(dir);
  const files = templateFiles(templateDir);
  const projectName = options.projectName ?? (options.githubRepository ? undefined : dir.split(/[\\/]/).pop());
  const createdDir = !existsSync(dir);
  try {
    mkdirSync(dir, { recursive: true });
    for (const file of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      copyFileSync(join(templateDir, file), join(dir, file));
    }
    const result = initProjectConfig(dir, {
      ...(projectName ? { projectName } : {}),
      ...(options.githubRepository ? { githubRepository: options.githubRepository } : {}),
      ...(options.region ? { region: options.region } : {}),
      model,
      checkConfig: checkDerivedNames,
    });
    let gitInitialized = false;
    if (options.gitInit !== false) {
      execFileSync('git', ['init', '--quiet', '--initial-branch=main'], { cwd: dir, stdio: 'ignore' });
      gitInitialized = true;
    }
    return { ...result, dir, files: files.length, gitInitialized };
  } catch (error) {
    // Nothing half-made is left: the folder was new or empty, so all of it is this run's.
    if (createdDir) rmSync(dir, { recursive: true, force: true });
    else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
    throw error;
  }
}
