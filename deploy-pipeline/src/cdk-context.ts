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
  /** `true`: also synthesize the SageMaker project template and its Service Catalog portfolio stack. */
  projectsTemplate: 'projectsTemplate',
  /** The key of the uploaded project template in the templates bucket; without it the portfolio stack holds the bucket only. */
  productTemplateKey: 'productTemplateKey',
  /** Comma-separated ARNs of the roles (Studio execution roles) the portfolio is shared with. */
  studioRoleArns: 'studioRoleArns',
  /** The role Service Catalog provisions the project stack as (a launch constraint). */
  launchRoleArn: 'launchRoleArn',
});
