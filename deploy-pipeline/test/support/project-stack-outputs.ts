/** What a deployed project stack outputs for the sentiment project: the values the repository variables take. */
export const PROJECT_STACK_OUTPUTS: Readonly<Record<string, string>> = Object.freeze({
  BuildRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-build',
  StagingDeployRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-deploy-staging',
  ProdDeployRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-github-deploy-prod',
  SageMakerExecutionRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-sagemaker-execution',
  SageMakerTrainingRoleArn: 'arn:aws:iam::123456789012:role/slipway-sentiment-sagemaker-training',
  ArtifactBucketName: 'slipway-sentiment-p-4998j71vgs5g',
});
