import type { Value } from '../dsl/pipeline-variable.js';
import type { Arguments, ArgumentValue } from '../steps/step.js';

/** What every SageMaker job asks for: who it runs as, on what, for how long. */
export interface JobProps {
  /** The execution role the job runs as. */
  readonly role: Value<string>;
  readonly instanceType: Value<string>;
  /** @default 1 */
  readonly instanceCount?: Value<number>;
  /** @default 30 */
  readonly volumeSizeInGB?: Value<number>;
  readonly volumeKmsKey?: Value<string>;
  readonly outputKmsKey?: Value<string>;
  /** Processing: no StoppingCondition unless set; training: 86400 (one day). */
  readonly maxRuntimeInSeconds?: Value<number>;
  readonly tags?: readonly Tag[];
}

/** The instances a job runs on, with the Python SDK's defaults (one instance, 30 GB). */
export function instanceResources(props: JobProps): Arguments {
  return {
    InstanceCount: props.instanceCount ?? 1,
    InstanceType: props.instanceType,
    VolumeSizeInGB: props.volumeSizeInGB ?? 30,
    VolumeKmsKeyId: props.volumeKmsKey,
  };
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export function tagsArgument(tags: readonly Tag[] | undefined): ArgumentValue {
  return tags?.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

/** Where a job's instances run; the Python SDK's NetworkConfig. */
export interface NetworkConfig {
  readonly enableNetworkIsolation?: Value<boolean>;
  readonly encryptInterContainerTraffic?: Value<boolean>;
  readonly securityGroupIds?: readonly Value<string>[];
  readonly subnets?: readonly Value<string>[];
}

export function vpcConfigArgument(
  securityGroupIds: readonly Value<string>[] | undefined,
  subnets: readonly Value<string>[] | undefined,
): ArgumentValue {
  return securityGroupIds && subnets ? { SecurityGroupIds: securityGroupIds, Subnets: subnets } : undefined;
}

/** An environment map for a request; an empty map is left out unless `keepEmpty`. */
export function environmentArgument(
  env: Readonly<Record<string, Value<string>>> | undefined,
  keepEmpty = false,
): ArgumentValue {
  if (env === undefined) return keepEmpty ? {} : undefined;
  return { ...env };
}
