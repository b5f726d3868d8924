import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  paginateListEndpoints,
  type DescribeEndpointOutput,
  type EndpointStatus,
  type EndpointSummary,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ValidationError } from '@slipway/core';
import type { CliContext } from '../context.js';
import { formatTime, printTable } from './format.js';
import { withBackendOptions, type BackendFlags } from '../backend-options.js';
import { withConnection, type ServiceConnection } from './service-connection.js';

const JSON_TYPE = 'application/json';

interface ListOptions extends BackendFlags {
  readonly status?: string;
  readonly nameContains?: string;
}

interface InvokeOptions extends BackendFlags {
  readonly body?: string;
  readonly text?: string;
  readonly contentType: string;
  readonly accept: string;
  readonly targetVariant?: string;
}

/** What each production variant serves: its model and, when deployed from the registry, the package. */
export interface VariantModel {
  readonly variant: string;
  readonly model?: string;
  readonly modelPackageArn?: string;
}

/** `slipway endpoints list|describe|invoke`: the endpoints of the local server, or of AWS with --aws. */
export function registerEndpoints(program: Command, context: CliContext): void {
  const endpoints = program.command('endpoints').description('list, inspect and call real-time endpoints');

  withBackendOptions(
    endpoints
      .command('list')
      .description('every endpoint with its status and config, newest first')
      .option('--status <status>', 'only endpoints with this status (InService, Creating, Updating, Failed, ...)')
      .option('--name-contains <text>', 'only endpoints whose name contains this'),
  ).action((options: ListOptions) =>
    withConnection(context, options, async (connection) => {
      const listed = await listEndpoints(connection, options);
      context.output.result({ endpoints: listed.map(summaryJson) }, () => {
        if (listed.length === 0) return context.output.line('No endpoints.');
        const rows = listed.map((endpoint) => [
          endpoint.EndpointName ?? '',
          context.output.paint(endpoint.EndpointStatus ?? '-', statusTone(endpoint.EndpointStatus)),
          formatTime(endpoint.LastModifiedTime),
          formatTime(endpoint.CreationTime),
        ]);
        printTable(context.output, ['NAME', 'STATUS', 'MODIFIED (UTC)', 'CREATED (UTC)'], rows);
      });
    }),
  );

  withBackendOptions(
    endpoints
      .command('describe')
      .description('status, failure reason, config, and what each variant serves (model, model package)')
      .argument('<name>', 'the endpoint'),
  ).action((name: string, options: BackendFlags) =>
    withConnection(context, options, async (connection) => {
      const described = await connection.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
      const models = await variantModels(connection, described);
      context.output.result({ ...described, $metadata: undefined, models }, () =>
        printEndpoint(context, described, models),
      );
    }),
  );

  withBackendOptions(
    endpoints
      .command('invoke')
      .description('send one request to an endpoint (SageMaker Runtime InvokeEndpoint) and print the answer')
      .argument('<name>', 'the endpoint')
      .option(
        '--text <review>',
        'one review: sent as {"instances": ["<review>"]} (or as one CSV row with --content-type text/csv)',
      )
      .option('--body <body>', 'the request body as given, or @FILE to read it from a file')
      .option('--content-type <type>', 'the request Content-Type', JSON_TYPE)
      .option('--accept <type>', 'the Accept header', JSON_TYPE)
      .option('--target-variant <variant>', 'send the request to this production variant'),
  ).action(async (name: string, options: InvokeOptions) => {
    const body = await requestBody(context, options);
    await withConnection(context, options, async (connection) => {
      const answer = await connection.runtime
        .send(
          new InvokeEndpointCommand({
            EndpointName: name,
            Body: body,
            ContentType: options.contentType,
            Accept: options.accept,
            ...(options.targetVariant ? { TargetVariant: options.targetVariant } : {}),
          }),
        )
        .catch((error: unknown) => {
          throw modelErrorDetails(error);
        });
      const text = Buffer.from(answer.Body ?? new Uint8Array()).toString('utf8');
      const parsed = answer.ContentType?.startsWith(JSON_TYPE) ? tryJson(text) : undefined;
      const result = {
        endpoint: name,
        variant: answer.InvokedProductionVariant,
        contentType: answer.ContentType,
        body: parsed ?? text,
      };
      context.output.result(result, () => printAnswer(context, result.variant, parsed, text));
    });
  });
}

/** Every endpoint (newest first), every page (the SDK's paginator). */
async function listEndpoints(connection: ServiceConnection, options: ListOptions): Promise<EndpointSummary[]> {
  const all: EndpointSummary[] = [];
  const pages = paginateListEndpoints(
    { client: connection.sagemaker, pageSize: 100 },
    {
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      ...(options.status ? { StatusEquals: options.status as EndpointStatus } : {}),
      ...(options.nameContains ? { NameContains: options.nameContains } : {}),
    },
  );
  for await (const page of pages) all.push(...(page.Endpoints ?? []));
  return all;
}

