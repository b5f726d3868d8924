import {
  ValidationError,
  eventTime,
  jsonNestingDepth,
  matchesEventPattern,
  parseEventPattern,
  type EventBridgeEvent,
} from '@slipway/core';
import type { RuleInfo } from '../events/event-bus.js';
import type { EventTarget, HttpTarget } from '../events/event-targets.js';
import type { OperationModule } from '../server/operation-registry.js';
import { ServiceError } from '../server/service-error.js';
import { Input } from './input.js';
import { paginate } from './pagination.js';
import type { ServiceContext } from './service-context.js';

const RULE_NAME = { min: 1, max: 64, pattern: /^[.\-_A-Za-z0-9]+$/ };
/** EventBridge's limits: a PutEvents request's entries (256 KB), JSON nesting, an event pattern's length. */
const MAX_PUT_EVENTS_BYTES = 256 * 1024;
const MAX_EVENT_DEPTH = 1000;
const MAX_EVENT_PATTERN_CHARS = 4096;
const ENVELOPE_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

/**
 * EventBridge's wire operations on the local bus (default bus only): PutRule, DescribeRule, ListRules,
 * DeleteRule, PutTargets, ListTargetsByRule, RemoveTargets, PutEvents, TestEventPattern. Over the wire a
 * target's Arn is an http(s) URL (the local stand-in for an API destination); command and in-process
 * targets are registered through `server.events`.
 */
