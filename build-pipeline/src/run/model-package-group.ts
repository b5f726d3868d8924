import type { SageMakerClient, Tag } from '@aws-sdk/client-sagemaker';
import { isAlreadyExists, isSageMakerNotFound } from './aws-errors.js';
import type { RunReporter } from './run-types.js';
import { awsCommands } from './aws-commands.js';

/**
 * Makes sure the group the RegisterModel step registers into exists (Describe, then Create), so the first
 * run of a new project does not depend on whether RegisterModel creates missing groups.
 */
export async function ensureModelPackageGroup(
  sagemaker: SageMakerClient,
  name: string,
  options: { readonly tags: readonly Tag[]; readonly description?: string; readonly onEvent?: RunReporter },
): Promise<{ readonly created: boolean }> {
  const { CreateModelPackageGroupCommand, DescribeModelPackageGroupCommand } = await awsCommands();
  try {
    await sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: name }));
    options.onEvent?.({ kind: 'group', name, created: false });
    return { created: false };
  } catch (error) {
    if (!isSageMakerNotFound(error)) throw error;
  }
  try {
    await sagemaker.send(
      new CreateModelPackageGroupCommand({
        ModelPackageGroupName: name,
        ...(options.description ? { ModelPackageGroupDescription: options.description } : {}),
        ...(options.tags.length > 0 ? { Tags: [...options.tags] } : {}),
      }),
    );
  } catch (error) {
    // Another run created it between the two calls: that is the state we wanted.
    if (!isAlreadyExists(error)) throw error;
    options.onEvent?.({ kind: 'group', name, created: false });
    return { created: false };
  }
  options.onEvent?.({ kind: 'group', name, created: true });
  return { created: true };
}
