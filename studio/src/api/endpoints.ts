import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
} from '@aws-sdk/client-sagemaker';
import { errorMessage, isSageMakerNotFound, parseS3Uri } from '@slipway/build-pipeline/run';
import { endpointName } from '@slipway/deploy-pipeline';
import type { CapturedInvocation, EndpointListItem, EndpointView, VariantView } from '../views.js';
import type { ConsoleContext } from './console-context.js';
import { versionOf } from './deployments.js';
import { allPages, iso, mapLimited } from './paging.js';

/** How many captured invocations a page shows, and how many capture files are read for them. */
const CAPTURED_SHOWN = 20;
const CAPTURE_FILES_READ = 5;

export async function listEndpoints(context: ConsoleContext): Promise<EndpointListItem[]> {
  const summaries = await allPages(async (NextToken) => {
    const page = await context.backend.sagemaker.send(
      new ListEndpointsCommand({ MaxResults: 100, SortBy: 'CreationTime', SortOrder: 'Descending', NextToken }),
    );
    return { items: page.Endpoints, nextToken: page.NextToken };
  }, 200);
  return summaries.map((summary) => {
    const name = summary.EndpointName ?? '';
    const stage = stageOf(context, name);
    return {
      name,
      arn: summary.EndpointArn ?? '',
      status: summary.EndpointStatus ?? 'Unknown',
      ...(summary.CreationTime ? { created: iso(summary.CreationTime) } : {}),
      ...(summary.LastModifiedTime ? { modified: iso(summary.LastModifiedTime) } : {}),
      ...(stage ? { stage } : {}),
    };
  });
}

/**
 * An endpoint: status, each variant's weight, instances and the model version behind it, recent latencies
 * (local) and the newest captured requests (data capture, wherever it writes).
 */
export async function endpointView(context: ConsoleContext, name: string): Promise<EndpointView> {
  const { backend } = context;
  const endpoint = await backend.sagemaker.send(new DescribeEndpointCommand({ EndpointName: name }));
  const configName = endpoint.EndpointConfigName ?? '';
  const config = await backend.sagemaker
    .send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }))
    .catch((error: unknown) => {
      if (isSageMakerNotFound(error)) return undefined;
      throw error;
    });
  const live = new Map((endpoint.ProductionVariants ?? []).map((variant) => [variant.VariantName ?? '', variant]));
  const variants = await mapLimited(config?.ProductionVariants ?? [], 4, async (variant): Promise<VariantView> => {
    const current = live.get(variant.VariantName ?? '');
    const model = variant.ModelName
      ? await backend.sagemaker.send(new DescribeModelCommand({ ModelName: variant.ModelName })).catch(() => undefined)
      : undefined;
    const container = model?.PrimaryContainer ?? model?.Containers?.[0];
    const modelPackageArn = container?.ModelPackageName;
    const version = modelPackageArn ? versionOf(modelPackageArn) : undefined;
    const weight = current?.CurrentWeight ?? variant.InitialVariantWeight;
    const instances = current?.CurrentInstanceCount ?? variant.InitialInstanceCount;
    const image = current?.DeployedImages?.[0]?.ResolvedImage ?? container?.Image;
    return {
      name: variant.VariantName ?? '',
      ...(weight !== undefined ? { weight } : {}),
      ...(instances !== undefined ? { instances } : {}),
      ...(variant.InstanceType ? { instanceType: variant.InstanceType } : {}),
      ...(variant.ModelName ? { modelName: variant.ModelName } : {}),
      ...(modelPackageArn ? { modelPackageArn } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(image ? { image } : {}),
    };
  });
  const captureUri = endpoint.DataCaptureConfig?.DestinationS3Uri ?? config?.DataCaptureConfig?.DestinationS3Uri;
  const stage = stageOf(context, name);
  const latency = backend.recentInvocations?.(name);
  return {
    endpoint: {
      name,
      arn: endpoint.EndpointArn ?? '',
      status: endpoint.EndpointStatus ?? 'Unknown',
      ...(endpoint.CreationTime ? { created: iso(endpoint.CreationTime) } : {}),
      ...(endpoint.LastModifiedTime ? { modified: iso(endpoint.LastModifiedTime) } : {}),
      ...(endpoint.FailureReason ? { failureReason: endpoint.FailureReason } : {}),
      ...(stage ? { stage } : {}),
      ...(configName ? { configName } : {}),
    },
    variants,
    ...(latency
      ? { latency }
      : {
          latencyNote: `SageMaker sends latency to CloudWatch (AWS/SageMaker ModelLatency, EndpointName=${name}): https://${backend.region}.console.aws.amazon.com/cloudwatch/home?region=${backend.region}#metricsV2`,
        }),
    captured: captureUri ? await capturedInvocations(context, captureUri, name) : [],
    ...(captureUri ? { captureUri: `${captureUri.replace(/\/+$/, '')}/${name}/` } : {}),
    samples: context.samples,
  };
}

