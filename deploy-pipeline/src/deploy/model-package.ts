import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  ValidationError,
  formatSageMakerArn,
  modelDataChecksumKey,
  partitionOf,
  parseModelPackageArn,
  parseSageMakerArn,
  type ProjectConfig,
} from '@slipway/core';
import { checkModelPackageArn, type RegistryScope } from '../model-package-arn.js';
import { isNotFound } from './sagemaker-errors.js';

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/** What the registry says about a version right now. */
export interface ModelPackageState {
  readonly modelPackageArn: string;
  readonly groupName: string;
  readonly version: number;
  readonly approvalStatus: ApprovalStatus;
  /** Each container's model data and the SHA-256 registered for it (CustomerMetadataProperties). */
  readonly modelData: readonly RegisteredModelData[];
}

export interface RegisteredModelData {
  readonly containerIndex: number;
  /** The container's ModelDataUrl; absent for a container without model data. */
  readonly url?: string;
  /** The SHA-256 recorded at registration, if any. */
  readonly sha256?: string;
}

type Project = Pick<ProjectConfig, 'modelPackageGroupName' | 'region' | 'buildAccount'>;

/**
 * How a deploy names the project's group: its ARN in the build account when the config names one (a stage in
 * its own account reads the build account's registry, as the group's resource policy allows), else its name
 * (the registry of the credentials' account).
 */
export function modelPackageGroupReference(project: Project): string {
  if (!project.buildAccount) return project.modelPackageGroupName;
  return formatSageMakerArn({
    partition: partitionOf(project.region),
    region: project.region,
    account: project.buildAccount,
    resourceType: 'model-package-group',
    resourcePath: project.modelPackageGroupName,
  });
}

/**
 * The partition and account of the project's registry, from its group's ARN as the registry itself gives it
 * (the caller's credentials decide which account answers, never the ARN being checked).
 */
export async function registryScope(sagemaker: SageMakerClient, project: Project): Promise<RegistryScope> {
  let response;
  try {
    response = await sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: modelPackageGroupReference(project) }),
    );
  } catch (error) {
    if (isNotFound(error)) {
      throw new ValidationError({
        where: 'model_package_arn',
        field: '',
        problem: `cannot be checked: the project's group ${JSON.stringify(project.modelPackageGroupName)} does not exist in this registry`,
        fix: 'run the pipeline once (it creates the group), or check the region and credentials',
      });
    }
    throw error;
  }
  const { partition, account } = parseSageMakerArn(response.ModelPackageGroupArn, 'ModelPackageGroupArn');
  return { partition, account };
}

/** Asks the registry (never the caller) for the version's group and approval status. */
export async function describeModelPackage(
  sagemaker: SageMakerClient,
  project: Project,
  modelPackageArn: string,
): Promise<ModelPackageState> {
  checkModelPackageArn(modelPackageArn, project, 'model_package_arn', await registryScope(sagemaker, project));
  let response;
  try {
    response = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }));
  } catch (error) {
    if (isNotFound(error)) {
      throw new ValidationError({
        where: 'model_package_arn',
        field: '',
        problem: `names no model package the registry knows (${modelPackageArn})`,
        fix: 'check the ARN; the version may have been deleted',
      });
    }
    throw error;
  }
  // The response, not the ARN string, is the authority on the group (SageMaker lowercases names in ARNs).
  if (response.ModelPackageGroupName !== project.modelPackageGroupName) {
    throw new ValidationError({
      where: 'model_package_arn',
      field: '',
      problem: `belongs to the group ${JSON.stringify(response.ModelPackageGroupName)} according to the registry, not to ${JSON.stringify(project.modelPackageGroupName)}`,
      fix: "deploy a package registered in the project's own group",
    });
  }
  const metadata = response.CustomerMetadataProperties ?? {};
  return {
    modelPackageArn,
    groupName: response.ModelPackageGroupName,
    version: response.ModelPackageVersion ?? parseModelPackageArn(modelPackageArn).version,
    approvalStatus: (response.ModelApprovalStatus ?? 'PendingManualApproval') as ApprovalStatus,
    modelData: (response.InferenceSpecification?.Containers ?? []).map((container, containerIndex) => {
      const sha256 = metadata[modelDataChecksumKey(containerIndex)];
      return {
        containerIndex,
        ...(container.ModelDataUrl ? { url: container.ModelDataUrl } : {}),
        ...(sha256 ? { sha256 } : {}),
      };
    }),
  };
}

/** Throws unless the registry says the version is Approved now. */
export async function requireApproved(
  sagemaker: SageMakerClient,
  project: Project,
  modelPackageArn: string,
): Promise<ModelPackageState> {
  const state = await describeModelPackage(sagemaker, project, modelPackageArn);
  if (state.approvalStatus !== 'Approved') {
    throw new ValidationError({
      where: 'model_package_arn',
      field: '',
      problem: `is ${state.approvalStatus} in the registry now, not Approved (version ${state.version})`,
      fix: 'approve the version in the Model Registry first; nothing was deployed',
    });
  }
  return state;
}

/** The newest Approved version of the project's group, if any. */
export async function newestApproved(sagemaker: SageMakerClient, project: Project): Promise<string | undefined> {
  const response = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: modelPackageGroupReference(project),
      ModelApprovalStatus: 'Approved',
      ModelPackageType: 'Versioned',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  return response.ModelPackageSummaryList?.[0]?.ModelPackageArn;
}
