import {
  ValidationError,
  belongsToGroup,
  parseModelPackageArn,
  type ModelPackageArn,
  type ProjectConfig,
} from '@slipway/core';

type Project = Pick<ProjectConfig, 'modelPackageGroupName' | 'region'>;

/** The ARN parses as a version of the project's group, in the project's region; throws a ValidationError otherwise. */
export function checkModelPackageArn(value: unknown, project: Project, field = 'model_package_arn'): ModelPackageArn {
  const arn = parseModelPackageArn(value, field);
  if (!belongsToGroup(arn, project.modelPackageGroupName)) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `names a version of the group ${JSON.stringify(arn.groupNameInArn)}, not of this project's group ${JSON.stringify(project.modelPackageGroupName)}`,
      fix: "deploy a package registered in the project's own group",
    });
  }
  if (arn.region !== project.region) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `is in region ${arn.region}, not in the project's region ${project.region}`,
      fix: 'deploy a package registered in the project region',
    });
  }
  return arn;
}
