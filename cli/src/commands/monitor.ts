import { appendFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { S3Client } from '@aws-sdk/client-s3';
import { ValidationError, awsClientConfig, loadProjectConfig, type Backend } from '@slipway/core';
import {
  RetrainGate,
  S3RetrainLedger,
  localRetrainLedger,
  parseDriftDispatchPayload,
  readMonitorStatus,
  type DriftCheckResult,
  type MonitorStatus,
  type StoredCheck,
} from '@slipway/deploy-pipeline';
import type { CliContext } from '../context.js';
import {
  DEFAULT_MONITOR_EVERY_MINUTES,
  DEFAULT_RETRAIN_PERIOD_HOURS,
  checkEndpoints,
  projectEndpoints,
  retrainFromDispatch,
} from '../local-monitoring.js';
import type { Output } from '../output.js';
import { printTable } from './format.js';
import { dataDirOption, withBackendOptions, type BackendFlags } from '../backend-options.js';
import { withConnection, type ServiceConnection } from './service-connection.js';

interface RunOptions extends BackendFlags {
  readonly endpoint?: string[];
  readonly window: string;
}

interface StatusOptions extends BackendFlags {
  readonly endpoint?: string[];
  readonly limit: string;
}

function positiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError({ where: flag, field: '', problem: `must be a positive number, got "${text}"` });
  }
  return value;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function backendOf(connection: ServiceConnection): Backend {
  return connection.kind === 'aws'
    ? { kind: 'aws', region: connection.region }
    : {
        kind: 'local',
        region: connection.region,
        endpoint: connection.url!,
        ...(connection.credentials ? { credentials: connection.credentials } : {}),
      };
}

/** `slipway monitor run|status|retrain`: drift checks of the project's endpoints, local or on AWS. */
export function registerMonitor(program: Command, context: CliContext): void {
  const monitor = program
    .command('monitor')
    .description("drift checks: each endpoint's captured traffic against its live version's baseline");

  withBackendOptions(
    monitor
      .command('run')
      .description('check now (every stage’s endpoint unless --endpoint); a drift publishes the event that retrains')
      .option('--endpoint <name>', 'only this endpoint (repeatable)', collect)
      .option('--window <minutes>', 'how far back the captured traffic is read', String(DEFAULT_MONITOR_EVERY_MINUTES)),
  ).action((options: RunOptions) =>
    withConnection(context, options, async (connection) => {
      const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
      const results = await checkEndpoints({
        project,
        backend: backendOf(connection),
        ...(options.endpoint ? { endpoints: options.endpoint } : {}),
        windowMinutes: positiveNumber(options.window, '--window'),
      });
      context.output.result({ checks: results }, () => printResults(context.output, results));
    }),
  );

  withBackendOptions(
    monitor
      .command('status')
      .description("each endpoint's last checks: statistics against the baseline, violations, the retrains started")
      .option('--endpoint <name>', 'only this endpoint (repeatable)', collect)
      .option('--limit <n>', 'checks per endpoint', '5'),
  ).action((options: StatusOptions) =>
    withConnection(context, options, async (connection) => {
      const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
      const s3 = new S3Client(awsClientConfig(backendOf(connection)));
      try {
        const status = await readMonitorStatus({
          s3,
          bucket: project.artifactBucket,
          endpoints: options.endpoint ?? projectEndpoints(project),
          limit: positiveNumber(options.limit, '--limit'),
          ledger:
            connection.kind === 'local'
              ? localRetrainLedger(resolve(context.cwd, options.dataDir))
              : new S3RetrainLedger(s3, project.artifactBucket),
        });
        context.output.result(status, () => printStatus(context.output, status));
      } finally {
        s3.destroy();
      }
    }),
  );

  withBackendOptions(
    monitor
      .command('gate')
      .description(
        "build.yml's retrain limit: retrain on a drift dispatch unless it was handled already or its endpoint retrained within the period",
      )
      .requiredOption(
        '--dispatch <file>',
        'the repository_dispatch event file (in build.yml: "$GITHUB_EVENT_PATH"), or the dispatch body',
      )
      .option(
        '--retrain-period <hours>',
        'at most one retrain per endpoint per this long',
        String(DEFAULT_RETRAIN_PERIOD_HOURS),
      )
      .option('--github-output', 'also append retrain=true|false to the file $GITHUB_OUTPUT names'),
  ).action((options: BackendFlags & { dispatch: string; retrainPeriod: string; githubOutput?: boolean }) =>
    withConnection(context, options, async (connection) => {
      const project = loadProjectConfig({ cwd: context.cwd, env: context.env });
      const periodHours = positiveNumber(options.retrainPeriod, '--retrain-period');
      const outputFile = options.githubOutput ? context.env.GITHUB_OUTPUT : undefined;
      if (options.githubOutput && !outputFile) {
        throw new ValidationError({
          where: '--github-output',
          field: 'GITHUB_OUTPUT',
          problem: 'is not set',
          fix: 'run it in a GitHub Actions step, or leave --github-output out',
        });
      }
      const payload = parseDriftDispatchPayload(await readDispatch(resolve(context.cwd, options.dispatch)));
      // The ledger is an object in the artifact bucket: build.yml runs on a fresh runner each time.
      const s3 = new S3Client(awsClientConfig(backendOf(connection)));
      try {
        const gate = new RetrainGate(new S3RetrainLedger(s3, project.artifactBucket), {
          periodMs: periodHours * 3_600_000,
        });
        const decision = await gate.admit(payload);
        const retrain = decision.action === 'start';
        if (outputFile) await appendFile(outputFile, `retrain=${retrain}\n`);
        context.output.result({ retrain, endpointName: payload.endpoint_name, ...decision }, () =>
          context.output.line(
            retrain
              ? `Retrain for ${payload.endpoint_name}: drift check ${payload.check_id} is its first retrain in the period.`
              : `No retrain for ${payload.endpoint_name}: ${decision.action} (${'reason' in decision ? decision.reason : ''}).`,
          ),
        );
      } finally {
        s3.destroy();
      }
    }),
  );

  monitor
    .command('retrain')
    .description(
      'the local drift route’s target: reads a model-drift-detected dispatch body and starts the pipeline, at most once per endpoint per period',
    )
    .addOption(dataDirOption())
    .option('--input <file>', 'read the body from a file instead of stdin')
    .option(
      '--retrain-period <hours>',
      'at most one retrain per endpoint per this long',
      String(DEFAULT_RETRAIN_PERIOD_HOURS),
    )
    .action(async (options: { dataDir: string; input?: string; retrainPeriod: string }) => {
      const text = options.input ? await readFile(resolve(context.cwd, options.input), 'utf8') : await readStdin();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new ValidationError({
          where: options.input ?? 'stdin',
          field: '',
          problem: `is not JSON (${(error as Error).message})`,
          fix: 'send the repository_dispatch body of a model-drift-detected event',
        });
      }
      const outcome = await retrainFromDispatch(body, {
        dataDir: resolve(context.cwd, options.dataDir),
        cwd: context.cwd,
        periodHours: positiveNumber(options.retrainPeriod, '--retrain-period'),
        log: (line) => process.stderr.write(`${line}\n`),
      });
      context.output.result(outcome, () =>
        context.output.line(
          outcome.decision.action === 'start'
            ? `Retrain for ${outcome.endpointName}: pipeline run exited ${outcome.exitCode}.`
            : `No retrain for ${outcome.endpointName}: ${outcome.decision.reason}.`,
        ),
      );
      if (outcome.exitCode !== undefined && outcome.exitCode !== 0) process.exitCode = 1;
    });
}

