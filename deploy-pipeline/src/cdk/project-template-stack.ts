import { CfnParameter, Fn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { NAME_RULES } from '@slipway/core';
import { SAGEMAKER_PROJECT_TAGS } from '../names.js';
import { ProjectStack, type ProjectStackProps } from './project-stack.js';

/**
 * The parameters of the SageMaker project template. SageMaker passes the first two when a data scientist
 * creates a project in Studio; the rest are what the project needs from them, with this config's as defaults.
 */
export const PROJECT_TEMPLATE_PARAMETERS = Object.freeze({
  projectName: 'SageMakerProjectName',
  projectId: 'SageMakerProjectId',
  githubRepository: 'GitHubRepository',
});

/**
 * ProjectStack as a custom SageMaker project template (a Service Catalog product, see PortfolioStack): every
 * resource is tagged with the Studio project's name and id, so Studio shows the stack's model package group
 * (and what the build and deploy workflows create later, tagged from `sagemakerProject` in the config) under
 * the project, and the GitHub repository the roles trust is a parameter. Names still come from the config:
 * one template provisions this repository's project. Service Catalog loads it from S3 (bootstrap uploads it),
 * so CloudFormation's 1 MB limit for templates at a URL applies, not the 51,200 bytes of an inline one.
 */
export class ProjectTemplateStack extends ProjectStack {
  constructor(scope: Construct, id: string, props: ProjectStackProps) {
    const ref = (name: string): string => Fn.ref(name);
    super(scope, id, {
      description: `Slipway project ${props.project.projectName}, as a SageMaker project template (Studio)`,
      ...props,
      project: { ...props.project, githubRepository: ref(PROJECT_TEMPLATE_PARAMETERS.githubRepository) },
      projectTags: {
        [SAGEMAKER_PROJECT_TAGS.name]: ref(PROJECT_TEMPLATE_PARAMETERS.projectName),
        [SAGEMAKER_PROJECT_TAGS.id]: ref(PROJECT_TEMPLATE_PARAMETERS.projectId),
      },
    });
    // SageMaker fills these two in; like its own templates, they carry no constraints of their own.
    for (const [name, description] of [
      [PROJECT_TEMPLATE_PARAMETERS.projectName, 'Service generated: the SageMaker project name'],
      [PROJECT_TEMPLATE_PARAMETERS.projectId, 'Service generated: the SageMaker project id'],
    ] as const)
      new CfnParameter(this, name, { type: 'String', description }).overrideLogicalId(name);
    const repository = NAME_RULES.githubRepository;
    new CfnParameter(this, PROJECT_TEMPLATE_PARAMETERS.githubRepository, {
      type: 'String',
      description: 'OWNER/REPO whose GitHub workflows build and deploy the project',
      allowedPattern: repository.pattern.source,
      ...(props.project.githubRepository ? { default: props.project.githubRepository } : {}),
    }).overrideLogicalId(PROJECT_TEMPLATE_PARAMETERS.githubRepository);
  }
}
