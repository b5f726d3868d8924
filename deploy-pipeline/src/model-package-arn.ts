import {
  ValidationError,
  belongsToGroup,
  parseModelPackageArn,
  type ModelPackageArn,
  type ProjectConfig,
} from '@slipway/core';

type Project = Pick<ProjectConfig, 'modelPackageGroupName' | 'region'>;

/** Where the project's own registry is: the partition and account of its group's ARN. */
export interface RegistryScope {
  readonly partition: string;
  readonly account: string;
}

/**
 * The ARN parses as a version of the project's group, in the project's region, and (given the registry's
 * scope) in the registry's own partition and account; throws a ValidationError otherwise.
 */
export function checkModelPackageArn(
  value: unknown,
  project: Project,
  field = 'model_package_arn',
  scope?: RegistryScope,
): ModelPackageArn {
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
  if (scope && (arn.partition !== scope.partition || arn.account !== scope.account)) {
    throw new ValidationError({
      where: field,
      field: '',
      problem: `is in account ${arn.account} (partition ${arn.partition}), not in the project's account ${scope.account} (partition ${scope.partition}), where its group is`,
      fix: "deploy a package registered in the project's own registry",
    });
  }
  return arn;
}
