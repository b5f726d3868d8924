import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ValidationError, findProjectConfig, loadProjectConfig, type LoadedProjectConfig } from '@slipway/core';
import type { PromotionMode } from '@slipway/deploy-pipeline';
import {
  DEFAULT_PORT,
  SERVER_FILE,
  isProcessAlive,
  readServerFile,
  startLocalServer,
  type LambdaFunctionsConfig,
  type RuleDefinition,
  type ServerFile,
} from '@slipway/local';
import { consoleLink, readConsoleTokenFile } from '@slipway/studio';
import { dataDirOption } from '../backend-options.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../local-connection.js';
import { approvalRouteRules, dispatchCommandTarget } from '../local-deploy.js';
import {
  DEFAULT_MONITOR_EVERY_MINUTES,
  DEFAULT_RETRAIN_PERIOD_HOURS,
  localDriftMonitoring,
  type LocalDriftMonitoring,
} from '../local-monitoring.js';
import { projectConsole } from '../studio-console.js';
import { registerLocalRuntimes } from './local-runtimes.js';

const BIN = fileURLToPath(new URL('../../bin/slipway.js', import.meta.url));

interface UpOptions {
  readonly port: string;
  readonly dataDir: string;
  readonly detach?: boolean;
  readonly rules?: string;
  readonly region?: string;
  readonly autoPromote?: boolean;
  readonly monitorEvery: string;
  readonly retrainPeriod: string;
}

/** `slipway local up|down|status|runtimes`: the local SageMaker server for this repository, and its runtimes. */
export function registerLocal(program: Command, context: CliContext): void {
  const local = program
    .command('local')
    .description('run the local SageMaker (API, engine, registry, events) on 127.0.0.1');

  local
    .command('up')
    .description('start the server (in the foreground unless --detach)')
    .option('--port <port>', 'TCP port on 127.0.0.1 (0 picks a free one)', String(DEFAULT_PORT))
    .addOption(dataDirOption())
    .option('--detach', 'start in the background, write <data-dir>/server.json and return')
    .option('--rules <file>', 'a JSON file of event rules to register at start')
    .option('--region <region>', 'the region in the ARNs the server issues')
    .option(
      '--auto-promote',
      'deploy an approved version to prod as soon as staging passed its tests (default: wait for `slipway deploy promote`)',
    )
    .option(
      '--monitor-every <minutes>',
      "run the drift check of the project's endpoints this often, over the traffic since the last one (0: never)",
      String(DEFAULT_MONITOR_EVERY_MINUTES),
    )
    .option(
      '--retrain-period <hours>',
      'a drift retrains an endpoint at most once per this long',
      String(DEFAULT_RETRAIN_PERIOD_HOURS),
    )
    .action(async (options: UpOptions) => {
      const port = parsePort(options.port);
      const dataDir = resolve(context.cwd, options.dataDir);
      if (options.detach) return detach(context, port, dataDir, options);
      const project = currentProject(context);
      const route = approvalRoute(project, dataDir, options);
      const drift = driftMonitoring(context, project, dataDir, options);
      // The console asks for the server once it listens (the console is mounted before the server starts).
      const listening: { server?: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } } } = {};
      const studio = projectConsole(context, dataDir, () => {
        if (!listening.server) throw new Error('the local server is not listening yet');
        return listening.server;
      });
      const server = await startLocalServer({
        dataDir,
        port,
        routes: [studio.mount],
        ...(options.rules ? { rulesFile: resolve(context.cwd, options.rules) } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(route || drift ? { rules: [...(route?.rules ?? []), ...(drift ? [drift.rule] : [])] } : {}),
        ...lambdaFunctions(project),
        // With stage accounts, the server's own account is the build account: the ARNs it issues are the ones
        // the deploy names (modelPackageGroupReference).
        ...(project?.buildAccount ? { accountId: project.buildAccount } : {}),
      });
      listening.server = server;
      const schedule = drift?.start(server);
      const link = studio.link(server.url);
      context.output.result(
        { url: server.url, pid: process.pid, dataDir, console: link, approvalRoute: route?.summary ?? null },
        () => {
          context.output.line(`Local SageMaker listening at ${server.url}`, 'good');
          context.output.line(`  Slipway Studio: ${link}`);
          context.output.line(`  ${ENV_HINT}`, 'dim');
          if (route) context.output.line(`  ${route.description}`, 'dim');
          if (drift) context.output.line(`  ${drift.description}`, 'dim');
          context.output.line('  stop with Ctrl-C or `slipway local down`', 'dim');
        },
      );
      await new Promise<void>((done) => {
        const stop = () => void (schedule?.stop() ?? Promise.resolve()).then(() => server.close()).then(done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  local
    .command('down')
    .description('stop the server started for this data dir')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const dataDir = resolve(context.cwd, options.dataDir);
      const running = await runningServer(dataDir);
      if (!running) {
        context.output.result({ stopped: false, dataDir }, () =>
          context.output.line(`No local server is running for ${dataDir}.`),
        );
        return;
      }
      process.kill(running.pid, 'SIGTERM');
      if (!(await waitUntil(() => !isProcessAlive(running.pid), 15_000))) {
        throw new Error(
          `the local server (pid ${running.pid}) did not stop within 15 s; stop it with kill ${running.pid}`,
        );
      }
      await rm(join(dataDir, SERVER_FILE), { force: true });
      context.output.result({ stopped: true, pid: running.pid, url: running.url, dataDir }, () =>
        context.output.line(`Stopped the local server at ${running.url} (pid ${running.pid}).`, 'good'),
      );
    });

  local
    .command('env')
    .description('print the shell exports that point the AWS CLI, boto3 and the SDKs at the running server')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const dataDir = resolve(context.cwd, options.dataDir);
      const running = await runningServer(dataDir);
      if (!running) {
        throw new ValidationError({
          where: dataDir,
          field: '',
          problem: 'has no local server running',
          fix: 'start one with `npx slipway local up --detach`',
        });
      }
      const variables = clientEnvironment(running);
      context.output.result(variables, (value) => {
        for (const [name, text] of Object.entries(value)) context.output.line(`export ${name}=${shellQuote(text)}`);
      });
    });

  local
    .command('status')
    .description('say whether a server runs for this data dir, and where')
    .addOption(dataDirOption())
    .action(async (options: { dataDir: string }) => {
      const dataDir = resolve(context.cwd, options.dataDir);
      const running = await runningServer(dataDir);
      const healthy = running ? await answers(running.url) : false;
      context.output.result(
        { running: Boolean(running), healthy, dataDir, ...(running ? { url: running.url, pid: running.pid } : {}) },
        () => {
          if (!running) context.output.line(`No local server is running for ${dataDir}.`);
          else
            context.output.line(
              `Local server ${healthy ? 'running' : 'not answering'} at ${running.url} (pid ${running.pid}, data dir ${dataDir})`,
              healthy ? 'good' : 'warn',
            );
        },
      );
      if (!running || !healthy) process.exitCode = 1;
    });

  registerLocalRuntimes(local, context);
}

