import * as events from 'aws-cdk-lib/aws-events';
import type { InputTransformer } from '../../events/input-transformer.js';
import type { EventPattern } from '../../events/event-pattern.js';

/** Hands Slipway's InputTransformer object to a CDK rule target unchanged (no re-encoding of the template). */
export class TransformerInput extends events.RuleTargetInput {
  constructor(private readonly transformer: InputTransformer) {
    super();
  }

  override bind(): events.RuleTargetInputProperties {
    return { inputPathsMap: { ...this.transformer.inputPathsMap }, inputTemplate: this.transformer.inputTemplate };
  }
}

/** CDK spells the event's top-level fields in camelCase (`detail-type` → `detailType`). */
export function toCdkEventPattern(pattern: EventPattern): events.EventPattern {
  const converted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    converted[key === 'detail-type' ? 'detailType' : key] = value;
  }
  return converted as events.EventPattern;
}
