import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** A cdk-nag finding this project accepts on purpose, with the reason. */
export interface Acknowledgement {
  /** Rule id, optionally with the finding: `AwsSolutions-IAM5[Resource::arn:…/*]`. */
  readonly id: string;
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...acknowledgements: readonly Acknowledgement[]): void {
  for (const { id, reason } of acknowledgements) Validations.of(scope).acknowledge({ id, reason });
}

/**
 * Renders a (possibly tokenised) value the way cdk-nag names it in a finding: `Ref X` → `<X>`,
 * `Fn::GetAtt [L, A]` → `<L.A>`, joins flattened.
 */
export function nagFindingText(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (Array.isArray(record['Fn::Join'])) {
        const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if (record['Fn::Sub'] !== undefined) return visit(record['Fn::Sub']);
      if (Array.isArray(record['Fn::GetAtt'])) {
        const [resource, attribute] = record['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(resource)}.${visit(attribute)}>`;
      }
      if (record['Fn::ImportValue'] !== undefined) return visit(record['Fn::ImportValue']);
      if (record.Ref !== undefined) return `<${visit(record.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** Options of one permission: conditions, and why a wildcard in its resources is needed. */
export interface AllowOptions {
  readonly conditions?: Record<string, unknown>;
  /** Required when a resource contains `*`: acknowledged as the AwsSolutions-IAM5 reason. */
  readonly wildcardReason?: string;
}

/**
 * Adds one statement to a role's own policy, or to a managed policy several roles share. A wildcard resource
 * must come with its reason, which is acknowledged for exactly that resource, so every IAM5 exception sits
 * next to the permission it excuses.
 */
export function allow(
  target: iam.Role | iam.ManagedPolicy,
  actions: readonly string[],
  resources: readonly string[],
  options: AllowOptions = {},
): void {
  const statement = new iam.PolicyStatement({
    actions: [...actions],
    resources: [...resources],
    ...(options.conditions ? { conditions: options.conditions } : {}),
  });
  if (target instanceof iam.ManagedPolicy) target.addStatements(statement);
  else target.addToPolicy(statement);
  for (const resource of resources) {
    const text = nagFindingText(target, resource);
    if (!text.includes('*')) continue;
    if (!options.wildcardReason)
      throw new Error(`${target.node.path}: ${actions.join(', ')} on ${text} needs a wildcardReason`);
    acknowledge(target, { id: `AwsSolutions-IAM5[Resource::${text}]`, reason: options.wildcardReason });
  }
}
