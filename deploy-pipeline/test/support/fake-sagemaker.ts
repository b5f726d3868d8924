import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateModelPackageCommand,
  type ModelLifeCycle,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { modelArtifactsUri, modelDataChecksumKey, modelPackageArn, parseModelPackageArn } from '@slipway/core';
import { testProject } from './project.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

export type ApprovalStatus = 'PendingManualApproval' | 'Approved' | 'Rejected';

/** One change of what an endpoint serves: the fake's record of every deployment. */
export interface EndpointChange {
  readonly endpoint: string;
  readonly version: number;
  /** What every other endpoint served at that moment. */
  readonly others: Readonly<Record<string, number | undefined>>;
}

const notFound = (what: string): Error =>
  Object.assign(new Error(`Could not find ${what}.`), { name: 'ValidationException' });

/**
 * An in-memory SageMaker for the deploy logic: a model registry (one group), models, endpoint configs and
 * endpoints that are InService at once, and a runtime whose endpoints answer every review with `label`. It
 * serves the calls `runDeployWorkflow` makes through the real SDK clients (aws-sdk-client-mock), so property
 * tests can run hundreds of deploy sequences in seconds. Each version's model data is an object of the
 * artifact bucket, its SHA-256 registered with the version. `changes` records every Create/UpdateEndpoint.
 */