async function detach(context: CliContext, port: number, dataDir: string, options: UpOptions): Promise<void> {
  const existing = await runningServer(dataDir);
  if (existing) {
    throw new ValidationError({
      where: dataDir,
      field: '',
      problem: `already has a local server running at ${existing.url} (pid ${existing.pid})`,
      fix: 'use it, or stop it first with `slipway local down`',
    });
  }
  // Owner only, as the server keeps it: the log lands here before the server starts.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const logFile = join(dataDir, 'server.log');
  const log = openSync(logFile, 'a');
  const args = [BIN, 'local', 'up', '--port', String(port), '--data-dir', dataDir];
  if (options.rules) args.push('--rules', resolve(context.cwd, options.rules));
  if (options.region) args.push('--region', options.region);
  if (options.autoPromote) args.push('--auto-promote');
  args.push('--monitor-every', options.monitorEvery, '--retrain-period', options.retrainPeriod);
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: context.cwd,
    env: context.env,
  });
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  let started: ServerFile | undefined;
  await waitUntil(async () => {
    const file = await readServerFile(dataDir);
    if (file && file.pid === child.pid && (await answers(file.url))) started = file;
    return started !== undefined || exited;
  }, 30_000);
  if (!started) {
    const lines = readFileSync(logFile, 'utf8').trim().split('\n');
    // The server's own one-line refusal (a busy port, a data dir in use) is the whole story: say just that.
    const refusal = exited ? lines.findLast((line) => line.startsWith('error: ')) : undefined;
    if (refusal) {
      throw new ValidationError({
        where: 'local up --detach',
        field: '',
        problem: `could not start the server: ${refusal.slice('error: '.length)}`,
        fix: `its log is ${logFile}`,
      });
    }
    const tail = lines.slice(-15).join('\n');
    throw new Error(`the local server did not start${exited ? '' : ' within 30 s'}; the end of ${logFile}:\n${tail}`);
  }
  const ready = started;
  const route = approvalRoute(currentProject(context), dataDir, options);
  const token = await readConsoleTokenFile(dataDir);
  const link = token?.pid === ready.pid ? consoleLink(ready.url, token.token) : null;
  context.output.result(
    { url: ready.url, pid: ready.pid, dataDir, log: logFile, console: link, approvalRoute: route?.summary ?? null },
    () => {
      context.output.line(`Local SageMaker running at ${ready.url} (pid ${ready.pid})`, 'good');
      if (link) context.output.line(`  Slipway Studio: ${link} (or \`npx slipway studio\`)`);
      context.output.line(`  ${ENV_HINT}`, 'dim');
      if (route) context.output.line(`  ${route.description}`, 'dim');
      context.output.line(`  log: ${logFile}; stop with \`slipway local down\``, 'dim');
    },
  );
}