/** The dispatch body from a repository_dispatch event file (GitHub's), or from a file holding the body itself. */
async function readDispatch(file: string): Promise<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ValidationError({
      where: '--dispatch',
      field: '',
      problem: `could not be read as JSON (${(error as Error).message})`,
      fix: 'pass the event file GitHub writes ("$GITHUB_EVENT_PATH") of a model-drift-detected dispatch',
    });
  }
  // GitHub's event file names the dispatch's event_type `action`; the dispatch body itself names it event_type.
  const event = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  return 'event_type' in event ? event : { event_type: event.action, client_payload: event.client_payload };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function headline(feature: { baseline: Readonly<Record<string, unknown>>; window: Readonly<Record<string, unknown>> }) {
  const show = (summary: Readonly<Record<string, unknown>>) =>
    'mean' in summary
      ? Number(summary.mean).toPrecision(3)
      : Object.entries(summary.shares as Record<string, number>)
          .map(([label, share]) => `${label.slice(0, 3)} ${Math.round(share * 100)}%`)
          .join(' ');
  return [show(feature.baseline), show(feature.window)];
}

function printResults(output: Output, results: readonly DriftCheckResult[]): void {
  if (results.length === 0) return output.line('No endpoints to check.');
  for (const result of results) {
    const tone = result.status === 'Violations' ? 'bad' : result.status === 'Skipped' ? 'warn' : 'good';
    output.line(
      `${result.endpointName}: ${result.status} — ${result.itemCount} reviews, ${result.windowStart} to ${result.windowEnd}` +
        (result.reason ? ` (${result.reason})` : ''),
      tone,
    );
    if (result.features.length > 0) printFeatures(output, result.features);
    if (result.published) output.line('  drift event published: the drift route starts a retrain', 'dim');
  }
}

function printFeatures(output: Output, features: DriftCheckResult['features']): void {
  printTable(
    output,
    ['  STATISTIC', 'METHOD', 'DISTANCE', 'THRESHOLD', 'BASELINE', 'WINDOW', ''],
    features.map((feature) => [
      `  ${feature.feature_name}`,
      feature.comparison_method === 'PopulationStabilityIndex' ? 'PSI' : 'JS distance',
      feature.distance.toFixed(4),
      String(feature.threshold),
      ...headline(feature),
      feature.drifted ? 'DRIFT' : feature.compared ? 'ok' : 'too few reviews',
    ]),
  );
}

function printStatus(output: Output, status: MonitorStatus): void {
  printStored(output, status.endpoints, status.checks);
  output.line('');
  if (status.retrains.length === 0) return output.line('Retrains started by drift: none.');
  output.line('Retrains started by drift:');
  printTable(
    output,
    ['ENDPOINT', 'CHECK', 'STARTED (UTC)', 'OUTCOME'],
    status.retrains.map((retrain) => [
      retrain.endpointName,
      retrain.checkId,
      retrain.startedAt,
      retrain.outcome ?? 'started',
    ]),
  );
}

function printStored(output: Output, endpoints: readonly string[], checks: readonly StoredCheck[]): void {
  for (const endpoint of endpoints) {
    const mine = checks.filter((check) => check.endpointName === endpoint);
    if (mine.length === 0) {
      output.line(`${endpoint}: no drift checks yet (\`npx slipway monitor run --endpoint ${endpoint}\`)`);
      continue;
    }
    output.line(`${endpoint}:`);
    for (const check of mine) {
      output.line(
        `  ${check.windowStart} to ${check.windowEnd}: ${check.itemCount} reviews, ` +
          (check.drifted.length > 0 ? `DRIFT in ${check.drifted.join(', ')}` : 'no violations'),
        check.drifted.length > 0 ? 'bad' : 'good',
      );
    }
    printFeatures(output, mine[0]!.features);
  }
}
