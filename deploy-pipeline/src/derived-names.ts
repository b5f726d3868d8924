import { IssueCollector, ValidationError, checkName, type ProjectConfig } from '@slipway/core';
import {
  deploymentResourceName,
  endpointDeployerRoleName,
  endpointName,
  githubDeployRoleName,
  ROLE_NAME_MAX_LENGTH,
  roleNames,
} from './names.js';
/** Versions up to this many digits must still give valid deployment names. */
const VERSION_HEADROOM = 99999;

/**
 * Checks every AWS name derived from the project config (roles, endpoints, the per-version model and endpoint
 * config names) against its service's limits, reporting all at once. `init` runs it before writing the
 * config, so a project name that fits SageMaker's own 32 characters but makes an IAM role name too long is
 * refused there, not in the middle of `bootstrap` or a deploy.
 */
export function checkDerivedNames(project: Pick<ProjectConfig, 'projectName' | 'stages'>): void {
  const issues = new IssueCollector();
  const attempt = (derive: () => unknown): void => {
    try {
      derive();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const issue of error.issues) issues.add(issue);
    }
  };
  for (const [role, name] of Object.entries(roleNames(project))) {
    if (name.length > ROLE_NAME_MAX_LENGTH)
      issues.add({
        where: 'slipway.config.json',
        field: 'projectName',
        problem: `gives the ${role} IAM role name ${JSON.stringify(name)}, which must be at most ${ROLE_NAME_MAX_LENGTH} characters, got ${name.length}`,
        fix: 'shorten the project name',
      });
  }
  for (const stage of project.stages) {
    attempt(() => githubDeployRoleName(project, stage));
    attempt(() => endpointDeployerRoleName(project, stage));
    attempt(() => deploymentResourceName(project, stage, VERSION_HEADROOM, 'ffffffff'));
    const endpoint = endpointName(project, stage);
    const problem = checkName('endpointName', endpoint);
    if (problem)
      issues.add({
        where: 'slipway.config.json',
        field: 'projectName',
        problem: `gives the endpoint name ${JSON.stringify(endpoint)}, which ${problem}`,
        fix: 'shorten the project name or the stage name',
      });
  }
  issues.throwIfAny();
}
