import {
  DescribeStacksCommand,
  paginateDescribeStacks,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import type { ProjectConfig } from '@slipway/core';
import { projectStackName } from '../names.js';

/** The project template's parameter that carries the Studio project's id (ProjectTemplateStack's). */
const STUDIO_PROJECT_ID_PARAMETER = 'SageMakerProjectId';

export interface ProjectStackLocation {
  /** The stack's name, or for a Studio project the stack Service Catalog provisioned (`SC-…`). */
  readonly stackName: string;
  readonly stack?: Stack;
  /** How to say, in a message, which stack this is. */
  readonly description: string;
}

/**
 * Finds the project stack: `slipway-<project>-project` as bootstrap deploys it, or, for a project created in
 * Studio from the project template (`sagemakerProject` in the config), the stack Service Catalog provisioned
 * for it, whose name it chose: the one whose `SageMakerProjectId` parameter is the Studio project's id.
 */
export async function findProjectStack(
  cloudformation: CloudFormationClient,
  project: Pick<ProjectConfig, 'projectName' | 'sagemakerProject'>,
): Promise<ProjectStackLocation> {
  const studio = project.sagemakerProject;
  if (!studio) {
    const stackName = projectStackName(project);
    try {
      const stack = (await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
      return { stackName, ...(stack ? { stack } : {}), description: stackName };
    } catch (error) {
      if (!/does not exist/.test((error as Error).message ?? '')) throw error;
      return { stackName, description: stackName };
    }
  }
  const description = `the stack of SageMaker project ${studio.projectName} (${studio.projectId})`;
  for await (const page of paginateDescribeStacks({ client: cloudformation }, {})) {
    const stack = (page.Stacks ?? []).find(
      (candidate) =>
        candidate.StackStatus !== 'DELETE_COMPLETE' &&
        (candidate.Parameters ?? []).some(
          (parameter) =>
            parameter.ParameterKey === STUDIO_PROJECT_ID_PARAMETER && parameter.ParameterValue === studio.projectId,
        ),
    );
    if (stack) return { stackName: stack.StackName ?? '', stack, description: `${stack.StackName} (${description})` };
  }
  return { stackName: '', description };
}