/** Endpoint → config → model → model package, for each variant; whatever was deleted since is left out. */
async function variantModels(
  connection: ServiceConnection,
  described: DescribeEndpointOutput,
): Promise<VariantModel[]> {
  const quietly = async <T>(call: () => Promise<T>): Promise<T | undefined> => call().catch(() => undefined);
  const config = await quietly(() =>
    connection.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: described.EndpointConfigName })),
  );
  return Promise.all(
    (config?.ProductionVariants ?? []).map(async (variant) => {
      const model = variant.ModelName
        ? await quietly(() => connection.sagemaker.send(new DescribeModelCommand({ ModelName: variant.ModelName })))
        : undefined;
      const packageArn = model?.PrimaryContainer?.ModelPackageName ?? model?.Containers?.[0]?.ModelPackageName;
      return {
        variant: variant.VariantName ?? '',
        ...(variant.ModelName ? { model: variant.ModelName } : {}),
        ...(packageArn ? { modelPackageArn: packageArn } : {}),
      };
    }),
  );
}

async function requestBody(context: CliContext, options: InvokeOptions): Promise<Uint8Array> {
  if ((options.text === undefined) === (options.body === undefined)) {
    throw new ValidationError({
      where: 'endpoints invoke',
      field: '--text / --body',
      problem: options.text === undefined ? 'one of the two is required' : 'only one of the two may be given',
      fix: 'e.g. --text "Works great, love it" or --body \'{"instances": ["Works great"]}\'',
    });
  }
  if (options.text !== undefined) {
    const csv = options.contentType.split(';')[0]!.trim().toLowerCase() === 'text/csv';
    return Buffer.from(csv ? `"${options.text.replace(/"/g, '""')}"\n` : JSON.stringify({ instances: [options.text] }));
  }
  const body = options.body!;
  if (!body.startsWith('@')) return Buffer.from(body);
  const file = resolve(context.cwd, body.slice(1));
  try {
    return await readFile(file);
  } catch (error) {
    throw new ValidationError({
      where: '--body',
      field: '',
      problem: `names ${file}, which could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    });
  }
}

/** A ModelError carries what the container answered: put it in the message. */
function modelErrorDetails(error: unknown): unknown {
  if (!(error instanceof Error) || error.name !== 'ModelError') return error;
  const details = error as Error & { OriginalStatusCode?: number; OriginalMessage?: string };
  const original = details.OriginalMessage
    ? `; the model answered ${details.OriginalStatusCode ?? '?'}: ${details.OriginalMessage}`
    : '';
  return Object.assign(new Error(`${error.message}${original}`), {
    name: error.name,
    $metadata: (error as { $metadata?: unknown }).$metadata,
  });
}

function printAnswer(context: CliContext, variant: string | undefined, parsed: unknown, text: string): void {
  const predictions = (parsed as { predictions?: { label?: string; scores?: Record<string, number> }[] } | undefined)
    ?.predictions;
  if (Array.isArray(predictions) && predictions.every((p) => typeof p?.label === 'string')) {
    for (const prediction of predictions) {
      const score = prediction.scores?.[prediction.label!];
      context.output.line(
        `${context.output.paint(prediction.label!, labelTone(prediction.label!))}${score !== undefined ? ` (${score.toFixed(2)})` : ''}`,
      );
    }
  } else {
    context.output.line(text.replace(/\n$/, ''));
  }
  if (variant) context.output.line(`  answered by variant ${variant}`, 'dim');
}

function printEndpoint(context: CliContext, described: DescribeEndpointOutput, models: readonly VariantModel[]): void {
  const { output } = context;
  const field = (label: string, value: string | undefined) => {
    if (value) output.line(`${output.paint(label.padEnd(12), 'dim')}${value}`);
  };
  field('endpoint', described.EndpointName);
  field('status', output.paint(described.EndpointStatus ?? '-', statusTone(described.EndpointStatus)));
  field('failure', described.FailureReason);
  field('config', described.EndpointConfigName);
  field('created', formatTime(described.CreationTime));
  field('modified', formatTime(described.LastModifiedTime));
  if (described.PendingDeploymentSummary) field('deploying', described.PendingDeploymentSummary.EndpointConfigName);
  const rows = (described.ProductionVariants ?? []).map((variant) => {
    const model = models.find((entry) => entry.variant === variant.VariantName);
    return [
      variant.VariantName ?? '',
      String(variant.CurrentWeight ?? '-'),
      String(variant.CurrentInstanceCount ?? '-'),
      model?.model ?? '-',
      model?.modelPackageArn ?? '-',
    ];
  });
  if (rows.length > 0) {
    output.line();
    printTable(output, ['VARIANT', 'WEIGHT', 'INSTANCES', 'MODEL', 'MODEL PACKAGE'], rows);
  }
}

function summaryJson(endpoint: EndpointSummary) {
  return {
    name: endpoint.EndpointName,
    arn: endpoint.EndpointArn,
    status: endpoint.EndpointStatus,
    createdAt: endpoint.CreationTime?.toISOString(),
    modifiedAt: endpoint.LastModifiedTime?.toISOString(),
  };
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function statusTone(status: string | undefined): 'good' | 'bad' | 'warn' | 'plain' {
  if (status === 'InService') return 'good';
  if (status === 'Failed' || status === 'UpdateRollbackFailed' || status === 'OutOfService') return 'bad';
  return status ? 'warn' : 'plain';
}

function labelTone(label: string): 'good' | 'bad' | 'plain' {
  return label === 'positive' ? 'good' : label === 'negative' ? 'bad' : 'plain';
}