/**
 * The newest captured invocations: data capture writes JSON Lines under
 * `<DestinationS3Uri>/<endpoint>/<variant>/yyyy/mm/dd/hh/…`, so the newest files sort last.
 */
async function capturedInvocations(
  context: ConsoleContext,
  destination: string,
  endpoint: string,
): Promise<CapturedInvocation[]> {
  const location = parseS3Uri(`${destination.replace(/\/+$/, '')}/${endpoint}/`);
  if (!location) return [];
  const { s3 } = context.backend;
  try {
    const keys = await allPages(async (ContinuationToken) => {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: location.bucket, Prefix: location.key, ContinuationToken }),
      );
      return { items: (page.Contents ?? []).map((object) => object.Key ?? ''), nextToken: page.NextContinuationToken };
    }, 10_000);
    const newest = keys
      .filter((key) => key.endsWith('.jsonl'))
      .sort((a, b) => captureTime(a).localeCompare(captureTime(b)))
      .slice(-CAPTURE_FILES_READ);
    const records: CapturedInvocation[] = [];
    for (const key of newest) {
      const object = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
      const text = (await object.Body?.transformToString('utf-8')) ?? '';
      const variant = key.slice(location.key.length).split('/')[0] ?? '';
      for (const line of text.split('\n')) if (line.trim()) records.push(capturedRecord(line, variant));
    }
    return records.sort((a, b) => b.at.localeCompare(a.at)).slice(0, CAPTURED_SHOWN);
  } catch (error) {
    return [
      { at: new Date().toISOString(), variant: '', output: `could not read the capture: ${errorMessage(error)}` },
    ];
  }
}

/** `<variant>/yyyy/mm/dd/hh/mm-ss-mmm-uuid.jsonl` → a key that sorts by time across variants. */
function captureTime(key: string): string {
  return key.split('/').slice(-5).join('/');
}

function capturedRecord(line: string, variant: string): CapturedInvocation {
  try {
    const record = JSON.parse(line) as {
      captureData?: Record<string, { data?: string; encoding?: string } | undefined>;
      eventMetadata?: { inferenceTime?: string };
    };
    const decode = (part: { data?: string; encoding?: string } | undefined) =>
      part?.data === undefined
        ? undefined
        : part.encoding === 'BASE64'
          ? Buffer.from(part.data, 'base64').toString('utf8')
          : part.data;
    const input = decode(record.captureData?.['endpointInput']);
    const output = decode(record.captureData?.['endpointOutput']);
    return {
      at: record.eventMetadata?.inferenceTime ?? '',
      variant,
      ...(input !== undefined ? { input: input.slice(0, 2000) } : {}),
      ...(output !== undefined ? { output: output.slice(0, 2000) } : {}),
    };
  } catch {
    return { at: '', variant, output: 'a capture line that is not JSON' };
  }
}

function stageOf(context: ConsoleContext, name: string): string | undefined {
  const project = context.backend.project;
  return project?.stages.find((stage) => endpointName(project, stage) === name);
}