export class FakeSageMaker {
  readonly sagemaker = new SageMakerClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  readonly runtime = new SageMakerRuntimeClient({
    region: REGION,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  readonly s3 = new S3Client({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  readonly changes: EndpointChange[] = [];
  private readonly packages = new Map<
    number,
    { status: ApprovalStatus; created: Date; sha256: string; lifecycle?: ModelLifeCycle }
  >();
  private readonly objects = new Map<string, Buffer>();
  private readonly artifacts = modelArtifactsUri(testProject());
  private readonly models = new Map<string, string>();
  private readonly configs = new Map<string, string>();
  private readonly endpoints = new Map<string, string>();

  constructor(
    readonly group: string,
    label = 'positive',
  ) {
    const sagemaker = mockClient(this.sagemaker);
    sagemaker.on(DescribeModelPackageGroupCommand).callsFake(() => ({
      ModelPackageGroupName: group,
      ModelPackageGroupArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model-package-group/${group}`,
    }));
    sagemaker.on(DescribeModelPackageCommand).callsFake((input: { ModelPackageName: string }) => {
      const version = parseModelPackageArn(input.ModelPackageName).version;
      const entry = this.packages.get(version);
      if (!entry) throw notFound(`model package ${input.ModelPackageName}`);
      return {
        ModelPackageGroupName: group,
        ModelPackageVersion: version,
        ModelPackageArn: this.arn(version),
        ModelApprovalStatus: entry.status,
        InferenceSpecification: { Containers: [{ Image: 'sklearn', ModelDataUrl: this.modelDataUrl(version) }] },
        CustomerMetadataProperties: { [modelDataChecksumKey()]: entry.sha256 },
        ...(entry.lifecycle ? { ModelLifeCycle: entry.lifecycle } : {}),
      };
    });
    sagemaker
      .on(UpdateModelPackageCommand)
      .callsFake(
        (input: { ModelPackageArn: string; ModelApprovalStatus?: string; ModelLifeCycle?: ModelLifeCycle }) => {
          const entry = this.packages.get(parseModelPackageArn(input.ModelPackageArn).version);
          if (!entry) throw notFound(`model package ${input.ModelPackageArn}`);
          // The deploy writes lifecycle stages only; an approval goes through setStatus.
          if (input.ModelApprovalStatus !== undefined) throw new Error('the deploy must not change an approval status');
          if (input.ModelLifeCycle) entry.lifecycle = input.ModelLifeCycle;
          return { ModelPackageArn: input.ModelPackageArn };
        },
      );
    sagemaker
      .on(ListModelPackagesCommand)
      .callsFake((input: { ModelApprovalStatus?: string; MaxResults?: number }) => ({
        ModelPackageSummaryList: [...this.packages]
          .filter(([, entry]) => !input.ModelApprovalStatus || entry.status === input.ModelApprovalStatus)
          .sort(([, a], [, b]) => b.created.getTime() - a.created.getTime())
          .slice(0, input.MaxResults ?? 100)
          .map(([version, entry]) => ({
            ModelPackageArn: this.arn(version),
            ModelPackageVersion: version,
            ModelApprovalStatus: entry.status,
            CreationTime: entry.created,
          })),
      }));
    sagemaker.on(DescribeModelCommand).callsFake((input: { ModelName: string }) => {
      const packageArn = this.models.get(input.ModelName);
      if (!packageArn) throw notFound(`model ${input.ModelName}`);
      return { ModelName: input.ModelName, PrimaryContainer: { ModelPackageName: packageArn } };
    });
    sagemaker
      .on(CreateModelCommand)
      .callsFake((input: { ModelName: string; PrimaryContainer?: { ModelPackageName?: string } }) => {
        this.models.set(input.ModelName, input.PrimaryContainer?.ModelPackageName ?? '');
        return {};
      });
    sagemaker.on(DescribeEndpointConfigCommand).callsFake((input: { EndpointConfigName: string }) => {
      const model = this.configs.get(input.EndpointConfigName);
      if (!model) throw notFound(`endpoint configuration ${input.EndpointConfigName}`);
      return { EndpointConfigName: input.EndpointConfigName, ProductionVariants: [{ ModelName: model }] };
    });
    sagemaker
      .on(CreateEndpointConfigCommand)
      .callsFake((input: { EndpointConfigName: string; ProductionVariants?: { ModelName?: string }[] }) => {
        this.configs.set(input.EndpointConfigName, input.ProductionVariants?.[0]?.ModelName ?? '');
        return {};
      });
    sagemaker.on(DescribeEndpointCommand).callsFake((input: { EndpointName: string }) => {
      const config = this.endpoints.get(input.EndpointName);
      if (!config) throw notFound(`endpoint ${input.EndpointName}`);
      return {
        EndpointName: input.EndpointName,
        EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${input.EndpointName}`,
        EndpointConfigName: config,
        EndpointStatus: 'InService',
      };
    });
    const serve = (input: { EndpointName: string; EndpointConfigName: string }) => {
      const others = Object.fromEntries(
        [...this.endpoints.keys()]
          .filter((name) => name !== input.EndpointName)
          .map((name) => [name, this.serving(name)]),
      );
      this.endpoints.set(input.EndpointName, input.EndpointConfigName);
      const model = this.configs.get(input.EndpointConfigName) ?? '';
      const version = parseModelPackageArn(this.models.get(model)).version;
      this.changes.push({ endpoint: input.EndpointName, version, others });
      return {};
    };
    sagemaker.on(CreateEndpointCommand).callsFake(serve);
    sagemaker.on(UpdateEndpointCommand).callsFake(serve);

    const s3 = mockClient(this.s3);
    s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
      const body = this.objects.get(`s3://${input.Bucket}/${input.Key}`);
      if (!body) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      // A stream, as the SDK's Body is, with the SDK's transformToString.
      return {
        Body: Object.assign(Readable.from([body]), { transformToString: async () => body.toString('utf8') }) as never,
      };
    });
    // The deployment journal (deployment-journal.ts): written and listed like any object of the bucket.
    s3.on(PutObjectCommand).callsFake((input: { Bucket: string; Key: string; Body: string }) => {
      this.objects.set(`s3://${input.Bucket}/${input.Key}`, Buffer.from(input.Body));
      return {};
    });
    s3.on(ListObjectsV2Command).callsFake((input: { Bucket: string; Prefix?: string }) => ({
      Contents: [...this.objects.keys()]
        .filter((uri) => uri.startsWith(`s3://${input.Bucket}/${input.Prefix ?? ''}`))
        .map((uri) => ({ Key: uri.slice(`s3://${input.Bucket}/`.length) }))
        .sort((a, b) => a.Key.localeCompare(b.Key)),
      IsTruncated: false,
    }));

    mockClient(this.runtime)
      .on(InvokeEndpointCommand)
      .callsFake((input: { Body: Uint8Array }) => {
        const { instances } = JSON.parse(new TextDecoder().decode(input.Body)) as { instances: string[] };
        const predictions = instances.map(() => ({ label, probabilities: { [label]: 1 } }));
        return { Body: new TextEncoder().encode(JSON.stringify({ predictions })), ContentType: 'application/json' };
      });
  }

  arn(version: number): string {
    return modelPackageArn(REGION, ACCOUNT, this.group, version);
  }

  /** Where version `version`'s model data is. */
  modelDataUrl(version: number): string {
    return `${this.artifacts}/job-${version}/output/model.tar.gz`;
  }

  /** Registers the next version, PendingManualApproval, with its model data; returns its number. */
  register(): number {
    const version = this.packages.size + 1;
    const body = Buffer.from(`model ${version}`);
    this.objects.set(this.modelDataUrl(version), body);
    this.packages.set(version, {
      status: 'PendingManualApproval',
      created: new Date(Date.UTC(2026, 0, 1, 0, version)),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    return version;
  }

  /** Replaces a version's model data after registration (what the bucket policy is there to prevent). */
  tamper(version: number): void {
    this.objects.set(this.modelDataUrl(version), Buffer.from(`replaced ${version}`));
  }

  setStatus(version: number, status: ApprovalStatus): void {
    const entry = this.packages.get(version);
    if (!entry) throw new Error(`no version ${version}`);
    entry.status = status;
  }

  /** The lifecycle stage the deploy wrote on a version, if any. */
  lifecycle(version: number): ModelLifeCycle | undefined {
    return this.packages.get(version)?.lifecycle;
  }

  status(version: number): ApprovalStatus | undefined {
    return this.packages.get(version)?.status;
  }

  /** The version an endpoint serves now, if any. */
  serving(endpoint: string): number | undefined {
    const config = this.endpoints.get(endpoint);
    const model = config ? this.configs.get(config) : undefined;
    const packageArn = model ? this.models.get(model) : undefined;
    return packageArn ? parseModelPackageArn(packageArn).version : undefined;
  }
}
