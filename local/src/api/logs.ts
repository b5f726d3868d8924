import { stat } from 'node:fs/promises';
import { JOB_KINDS } from '../jobs/job-kinds.js';
import { readLogEvents, type LogEvent } from '../jobs/job-log-events.js';
import type { JsonObject, OperationModule } from '../server/operation-registry.js';
import { ServiceError } from '../server/service-error.js';
import type { JobRecord, StoredJobKind } from '../store/job-repository.js';
import type { ServiceContext } from './service-context.js';

/** CloudWatch Logs' JSON target prefix (`Logs_20140328.GetLogEvents`). */
const SERVICE = 'Logs_20140328';

const invalid = (message: string) => new ServiceError('InvalidParameterException', message);
const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);

/**
 * A job's one log stream, named as SageMaker names a single-instance job's stream: `<job name>/algo-1-<epoch s>`.
 * (A real transform job's stream is `<job name>/<instance id>`; the SDK finds either by the `<job name>/` prefix.)
 */
export function jobLogStreamName(job: JobRecord): string {
  return `${job.name}/algo-1-${Math.floor(job.createdAt.getTime() / 1000)}`;
}

/**
 * The CloudWatch Logs calls the SageMaker SDK makes to follow a job (`estimator.fit(logs=True)`,
 * `processor.run(logs=True)`, `transformer.wait(logs=True)`): DescribeLogGroups, DescribeLogStreams and
 * GetLogEvents over the jobs' logs, in SageMaker's groups (`/aws/sagemaker/TrainingJobs`, ...). Read-only: the
 * streams are the jobs' own log files, one event per line, with the time each line was written.
 */
export function logOperations(context: ServiceContext): OperationModule {
  const groups = new Map<string, StoredJobKind>(
    (Object.entries(JOB_KINDS) as [StoredJobKind, (typeof JOB_KINDS)[StoredJobKind]][]).map(([kind, facts]) => [
      facts.logGroup,
      kind,
    ]),
  );

  const group = (body: JsonObject): StoredJobKind => {
    const name = text(body, 'logGroupName') ?? text(body, 'logGroupIdentifier')?.replace(/^arn:.*:log-group:/, '');
    if (name === undefined)
      throw invalid('logGroupName is required: pass the log group, e.g. /aws/sagemaker/TrainingJobs');
    const kind = groups.get(name);
    if (!kind)
      throw notFound(
        `The specified log group does not exist: ${name}. The local server keeps ${[...groups.keys()].join(', ')}.`,
      );
    return kind;
  };

  /** The jobs of a kind that have written a log, by stream name. */
  const streams = async (kind: StoredJobKind): Promise<Map<string, JobRecord>> => {
    const found = new Map<string, JobRecord>();
    for (const job of context.store.jobs.list(kind)) {
      if (
        job.logFile &&
        (await stat(job.logFile).then(
          () => true,
          () => false,
        ))
      )
        found.set(jobLogStreamName(job), job);
    }
    return found;
  };

  return {
    service: SERVICE,
    operations: {
      DescribeLogGroups: (body) => {
        const prefix = text(body, 'logGroupNamePrefix') ?? '';
        return {
          logGroups: [...groups.keys()]
            .filter((name) => name.startsWith(prefix))
            .sort()
            .map((name) => ({ logGroupName: name, arn: `${groupArn(context, name)}:*`, storedBytes: 0 })),
        };
      },
      DescribeLogStreams: async (body) => {
        const kind = group(body);
        const prefix = text(body, 'logStreamNamePrefix') ?? '';
        const orderBy = text(body, 'orderBy') ?? 'LogStreamName';
        if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
          throw invalid(`orderBy must be LogStreamName or LastEventTime, got ${orderBy}`);
        }
        if (orderBy === 'LastEventTime' && prefix) {
          throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
        }
        const limit = integer(body, 'limit', 1, 50) ?? 50;
        const offset = token(body['nextToken'], 's');
        const all = [...(await streams(kind)).entries()].filter(([name]) => name.startsWith(prefix));
        const described = await Promise.all(
          all.map(async ([name, job]) => {
            const events = await readLogEvents(job.logFile!, job.createdAt.getTime());
            return {
              logStreamName: name,
              creationTime: job.createdAt.getTime(),
              ...(events.length > 0
                ? {
                    firstEventTimestamp: events[0]!.timestamp,
                    lastEventTimestamp: events[events.length - 1]!.timestamp,
                    lastIngestionTime: events[events.length - 1]!.ingestionTime,
                  }
                : {}),
              arn: `${groupArn(context, JOB_KINDS[kind].logGroup)}:log-stream:${name}`,
              storedBytes: 0,
            };
          }),
        );
        const key = (stream: (typeof described)[number]) =>
          orderBy === 'LogStreamName' ? stream.logStreamName : String(stream.lastEventTimestamp ?? 0).padStart(16, '0');
        described.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
        if (body['descending'] === true) described.reverse();
        const page = described.slice(offset, offset + limit);
        return {
          logStreams: page,
          ...(offset + limit < described.length ? { nextToken: `s/${offset + limit}` } : {}),
        };
      },
      GetLogEvents: async (body) => {
        const kind = group(body);
        const name = text(body, 'logStreamName');
        if (name === undefined) throw invalid('logStreamName is required');
        const job = (await streams(kind)).get(name);
        if (!job) throw notFound(`The specified log stream does not exist: ${name}.`);
        const start = integer(body, 'startTime', 0);
        const end = integer(body, 'endTime', 0);
        const limit = integer(body, 'limit', 1, 10_000) ?? 10_000;
        const events = (await readLogEvents(job.logFile!, job.createdAt.getTime())).filter(
          (event) => (start === undefined || event.timestamp >= start) && (end === undefined || event.timestamp < end),
        );
        return page(events, body['nextToken'], body['startFromHead'] === true, limit);
      },
    },
  };
}

