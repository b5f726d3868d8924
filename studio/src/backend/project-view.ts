import type { ProjectConfig } from '@slipway/core';
import type { ProjectView } from '../views.js';

/** The project's names the page shows and links with. */
export function projectView(project: ProjectConfig): ProjectView {
  return {
    projectName: project.projectName,
    pipelineName: project.pipelineName,
    modelPackageGroupName: project.modelPackageGroupName,
    stages: project.stages,
    ...(project.githubRepository ? { githubRepository: project.githubRepository } : {}),
  };
}
