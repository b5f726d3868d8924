// What the action needs once its inputs are read: the run logic and the AWS clients. main.ts imports this
// module lazily (it is most of the bundle), and naming each export keeps the bundle to what is used.
export { SageMakerClient } from '@aws-sdk/client-sagemaker';
export { S3Client } from '@aws-sdk/client-s3';
export {
  AWS_POLL_SCHEDULE,
  LOCAL_POLL_SCHEDULE,
  describeRunEvent,
  githubSourceContext,
  renderRunSummary,
  runPipeline,
  settleRun,
  upsertProjectPipeline,
} from '@slipway/build-pipeline/run';
