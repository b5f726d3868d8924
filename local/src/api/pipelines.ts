import type {
  DescribePipelineResponse,
  ListPipelineVersionsResponse,
  ListPipelinesResponse,
  PipelineSummary,
} from '@aws-sdk/client-sagemaker';
import { resourceArn } from '../engine/naming.js';
import type { OperationModule } from '../server/operation-registry.js';
import { resourceInUse, resourceNotFound, validationException } from '../server/service-error.js';
import { parseS3Uri } from '../storage/object-key.js';
import type { PipelineRecord } from '../store/pipeline-repository.js';
import { Input } from './input.js';
import { listPage } from './list-query.js';
import type { ServiceContext } from './service-context.js';

export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
export const IDEMPOTENCY_TOKEN = { min: 32, max: 128 } as const;
const DESCRIPTION = { max: 3072 } as const;

/**
 * Create/Update/Describe/Delete/ListPipelines and ListPipelineVersions. Every definition is checked before
 * anything is stored.
 */
export function pipelineOperations(context: ServiceContext): OperationModule {
  const { store, engine } = context;

  async function definitionFrom(input: Input): Promise<string | undefined> {
    const inline = input.optionalString('PipelineDefinition', { min: 1, max: 1_048_576 });
    const location = input.optionalObject('PipelineDefinitionS3Location');
    if (inline !== undefined && location) {
      input.fail('PipelineDefinition', 'and PipelineDefinitionS3Location are both given', 'pass only one of them');
    }
    let text = inline;
    if (location) {
      const { bucket, key } = parseS3Uri(
        `s3://${String(location['Bucket'])}/${String(location['ObjectKey'])}`,
        'PipelineDefinitionS3Location',
      );
      const bytes = await context.objects.get(bucket, key);
      if (!bytes)
        input.fail(
          'PipelineDefinitionS3Location',
          `points to s3://${bucket}/${key}, which does not exist in the local object store`,
        );
      text = bytes.toString('utf8');
    }
    if (text !== undefined) engine.checkDefinition(text);
    return text;
  }

  function find(reference: string): PipelineRecord {
    const pipeline = store.pipelines.get(reference) ?? store.pipelines.getByArn(reference);
    if (!pipeline) throw resourceNotFound(`Pipeline ${arnFor(reference)} does not exist.`);
    return pipeline;
  }

  function arnFor(reference: string): string {
    return reference.startsWith('arn:') ? reference : resourceArn(context.scope, 'pipeline', reference);
  }

  return {
    service: 'SageMaker',
    operations: {
      async CreatePipeline(body, { actor }) {
        const input = new Input(body, 'CreatePipeline');
        const name = input.string('PipelineName', { name: 'pipelineName' });
        input.string('ClientRequestToken', IDEMPOTENCY_TOKEN);
        const roleArn = input.string('RoleArn', { pattern: ROLE_ARN });
        const displayName = input.optionalString('PipelineDisplayName', { name: 'pipelineName' });
        const description = input.optionalString('PipelineDescription', DESCRIPTION);
        const tags = input.optionalTags();
        const parallelism = parallelismOf(input);
        const definition = await definitionFrom(input);
        if (definition === undefined) {
          throw validationException(
            'CreatePipeline: PipelineDefinition is required; pass PipelineDefinition or PipelineDefinitionS3Location',
          );
        }
        const arn = resourceArn(context.scope, 'pipeline', name);
        if (store.pipelines.get(name) || store.pipelines.getByArn(arn)) {
          throw validationException(
            `Pipeline names must be unique within an AWS account and region. Pipeline with name (${name}) already exists.`,
          );
        }
        const now = new Date();
        store.pipelines.insert(
          {
            name,
            arn,
            ...(displayName !== undefined ? { displayName } : {}),
            ...(description !== undefined ? { description } : {}),
            roleArn,
            ...(parallelism !== undefined ? { parallelism } : {}),
            tags: tags ?? [],
            latestVersion: 1,
            createdAt: now,
            createdBy: actor,
            modifiedAt: now,
            modifiedBy: actor,
          },
          definition,
        );
        return { PipelineArn: arn };
      },

      async UpdatePipeline(body, { actor }) {
        const input = new Input(body, 'UpdatePipeline');
        const name = input.string('PipelineName', { name: 'pipelineName' });
        const displayName = input.optionalString('PipelineDisplayName', { name: 'pipelineName' });
        const description = input.optionalString('PipelineDescription', DESCRIPTION);
        const roleArn = input.optionalString('RoleArn', { pattern: ROLE_ARN });
        const parallelism = parallelismOf(input);
        const pipeline = find(name);
        const definition = await definitionFrom(input);
        const version = store.pipelines.update(pipeline.name, {
          ...(displayName !== undefined ? { displayName } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(roleArn !== undefined ? { roleArn } : {}),
          ...(parallelism !== undefined ? { parallelism } : {}),
          ...(definition !== undefined ? { definition } : {}),
          at: new Date(),
          by: actor,
        });
        return { PipelineArn: pipeline.arn, PipelineVersionId: version };
      },

      DescribePipeline(body): DescribePipelineResponse {
        const input = new Input(body, 'DescribePipeline');
        const pipeline = find(input.string('PipelineName', { min: 1, max: 2048 }));
        const version = input.optionalInteger('PipelineVersionId', { min: 1 }) ?? pipeline.latestVersion;
        const stored = store.pipelines.definition(pipeline.name, version);
        if (!stored) throw resourceNotFound(`Pipeline ${pipeline.arn} has no version ${version}.`);
        return {
          PipelineArn: pipeline.arn,
          PipelineName: pipeline.name,
          PipelineDisplayName: pipeline.displayName ?? pipeline.name,
          PipelineDefinition: stored.definition,
          PipelineDescription: pipeline.description,
          RoleArn: pipeline.roleArn,
          PipelineStatus: 'Active',
          CreationTime: pipeline.createdAt,
          LastModifiedTime: pipeline.modifiedAt,
          LastRunTime: pipeline.lastRunAt,
          CreatedBy: { UserProfileName: pipeline.createdBy },
          LastModifiedBy: { UserProfileName: pipeline.modifiedBy },
          ...(pipeline.parallelism !== undefined
            ? { ParallelismConfiguration: { MaxParallelExecutionSteps: pipeline.parallelism } }
            : {}),
        };
      },

      DeletePipeline(body) {
        const input = new Input(body, 'DeletePipeline');
        const pipeline = find(input.string('PipelineName', { name: 'pipelineName' }));
        if (store.executions.countRunning(pipeline.name) > 0) {
          throw resourceInUse(
            `Pipeline ${pipeline.arn} has executions running; stop them (StopPipelineExecution) before deleting it.`,
          );
        }
        store.transaction(() => {
          store.executions.deleteForPipeline(pipeline.name);
          store.cache.deleteForPipeline(pipeline.name);
          store.pipelines.delete(pipeline.name);
        });
        engine.forget(pipeline.name);
        return { PipelineArn: pipeline.arn };
      },

      ListPipelineVersions(body): ListPipelineVersionsResponse {
        const input = new Input(body, 'ListPipelineVersions');
        const pipeline = find(input.string('PipelineName', { min: 1, max: 2048 }));
        const lastExecutions = store.executions.lastExecutionByVersion(pipeline.name);
        const { items, nextToken } = listPage(input, store.pipelines.versions(pipeline.name), {
          window: ['CreatedAfter', 'CreatedBefore'],
          created: (v) => v.createdAt,
          sortKeys: { CreationTime: (v) => v.version },
          defaultOrder: 'Descending',
        });
        return {
          PipelineVersionSummaries: items.map((v) => ({
            PipelineArn: pipeline.arn,
            PipelineVersionId: v.version,
            CreationTime: v.createdAt,
            LastExecutionPipelineExecutionArn: lastExecutions.get(v.version),
          })),
          NextToken: nextToken,
        };
      },

      ListPipelines(body): ListPipelinesResponse {
        const input = new Input(body, 'ListPipelines');
        const prefix = input.optionalString('PipelineNamePrefix', { max: 256 }) ?? '';
        const { items, nextToken } = listPage(
          input,
          store.pipelines.list().filter((p) => p.name.startsWith(prefix)),
          {
            window: ['CreatedAfter', 'CreatedBefore'],
            created: (p) => p.createdAt,
            sortKeys: { CreationTime: (p) => p.createdAt.getTime(), Name: (p) => p.name },
            defaultOrder: 'Descending',
          },
        );
        return {
          PipelineSummaries: items.map((p): PipelineSummary => ({
            PipelineArn: p.arn,
            PipelineName: p.name,
            PipelineDisplayName: p.displayName ?? p.name,
            PipelineDescription: p.description,
            RoleArn: p.roleArn,
            CreationTime: p.createdAt,
            LastModifiedTime: p.modifiedAt,
            LastExecutionTime: p.lastRunAt,
          })),
          NextToken: nextToken,
        };
      },
    },
  };
}

export function parallelismOf(input: Input): number | undefined {
  const config = input.optionalObject('ParallelismConfiguration');
  if (!config) return undefined;
  const value = config['MaxParallelExecutionSteps'];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    input.fail(
      'ParallelismConfiguration.MaxParallelExecutionSteps',
      `must be an integer of at least 1, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