export function eventOperations(context: ServiceContext): OperationModule {
  const { bus } = context;

  const pattern = (text: unknown) => {
    try {
      return parseEventPattern(text);
    } catch (error) {
      if (error instanceof ValidationError)
        throw new ServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${error.message}`);
      throw error;
    }
  };
  const rule = (name: string): RuleInfo => {
    const found = bus.getRule(name);
    if (!found) throw new ServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus default.`);
    return found;
  };
  const checkBus = (input: Input) => {
    const name = input.optionalString('EventBusName');
    if (name !== undefined && name !== 'default' && !name.endsWith(':event-bus/default')) {
      throw new ServiceError(
        'ResourceNotFoundException',
        `Event bus ${name} does not exist; the local server has only the default bus.`,
      );
    }
  };
  const describe = (info: RuleInfo) => ({
    Name: info.name,
    Arn: info.arn,
    EventPattern: JSON.stringify(info.eventPattern),
    State: info.state,
    Description: info.description,
    EventBusName: 'default',
  });

  return {
    service: 'AWSEvents',
    operations: {
      PutRule(body) {
        const input = new Input(body, 'PutRule');
        checkBus(input);
        const name = input.string('Name', RULE_NAME);
        if (input.has('ScheduleExpression')) {
          throw new ServiceError(
            'ValidationException',
            'Scheduled rules are not supported by the local event bus; give an EventPattern.',
          );
        }
        const eventPattern = pattern(input.string('EventPattern', { max: MAX_EVENT_PATTERN_CHARS }));
        const state = input.optionalString('State', { oneOf: ['ENABLED', 'DISABLED'] }) as
          'ENABLED' | 'DISABLED' | undefined;
        const description = input.optionalString('Description', { max: 512 });
        const info = bus.putRule({
          name,
          eventPattern,
          ...(state ? { state } : {}),
          ...(description !== undefined ? { description } : {}),
        });
        return { RuleArn: info.arn };
      },

      DescribeRule(body) {
        const input = new Input(body, 'DescribeRule');
        checkBus(input);
        return describe(rule(input.string('Name', RULE_NAME)));
      },

      ListRules(body) {
        const input = new Input(body, 'ListRules');
        checkBus(input);
        const prefix = input.optionalString('NamePrefix', { max: 64 }) ?? '';
        const limit = input.optionalInteger('Limit', { min: 1, max: 100 }) ?? 100;
        const { items, nextToken } = paginate(
          bus.listRules(prefix),
          { maxResults: limit, nextToken: input.optionalString('NextToken') },
          'ListRules',
        );
        return { Rules: items.map(describe), NextToken: nextToken };
      },

      DeleteRule(body) {
        const input = new Input(body, 'DeleteRule');
        checkBus(input);
        const name = input.string('Name', RULE_NAME);
        if (!bus.getRule(name)) return {};
        bus.deleteRule(name);
        return {};
      },

      PutTargets(body) {
        const input = new Input(body, 'PutTargets');
        checkBus(input);
        const name = input.string('Rule', RULE_NAME);
        rule(name);
        const targets = (input.optionalList('Targets', 5) ?? []).map((entry, index) => wireTarget(input, entry, index));
        bus.putTargets(name, targets);
        return { FailedEntryCount: 0, FailedEntries: [] };
      },

      ListTargetsByRule(body) {
        const input = new Input(body, 'ListTargetsByRule');
        checkBus(input);
        return { Targets: rule(input.string('Rule', RULE_NAME)).targets.map(describeTarget) };
      },

      RemoveTargets(body) {
        const input = new Input(body, 'RemoveTargets');
        checkBus(input);
        const name = input.string('Rule', RULE_NAME);
        rule(name);
        const ids = (input.optionalList('Ids', 100) ?? []).map(String);
        bus.removeTargets(name, ids);
        return { FailedEntryCount: 0, FailedEntries: [] };
      },

      PutEvents(body) {
        const input = new Input(body, 'PutEvents');
        const entries = input.optionalList('Entries', 10) ?? [];
        if (entries.length === 0) input.fail('Entries', 'must hold 1 to 10 entries');
        // Every entry is checked before anything is stored; the good ones are then stored in one transaction.
        const total = entries.reduce<number>((sum, entry) => sum + entrySize(entry), 0);
        if (total > MAX_PUT_EVENTS_BYTES) {
          throw new ServiceError(
            'ValidationException',
            `Total size of the entries in the request is over the limit: ${total} bytes as EventBridge counts them ` +
              `(Time 14, Source, DetailType, Detail and each Resources entry in UTF-8), more than ${MAX_PUT_EVENTS_BYTES}. ` +
              'Put a large payload in S3 and send its URI.',
          );
        }
        const checked = entries.map((entry) =>
          checkEntry(entry, (source, detailType, detail, resources, time) => ({
            ...bus.envelope(source, detailType, detail, resources, time),
            time: eventTime(time),
          })),
        );
        bus.publish(...checked.flatMap((result) => ('event' in result ? [result.event] : [])));
        const results = checked.map((result) =>
          'event' in result ? { EventId: result.event.id } : { ErrorCode: result.code, ErrorMessage: result.message },
        );
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      },

      TestEventPattern(body) {
        const input = new Input(body, 'TestEventPattern');
        const compiled = pattern(input.string('EventPattern', { max: MAX_EVENT_PATTERN_CHARS }));
        const text = input.string('Event');
        if (jsonNestingDepth(text) > MAX_EVENT_DEPTH) {
          throw new ServiceError(
            'ValidationException',
            `Parameter Event is not valid: it nests JSON more than ${MAX_EVENT_DEPTH} levels deep.`,
          );
        }
        let event: unknown;
        try {
          event = JSON.parse(text);
        } catch {
          throw new ServiceError('ValidationException', 'Parameter Event is not valid: it is not JSON.');
        }
        const missing = isObjectValue(event) ? ENVELOPE_FIELDS.filter((field) => !(field in event)) : ENVELOPE_FIELDS;
        if (missing.length > 0) {
          throw new ServiceError(
            'ValidationException',
            `Parameter Event is not valid: it lacks ${missing.join(', ')}.`,
          );
        }
        return { Result: matchesEventPattern(compiled, event) };
      },
    },
  };
}

/** A checked PutEvents entry: the event to store, or the entry's own error (the others still go through). */
type CheckedEntry = { readonly event: EventBridgeEvent } | { readonly code: string; readonly message: string };

/**
 * One PutEvents entry, checked as EventBridge checks it: Source and DetailType present, Source not in the
 * `aws.` namespace (only AWS services may use it), Detail a JSON object nested at most 1000 levels deep.
 */