/**
 * One page of events. Forward tokens (`f/<index>`) read on from an index, backward ones (`b/<index>`) read the
 * events before it. At the end, the forward token is the one given, as CloudWatch does: a reader that follows it
 * sees no events and stops, and sees new ones once the job writes more.
 */
function page(events: readonly LogEvent[], nextToken: unknown, fromHead: boolean, limit: number) {
  let from: number;
  let to: number;
  if (typeof nextToken === 'string' && nextToken.startsWith('b/')) {
    to = Math.min(token(nextToken, 'b'), events.length);
    from = Math.max(0, to - limit);
  } else if (nextToken !== undefined) {
    from = Math.min(token(nextToken, 'f'), events.length);
    to = Math.min(events.length, from + limit);
  } else if (fromHead) {
    from = 0;
    to = Math.min(events.length, limit);
  } else {
    to = events.length;
    from = Math.max(0, to - limit);
  }
  return { events: events.slice(from, to), nextForwardToken: `f/${to}`, nextBackwardToken: `b/${from}` };
}

function token(value: unknown, direction: 'f' | 'b' | 's'): number {
  if (value === undefined || value === null) return 0;
  const match = typeof value === 'string' ? /^([fbs])\/(\d{1,9})$/.exec(value) : null;
  if (!match || (direction === 's') !== (match[1] === 's')) {
    throw invalid(`The specified nextToken is invalid: ${String(value)}; pass a token from a previous response.`);
  }
  return Number(match[2]);
}

function text(body: JsonObject, member: string): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${member} must be a string`);
  return value;
}

function integer(body: JsonObject, member: string, min: number, max?: number): number | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw invalid(
      `${member} must be a whole number from ${min}${max !== undefined ? ` to ${max}` : ''}, got ${String(value)}`,
    );
  }
  return value;
}

function groupArn(context: ServiceContext, name: string): string {
  return `arn:aws:logs:${context.scope.region}:${context.scope.accountId}:log-group:${name}`;
}
