import {
  ValidationError,
  eventTime,
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
        const eventPattern = pattern(input.string('EventPattern', { max: 4096 }));
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
        const results = entries.map((entry) => {
          const e = (entry ?? {}) as Record<string, unknown>;
          const problem =
            typeof e['Source'] !== 'string' || !e['Source']
              ? 'Parameter Source is not valid.'
              : typeof e['DetailType'] !== 'string' || !e['DetailType']
                ? 'Parameter DetailType is not valid.'
                : !isJsonObject(e['Detail'])
                  ? 'Parameter Detail is not valid: it must be a JSON object in a string.'
                  : undefined;
          if (problem) return { ErrorCode: 'MalformedDetail', ErrorMessage: problem };
          const time = typeof e['Time'] === 'number' ? new Date(e['Time'] * 1000) : new Date();
          const event: EventBridgeEvent = {
            ...bus.envelope(
              e['Source'] as string,
              e['DetailType'] as string,
              JSON.parse(e['Detail'] as string) as Record<string, unknown>,
              Array.isArray(e['Resources']) ? (e['Resources'] as string[]) : [],
              time,
            ),
            time: eventTime(time),
          };
          bus.publish(event);
          return { EventId: event.id };
        });
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      },

      TestEventPattern(body) {
        const input = new Input(body, 'TestEventPattern');
        const compiled = pattern(input.string('EventPattern'));
        const text = input.string('Event');
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

function isJsonObject(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    return isObjectValue(JSON.parse(text));
  } catch {
    return false;
  }
}
