import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { parse } from 'yaml';
import { parseOutputFile } from './run-action.js';

/**
 * Runs one job of a workflow file the way the runner runs it, for the parts a workflow test needs: the job's
 * and each step's `if:` and every `${{ }}` in `env:` evaluated with GitHub's own expression library
 * (@actions/expressions) over the given `github` context and the steps' outputs; `run:` steps executed
 * with `bash --noprofile --norc -eo pipefail` (the runner's default shell), in the workspace, with the
 * runner's variables (GITHUB_OUTPUT, GITHUB_REPOSITORY, GITHUB_API_URL, ...); a failed step skips the rest.
 * `uses:` steps are not run: the test provides what they would (a checked-out workspace, Node.js), and
 * the result lists them so a test can say which ones it stood in for. `replace` swaps a step's script by its
 * name, for a step whose effect the test provides some other way (say so in the test).
 */

interface WorkflowStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}

interface WorkflowJob {
  if?: string;
  env?: Record<string, string>;
  steps: WorkflowStep[];
}

export type StepOutcome = 'success' | 'failure' | 'skipped' | 'provided';

export interface StepRun {
  readonly name: string;
  readonly outcome: StepOutcome;
  readonly output: string;
}

export interface JobRun {
  /** `skipped` when the job's own `if:` is false. */
  readonly result: 'success' | 'failure' | 'skipped';
  readonly steps: readonly StepRun[];
}

export interface RunJobOptions {
  /** The `github` context: repository, ref, token, server_url, api_url, event, ... */
  readonly github: Readonly<Record<string, unknown>>;
  readonly workspace: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly replace?: Readonly<Record<string, string>>;
}

/** Evaluates one expression (without its `${{ }}`) over the contexts. */
function evaluate(expression: string, contexts: Record<string, unknown>): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(parsed, context).evaluate();
}

function condition(text: string | undefined, contexts: Record<string, unknown>): boolean {
  if (text === undefined) return true;
  const expression = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  return truthy(evaluate(expression, contexts));
}

/** A value with `${{ }}` in it, as the runner expands it in `env:`. */
export function interpolate(text: string, contexts: Record<string, unknown>): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_match, expression: string) =>
    evaluate(expression, contexts).coerceString(),
  );
}

function runScript(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('close', (code) => resolve({ code, output }));
  });
}

