/**
 * The context keys the CDK app reads (`cdk … -c key=value`). The deploy logic and the CLI set them; they live
 * apart from the app so that code which runs the CDK CLI never loads aws-cdk-lib.
 */
export const CDK_CONTEXT = Object.freeze({
  /** The model package version to deploy; without it only ProjectStack is synthesized. */
  modelPackageArn: 'modelPackageArn',
  /** Synthesize only this stage's EndpointStack (and no ProjectStack). Default: every stage. */
  stage: 'stage',
  /** Synthesize only this stage's StageAccountStack (`bootstrap --stage`), for a stage in its own account. */
  stageAccount: 'stageAccount',
  githubOidcProviderArn: 'githubOidcProviderArn',
  githubTokenSecretVersionId: 'githubTokenSecretVersionId',
  defaultBranch: 'defaultBranch',
  alarmEmail: 'alarmEmail',
});
