import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A checkov check skipped on one resource, with the reason written into the template's metadata. */
export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/** Adds `Metadata.checkov.skip` to the construct's CloudFormation resource, where checkov reads it. */
export function skipCheckov(scope: IConstruct, ...skips: readonly CheckovSkip[]): void {
  const resource = scope instanceof CfnResource ? scope : scope.node.defaultChild;
  if (!(resource instanceof CfnResource))
    throw new Error(`${scope.node.path} has no CloudFormation resource to annotate`);
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, ...skips] });
}