export async function runWorkflowJob(workflowFile: string, jobId: string, options: RunJobOptions): Promise<JobRun> {
  const workflow = parse(readFileSync(workflowFile, 'utf8')) as { jobs: Record<string, WorkflowJob> };
  const job = workflow.jobs[jobId];
  if (!job) throw new Error(`${workflowFile} has no job ${jobId}`);
  const stepsContext: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
  const contexts = (): Record<string, unknown> => ({
    github: options.github,
    steps: stepsContext,
    env: options.env ?? {},
    vars: {},
  });
  if (!condition(job.if, contexts())) return { result: 'skipped', steps: [] };

  const temp = mkdtempSync(join(tmpdir(), 'slipway-job-'));
  const github = options.github as { repository?: string; ref?: string; api_url?: string; server_url?: string };
  const runnerEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: temp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: github.repository ?? '',
    GITHUB_REF: github.ref ?? '',
    GITHUB_API_URL: github.api_url ?? '',
    GITHUB_SERVER_URL: github.server_url ?? '',
    RUNNER_TEMP: temp,
    // A test's git must not read the machine's global or system settings.
    GIT_CONFIG_GLOBAL: join(temp, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    ...options.env,
  };
  const steps: StepRun[] = [];
  let failed = false;
  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${index + 1}`;
    // A step without `if:` runs only while every earlier step succeeded (the runner's implicit success()).
    if (failed || !condition(step.if, contexts())) {
      steps.push({ name, outcome: 'skipped', output: '' });
      if (step.id) stepsContext[step.id] = { outputs: {}, outcome: 'skipped' };
      continue;
    }
    if (step.uses && !(name in (options.replace ?? {}))) {
      steps.push({ name, outcome: 'provided', output: '' });
      if (step.id) stepsContext[step.id] = { outputs: {}, outcome: 'success' };
      continue;
    }
    const script = options.replace?.[name] ?? step.run ?? '';
    const outputFile = join(temp, `output-${index}`);
    writeFileSync(outputFile, '');
    const env: Record<string, string> = { ...runnerEnv, GITHUB_OUTPUT: outputFile };
    for (const [key, value] of Object.entries({ ...job.env, ...step.env }))
      env[key] = interpolate(String(value), contexts());
    const { code, output } = await runScript(script, options.workspace, env);
    const outcome: StepOutcome = code === 0 ? 'success' : 'failure';
    steps.push({ name, outcome, output });
    if (step.id) stepsContext[step.id] = { outputs: parseOutputFile(readFileSync(outputFile, 'utf8')), outcome };
    if (outcome === 'failure') failed = true;
  }
  return { result: failed ? 'failure' : 'success', steps };
}

/** What a job does when it runs, as a test stands in for it: its result and outputs. */
export interface JobStandIn {
  readonly result: 'success' | 'failure';
  readonly outputs?: Readonly<Record<string, string>>;
}

interface GraphJob {
  if?: string;
  needs?: string | string[];
}

/** The status functions of a job-level `if:`, over the results of the job's needs and their ancestors. */
function statusFunctions(ancestorResults: readonly string[], needResults: readonly string[]) {
  const call = (value: boolean) => () => new data.BooleanData(value);
  const functions = [
    { name: 'success', value: needResults.every((result) => result === 'success') },
    { name: 'failure', value: ancestorResults.includes('failure') },
    { name: 'always', value: true },
    // The tests start no cancellation.
    { name: 'cancelled', value: false },
  ];
  return functions.map(({ name, value }) => ({ name, minArgs: 0, maxArgs: 0, call: call(value) }));
}

/**
 * Which jobs of a workflow run, in the order of the file, the way the runner decides it: a job runs once its
 * needs are done, when its `if:` holds; an `if:` without a status function (success(), failure(), always(),
 * cancelled()) holds only while every need succeeded (the implicit success()), one with a status function is
 * evaluated as written; a job that does not run is `skipped`, and a skipped need is not a success. Each job
 * that runs is given the stand-in's result and outputs (`needs.<job>.outputs`, `needs.<job>.result`).
 */
export function jobsThatRun(
  workflowFile: string,
  options: {
    readonly github: Record<string, unknown>;
    readonly inputs?: Record<string, unknown>;
    readonly standIns?: Readonly<Record<string, JobStandIn>>;
  },
): Record<string, 'success' | 'failure' | 'skipped'> {
  const workflow = parse(readFileSync(workflowFile, 'utf8')) as { jobs: Record<string, GraphJob> };
  const results: Record<string, 'success' | 'failure' | 'skipped'> = {};
  const needsOf = (job: GraphJob): string[] => (job.needs === undefined ? [] : [job.needs].flat());
  const ancestors = (id: string, seen = new Set<string>()): Set<string> => {
    for (const need of needsOf(workflow.jobs[id] ?? {})) {
      if (!seen.has(need)) ancestors(need, seen.add(need));
    }
    return seen;
  };
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const needs = needsOf(job);
    const missing = needs.filter((need) => results[need] === undefined);
    if (missing.length > 0) throw new Error(`${id} needs ${missing.join(', ')}, which come later in the file`);
    const needsContext = Object.fromEntries(
      needs.map((need) => [need, { result: results[need], outputs: options.standIns?.[need]?.outputs ?? {} }]),
    );
    const contexts = { github: options.github, inputs: options.inputs ?? {}, needs: needsContext, vars: {} };
    const expression = (job.if ?? 'success()').trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
    const withStatus = /\b(success|failure|always|cancelled)\(\)/.test(expression)
      ? expression
      : `success() && (${expression})`;
    const functions = statusFunctions(
      [...ancestors(id)].map((ancestor) => results[ancestor] as string),
      needs.map((need) => results[need] as string),
    );
    const lexed = new Lexer(withStatus).lex();
    const parsed = new Parser(lexed.tokens, Object.keys(contexts), functions).parse();
    const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
    const runs = truthy(new Evaluator(parsed, context, new Map(functions.map((f) => [f.name, f]))).evaluate());
    results[id] = runs ? (options.standIns?.[id]?.result ?? 'success') : 'skipped';
  }
  return results;
}
