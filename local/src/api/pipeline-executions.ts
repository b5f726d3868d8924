import type {
  DescribePipelineExecutionResponse,
  ListPipelineExecutionStepsResponse,
  ListPipelineExecutionsResponse,
  PipelineExecutionStep,
} from '@aws-sdk/client-sagemaker';
import { resourceArn } from '../engine/naming.js';
import type { OperationModule } from '../server/operation-registry.js';
import { resourceNotFound, validationException } from '../server/service-error.js';
import type { ExecutionRecord, StepRecord } from '../store/execution-repository.js';
import { Input } from './input.js';
import { keyFromToken, keysetToken, paginate } from './pagination.js';
import { IDEMPOTENCY_TOKEN, parallelismOf } from './pipelines.js';
import { listOptions } from './list-query.js';
import type { ServiceContext } from './service-context.js';

const EXECUTION_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:pipeline\/.*\/execution\/.*$/;
const EXECUTION_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/;

/** Start/Describe/List/Stop executions and what they ran: steps, parameters, definition. */
export function pipelineExecutionOperations(context: ServiceContext): OperationModule {
  const { store, engine } = context;

  function execution(input: Input): ExecutionRecord {
    const arn = input.string('PipelineExecutionArn', { max: 2048, pattern: EXECUTION_ARN });
    const record = store.executions.get(arn);
    if (!record) throw resourceNotFound(`Pipeline execution ${arn} does not exist.`);
    return record;
  }

  function pipeline(reference: string) {
    const found = store.pipelines.get(reference) ?? store.pipelines.getByArn(reference);
    if (!found) {
      const arn = reference.startsWith('arn:') ? reference : resourceArn(context.scope, 'pipeline', reference);
      throw resourceNotFound(`Pipeline ${arn} does not exist.`);
    }
    return found;
  }

  return {
    service: 'SageMaker',
    operations: {
      StartPipelineExecution(body, { actor }) {
        const input = new Input(body, 'StartPipelineExecution');
        const found = pipeline(input.string('PipelineName', { min: 1, max: 2048 }));
        const clientToken = input.string('ClientRequestToken', IDEMPOTENCY_TOKEN);
        const displayName = input.optionalString('PipelineExecutionDisplayName', { pattern: EXECUTION_NAME });
        const description = input.optionalString('PipelineExecutionDescription', { max: 3072 });
        const parameters = input.optionalList('PipelineParameters', 200) ?? [];
        parameters.forEach((parameter, index) => {
          if (typeof parameter !== 'object' || parameter === null || Array.isArray(parameter)) {
            input.fail(`PipelineParameters[${index}]`, 'must be {"Name": string, "Value": string}');
          }
        });
        if (input.has('SelectiveExecutionConfig')) {
          throw validationException(
            'SelectiveExecutionConfig is not supported by the local server; start a full execution.',
          );
        }
        const version = input.optionalInteger('PipelineVersionId', { min: 1 });
        const maxParallel = parallelismOf(input);
        const record = engine.start({
          pipeline: found,
          ...(version !== undefined ? { version } : {}),
          parameters: parameters as { Name?: unknown; Value?: unknown }[],
          clientToken,
          ...(displayName !== undefined ? { displayName } : {}),
          ...(description !== undefined ? { description } : {}),
          ...(maxParallel !== undefined ? { maxParallel } : {}),
          actor,
        });
        return { PipelineExecutionArn: record.arn };
      },

      DescribePipelineExecution(body): DescribePipelineExecutionResponse {
        const record = execution(new Input(body, 'DescribePipelineExecution'));
        return {
          PipelineArn: record.pipelineArn,
          PipelineExecutionArn: record.arn,
          PipelineExecutionDisplayName: record.displayName,
          PipelineExecutionStatus: record.status,
          PipelineExecutionDescription: record.description,
          PipelineExperimentConfig: record.experiment,
          FailureReason: record.failureReason,
          CreationTime: record.createdAt,
          LastModifiedTime: record.modifiedAt,
          CreatedBy: { UserProfileName: record.createdBy },
          LastModifiedBy: { UserProfileName: record.createdBy },
          ...(record.parallelism !== undefined
            ? { ParallelismConfiguration: { MaxParallelExecutionSteps: record.parallelism } }
            : {}),
          PipelineVersionId: record.version,
        };
      },

      ListPipelineExecutions(body): ListPipelineExecutionsResponse {
        const input = new Input(body, 'ListPipelineExecutions');
        const found = pipeline(input.string('PipelineName', { min: 1, max: 2048 }));
        const options = listOptions(input, {
          window: ['CreatedAfter', 'CreatedBefore'],
          sortNames: ['CreationTime', 'PipelineExecutionArn'],
          defaultOrder: 'Descending',
        });
        const query = {
          pipelineName: found.name,
          ...(options.createdAfter ? { createdAfter: options.createdAfter } : {}),
          ...(options.createdBefore ? { createdBefore: options.createdBefore } : {}),
          sortBy: options.sortBy,
          descending: options.descending,
        };
        const after = keyFromToken(options.nextToken, input.operation, query);
        const page = store.executions.summaries({ ...query, ...(after ? { after } : {}), limit: options.maxResults });
        return {
          PipelineExecutionSummaries: page.rows.map((e) => ({
            PipelineExecutionArn: e.arn,
            StartTime: e.createdAt,
            PipelineExecutionStatus: e.status,
            PipelineExecutionDescription: e.description,
            PipelineExecutionDisplayName: e.displayName,
            PipelineExecutionFailureReason: e.failureReason,
          })),
          NextToken: page.next ? keysetToken(input.operation, query, page.next) : undefined,
        };
      },

      StopPipelineExecution(body) {
        const input = new Input(body, 'StopPipelineExecution');
        const record = execution(input);
        const token = input.string('ClientRequestToken', IDEMPOTENCY_TOKEN);
        return { PipelineExecutionArn: engine.stop(record.arn, token).arn };
      },

      ListPipelineExecutionSteps(body): ListPipelineExecutionStepsResponse {
        const input = new Input(body, 'ListPipelineExecutionSteps');
        const record = execution(input);
        const query = { executionArn: record.arn, descending: input.sortOrder('Descending') === 'Descending' };
        const { maxResults, nextToken } = input.page(50);
        const after = keyFromToken(nextToken, input.operation, query);
        const page = store.executions.stepPage({ ...query, ...(after ? { after } : {}), limit: maxResults });
        return {
          PipelineExecutionSteps: page.rows.map(stepSummary),
          NextToken: page.next ? keysetToken(input.operation, query, page.next) : undefined,
        };
      },

      DescribePipelineDefinitionForExecution(body) {
        const record = execution(new Input(body, 'DescribePipelineDefinitionForExecution'));
        return { PipelineDefinition: record.definition, CreationTime: record.createdAt };
      },

      ListPipelineParametersForExecution(body) {
        const input = new Input(body, 'ListPipelineParametersForExecution');
        const record = execution(input);
        const { items, nextToken } = paginate(record.parameters, input.page(50), 'ListPipelineParametersForExecution');
        return { PipelineParameters: items, NextToken: nextToken };
      },
    },
  };
}

function stepSummary(step: StepRecord): PipelineExecutionStep {
  return {
    StepName: step.name,
    StepDisplayName: step.displayName,
    StepDescription: step.description,
    StartTime: step.startedAt,
    EndTime: step.endedAt,
    StepStatus: step.status,
    ...(step.cacheSource ? { CacheHitResult: { SourcePipelineExecutionArn: step.cacheSource } } : {}),
    FailureReason: step.failureReason,
    Metadata: step.metadata ?? {},
    AttemptCount: step.attemptCount,
  };
}
