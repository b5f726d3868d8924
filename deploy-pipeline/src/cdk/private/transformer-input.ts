import * as events from 'aws-cdk-lib/aws-events';
import type { EventPattern, InputTransformer } from '@slipway/core';

/**
 * Hands Slipway's InputTransformer (the API's `InputPathsMap`/`InputTemplate`) to a CDK rule target in CDK's
 * casing, which CDK writes into the L1 rule as CloudFormation's; the template is not re-encoded.
 */
export class TransformerInput extends events.RuleTargetInput {
  constructor(private readonly transformer: InputTransformer) {
    super();
  }

  override bind(): events.RuleTargetInputProperties {
    return {
      inputPathsMap: { ...this.transformer.InputPathsMap },
      inputTemplate: this.transformer.InputTemplate,
    };
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
