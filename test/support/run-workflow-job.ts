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
function interpolate(text: string, contexts: Record<string, unknown>): string {
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