/** The Slipway project the command runs in, read once; none outside a project. */
function currentProject(context: CliContext): LoadedProjectConfig | undefined {
  if (!findProjectConfig(context.cwd, context.env)) return undefined;
  return loadProjectConfig({ cwd: context.cwd, env: context.env });
}

/**
 * The project's approval route on the local bus: its rules (the CDK rules' pattern and transformer) with the
 * deploy workflow as their target. None outside a Slipway project.
 */
function approvalRoute(
  project: LoadedProjectConfig | undefined,
  dataDir: string,
  options: UpOptions,
):
  { rules: RuleDefinition[]; summary: { rules: string[]; promotion: PromotionMode }; description: string } | undefined {
  if (!project) return undefined;
  const promotion: PromotionMode = options.autoPromote ? 'auto' : 'manual';
  const rules = approvalRouteRules(project, dispatchCommandTarget({ dataDir, promotion, cwd: project.rootDir }));
  return {
    rules,
    summary: { rules: rules.map((rule) => rule.name), promotion },
    description:
      `approving a ${project.modelPackageGroupName} version deploys it to ${project.stages.join(' → ')} ` +
      (promotion === 'auto'
        ? '(promoted as soon as its tests pass: --auto-promote)'
        : '(prod waits for `npx slipway deploy promote`)'),
  };
}

/** The project's `local.lambdaFunctions` for the server (Lambda steps run these handlers); none outside a project. */
function lambdaFunctions(project: LoadedProjectConfig | undefined): { lambdaFunctions?: LambdaFunctionsConfig } {
  if (!project) return {};
  return { lambdaFunctions: { rootDir: project.rootDir, functions: project.local?.lambdaFunctions ?? {} } };
}

/**
 * The project's drift loop on the local server: the drift route's rule (its target retrains) and the scheduled
 * drift check of the project's endpoints. None outside a Slipway project.
 */
function driftMonitoring(
  context: CliContext,
  project: LoadedProjectConfig | undefined,
  dataDir: string,
  options: UpOptions,
): LocalDriftMonitoring | undefined {
  if (!project) return undefined;
  return localDriftMonitoring({
    project,
    dataDir,
    everyMinutes: parseMinutes(options.monitorEvery, '--monitor-every'),
    retrainPeriodHours: parseMinutes(options.retrainPeriod, '--retrain-period'),
    log: (line) => context.output.line(line, 'dim'),
  });
}

function parseMinutes(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new ValidationError({ where: flag, field: '', problem: `must be a number ≥ 0, got "${text}"` });
  }
  return value;
}

const ENV_HINT =
  'eval "$(npx slipway local env)"   # AWS_ENDPOINT_URL and the credentials for the AWS CLI, boto3, SDKs';

/**
 * The environment that points any AWS client at the server: its URL, and its secret as the secret access
 * key (the server accepts requests signed with it only). The region is that of the ARNs it issues, under both
 * names (the JavaScript SDK reads AWS_REGION, botocore and the AWS CLI AWS_DEFAULT_REGION).
 */
export function clientEnvironment(server: ServerFile): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_REGION: server.region,
    AWS_DEFAULT_REGION: server.region,
  };
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_slipway/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ValidationError({
      where: '--port',
      field: '',
      problem: `must be a whole number from 0 to 65535, got ${JSON.stringify(text)}`,
      fix: 'pass 0 for any free port',
    });
  }
  return port;
}
