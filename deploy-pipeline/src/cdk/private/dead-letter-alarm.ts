import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** What an alarm on a dead-letter queue watches: it fires as soon as one undelivered event waits there. */
export function deadLetterAlarmProps(
  queue: sqs.IQueue,
): Pick<
  cloudwatch.AlarmProps,
  'metric' | 'threshold' | 'evaluationPeriods' | 'comparisonOperator' | 'treatMissingData'
> {
  return {
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
}