function checkEntry(
  entry: unknown,
  envelope: (
    source: string,
    detailType: string,
    detail: Record<string, unknown>,
    resources: string[],
    time: Date,
  ) => EventBridgeEvent,
): CheckedEntry {
  const e = (isObjectValue(entry) ? entry : {}) as Record<string, unknown>;
  const source = e['Source'];
  const detailType = e['DetailType'];
  const detail = e['Detail'];
  if (typeof source !== 'string' || !source) return malformed('Parameter Source is not valid.');
  if (typeof detailType !== 'string' || !detailType) return malformed('Parameter DetailType is not valid.');
  if (source.startsWith('aws.')) {
    return {
      code: 'NotAuthorizedForSourceException',
      message: `Not authorized for the source: ${source.slice(0, 100)} (the aws. namespace is for AWS services' own events).`,
    };
  }
  if (typeof detail !== 'string')
    return malformed('Parameter Detail is not valid: it must be a JSON object in a string.');
  if (jsonNestingDepth(detail) > MAX_EVENT_DEPTH)
    return malformed(`Parameter Detail is not valid: it nests JSON more than ${MAX_EVENT_DEPTH} levels deep.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    parsed = undefined;
  }
  if (!isObjectValue(parsed)) return malformed('Parameter Detail is not valid: it must be a JSON object in a string.');
  const resources = e['Resources'];
  if (resources !== undefined && (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string')))
    return malformed('Parameter Resources is not valid: it must be a list of strings.');
  const seconds = e['Time'];
  const time = typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000) : new Date();
  if (Number.isNaN(time.getTime())) return malformed('Parameter Time is not valid.');
  return { event: envelope(source, detailType, parsed, (resources as string[] | undefined) ?? [], time) };
}

function malformed(message: string): CheckedEntry {
  return { code: 'MalformedDetail', message };
}

/** An entry's size as EventBridge counts it (its "Calculating PutEvents event entry size" rules). */
function entrySize(entry: unknown): number {
  const e = (isObjectValue(entry) ? entry : {}) as Record<string, unknown>;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(e['Resources']) ? (e['Resources'] as unknown[]) : [];
  return (
    (e['Time'] !== undefined ? 14 : 0) +
    bytes(e['Source']) +
    bytes(e['DetailType']) +
    bytes(e['Detail']) +
    resources.reduce<number>((sum, resource) => sum + bytes(resource), 0)
  );
}

function wireTarget(input: Input, entry: unknown, index: number): EventTarget {
  const e = (entry ?? {}) as Record<string, unknown>;
  const field = `Targets[${index}]`;
  if (typeof e['Id'] !== 'string') input.fail(`${field}.Id`, 'is required');
  const arn = e['Arn'];
  if (typeof arn !== 'string' || !/^https?:\/\//.test(arn)) {
    input.fail(
      `${field}.Arn`,
      `must be an http(s) URL on the local bus, got ${JSON.stringify(arn)}`,
      'register command or in-process targets through the server API (server.events.putTargets)',
    );
  }
  const transformer = e['InputTransformer'] as
    { InputPathsMap?: Record<string, string>; InputTemplate?: string } | undefined;
  const inputTransformer =
    transformer?.InputTemplate !== undefined
      ? {
          InputTemplate: transformer.InputTemplate,
          ...(transformer.InputPathsMap ? { InputPathsMap: transformer.InputPathsMap } : {}),
        }
      : typeof e['Input'] === 'string'
        ? { InputTemplate: e['Input'] }
        : typeof e['InputPath'] === 'string'
          ? { InputTemplate: '<value>', InputPathsMap: { value: e['InputPath'] } }
          : undefined;
  const target: HttpTarget = {
    id: e['Id'] as string,
    type: 'http',
    url: arn as string,
    ...(inputTransformer ? { inputTransformer } : {}),
  };
  return target;
}

function describeTarget(target: EventTarget) {
  const arn =
    target.type === 'http'
      ? target.url
      : target.type === 'command'
        ? `command:${target.command.join(' ')}`
        : `handler:${target.id}`;
  return {
    Id: target.id,
    Arn: arn,
    ...(target.inputTransformer
      ? {
          InputTransformer: {
            InputTemplate: target.inputTransformer.InputTemplate,
            InputPathsMap: target.inputTransformer.InputPathsMap,
          },
        }
      : {}),
  };
}

function isObjectValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
