import { RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import type { Construct } from 'constructs';
import type { ProjectConfig } from '@slipway/core';
import { acknowledge } from './private/acknowledge.js';
import { skipCheckov } from './private/checkov.js';

/** The tag that makes a Service Catalog product a project template in SageMaker Studio. */
export const STUDIO_VISIBILITY_TAG = Object.freeze({ key: 'sagemaker:studio-visibility', value: 'true' });

export interface PortfolioStackProps extends StackProps {
  readonly project: ProjectConfig;
  /** The bucket the project template is uploaded to (`projectTemplatesBucketName`). */
  readonly templatesBucketName: string;
  /**
   * The key of the uploaded project template (content-hashed, so a new template is a new product version).
   * @default - the stack holds the templates bucket only: bootstrap's first step, before the upload
   */
  readonly productTemplateKey?: string;
  /** The roles (Studio execution roles) that may create projects from the template. */
  readonly studioRoleArns?: readonly string[];
  /**
   * The role Service Catalog provisions the project stack as.
   * @default - no launch constraint: the Studio user's own role needs the rights to create the project stack
   */
  readonly launchRoleArn?: string;
}

/**
 * How a data scientist gets a Slipway project from SageMaker Studio: a Service Catalog portfolio, shared with
 * the Studio execution roles, whose one product (tagged `sagemaker:studio-visibility=true`) is the project
 * template, ProjectTemplateStack. The template is not a CDK asset (Slipway deploys without a CDK bootstrap):
 * `slipway bootstrap --projects-template` uploads it to this stack's bucket and names its key here.
 */
export class PortfolioStack extends Stack {
  readonly templatesBucket: s3.Bucket;
  readonly portfolio?: servicecatalog.Portfolio;
  readonly product?: servicecatalog.CloudFormationProduct;

  constructor(scope: Construct, id: string, props: PortfolioStackProps) {
    super(scope, id, {
      description: `Slipway project ${props.project.projectName}: the SageMaker project template, for Studio`,
      ...props,
    });
    const { project } = props;

    this.templatesBucket = new s3.Bucket(this, 'Templates', {
      bucketName: props.templatesBucketName,
      // Service Catalog reads the template with the publisher's credentials; a KMS key would only add a grant.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(this.templatesBucket, {
      id: 'AwsSolutions-S1',
      reason:
        'Holds only the synthesized project templates bootstrap writes under content-hashed keys; CloudTrail records each write.',
    });
    skipCheckov(
      this.templatesBucket,
      {
        id: 'CKV_AWS_18',
        comment: 'Holds only the synthesized project templates bootstrap writes; CloudTrail records each write.',
      },
      {
        id: 'CKV_AWS_145',
        comment: 'Templates are not secret; SSE-S3 lets Service Catalog read them with no key grant.',
      },
    );
    if (!props.productTemplateKey) return;

    this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', {
      displayName: `Slipway ${project.projectName}`,
      providerName: 'Slipway',
      description: `SageMaker project templates of the Slipway project ${project.projectName}`,
    });
    this.product = new servicecatalog.CloudFormationProduct(this, 'ProjectTemplate', {
      productName: `Slipway ${project.projectName}`,
      owner: 'Slipway',
      description: `A SageMaker project built and deployed by GitHub Actions from ${project.githubRepository ?? 'its repository'}: pipeline, model registry, approval route`,
      productVersions: [
        {
          // The content hash in the key names the version: a changed template is a new version.
          productVersionName: props.productTemplateKey.replace(/^.*\//, '').replace(/\.template\.json$/, ''),
          cloudFormationTemplate: servicecatalog.CloudFormationTemplate.fromUrl(
            this.templatesBucket.urlForObject(props.productTemplateKey),
          ),
        },
      ],
    });
    Tags.of(this.product).add(STUDIO_VISIBILITY_TAG.key, STUDIO_VISIBILITY_TAG.value);
    this.portfolio.addProduct(this.product);
    (props.studioRoleArns ?? []).forEach((arn, index) =>
      this.portfolio!.giveAccessToRole(iam.Role.fromRoleArn(this, `StudioRole${index}`, arn, { mutable: false })),
    );
    if (props.launchRoleArn)
      this.portfolio.setLaunchRole(
        this.product,
        iam.Role.fromRoleArn(this, 'LaunchRole', props.launchRoleArn, { mutable: false }),
      );
  }
}
