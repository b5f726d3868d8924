import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { sagemakerArnName } from '../../names.js';

/** `arn:…:sagemaker:REGION:ACCOUNT:TYPE/NAME` of the scope's stack, with the name lowercased as SageMaker does. */
export function sagemakerArn(scope: IConstruct, resourceType: string, name: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker',
    resource: resourceType,
    resourceName: sagemakerArnName(name),
  });
}

export function cloudFormationStackArn(scope: IConstruct, stackNamePattern: string): string {
  return Stack.of(scope).formatArn({
    service: 'cloudformation',
    resource: 'stack',
    resourceName: `${stackNamePattern}/*`,
  });
}
