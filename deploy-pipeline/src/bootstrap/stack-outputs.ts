import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { LoadedProjectConfig } from '@slipway/core';
import type { CDK_CONTEXT } from '../cdk-context.js';
import { cdkAppDir, cdkDeployStacksArgs, type CdkRunner } from '../deploy/backends/cdk.js';

/**
 * `cdk deploy` of one stack that needs no `cdk bootstrap` (no assets), as bootstrap runs it, then the stack's
 * outputs by key.
 */
export async function deployStackForOutputs(
  project: LoadedProjectConfig,
  stackName: string,
  context: Readonly<Partial<Record<keyof typeof CDK_CONTEXT, string>>>,
  deps: {
    readonly runCdk: CdkRunner;
    readonly cloudformation: CloudFormationClient;
    readonly log: (line: string) => void;
  },
): Promise<Record<string, string>> {
  await deps.runCdk(cdkDeployStacksArgs([stackName], context), { cwd: cdkAppDir(project), log: deps.log });
  return stackOutputs(deps.cloudformation, stackName);
}

/** A deployed stack's outputs by key. */
export async function stackOutputs(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  const described = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
  return Object.fromEntries(
    (described.Stacks?.[0]?.Outputs ?? []).flatMap((output) =>
      output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue] as const] : [],
    ),
  );
}
