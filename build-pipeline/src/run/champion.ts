import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorMessage } from './aws-errors.js';
import { readJsonObject, valueAtPath } from './s3-objects.js';
import { awsCommands } from './aws-commands.js';

/** Where the seed's evaluation report keeps the accuracy (seed/README.md, the Evaluate step's contract). */
export const ACCURACY_PATH = 'multiclass_classification_metrics.accuracy.value';
/** The pipeline parameter the condition step compares the accuracy with. */
export const MIN_ACCURACY_PARAMETER = 'MinAccuracy';

/** The newest Approved version of a group and the accuracy its evaluation report records. */
export interface Champion {
  readonly modelPackageArn: string;
  readonly accuracy: number;
  /** The report the accuracy was read from (ModelMetrics.ModelQuality.Statistics). */
  readonly metricsUri: string;
}

/**
 * Finds the champion: the newest Approved package of the group, and its accuracy read from the statistics
 * file registered with it. None approved yet → undefined. An approved package whose accuracy cannot be read
 * is an error: guessing would let a worse model through.
 */
export async function findChampion(
  sagemaker: SageMakerClient,
  s3: S3Client,
  groupName: string,
  accuracyPath: string = ACCURACY_PATH,
): Promise<Champion | undefined> {
  const { DescribeModelPackageCommand, ListModelPackagesCommand } = await awsCommands();
  const listed = await sagemaker.send(
    new ListModelPackagesCommand({
      ModelPackageGroupName: groupName,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    }),
  );
  const newest = listed.ModelPackageSummaryList?.[0]?.ModelPackageArn;
  if (!newest) return undefined;
  const described = await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: newest }));
  const metricsUri = described.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
  const fix = 'register it with ModelMetrics.ModelQuality.Statistics, or turn compare-with-approved off';
  if (!metricsUri) {
    throw new Error(`The approved model package ${newest} has no ModelQuality statistics to compare with: ${fix}`);
  }
  let report: unknown;
  try {
    report = await readJsonObject(s3, metricsUri);
  } catch (error) {
    throw new Error(
      `Could not read the metrics of the approved model package ${newest} (${metricsUri}): ${errorMessage(error)}`,
    );
  }
  const accuracy = Number(valueAtPath(report, accuracyPath));
  if (!Number.isFinite(accuracy)) {
    throw new Error(
      `The metrics of the approved model package ${newest} (${metricsUri}) have no number at ${accuracyPath}: ${fix}`,
    );
  }
  return { modelPackageArn: newest, accuracy, metricsUri };
}

/** The bar a new model must clear: the larger of the configured minimum and the champion's accuracy. */
export function minimumToBeat(given: number, champion: Champion | undefined): number {
  return champion ? Math.max(given, champion.accuracy) : given;
}
