import {
  StackSynthesizer,
  type DockerImageAssetLocation,
  type DockerImageAssetSource,
  type FileAssetLocation,
  type FileAssetSource,
  type ISynthesisSession,
} from 'aws-cdk-lib';

export interface CliCredentialsOnlySynthesizerProps {
  /**
   * Role CloudFormation assumes to create the stack's resources.
   * @default - CloudFormation uses the caller's credentials
   */
  readonly cloudFormationExecutionRoleArn?: string;
}

/**
 * Deploys with the caller's own credentials and no CDK bootstrap at all: no bootstrap roles to assume, no
 * asset bucket, no bootstrap version check. CDK's own BootstraplessSynthesizer still assumes the bootstrap
 * deploy role, and CliCredentialsStackSynthesizer uploads the template to the bootstrap bucket. Slipway's
 * stacks have no assets, so they need neither; the GitHub deploy role then only needs CloudFormation rights
 * and to pass the endpoint deployer role. Templates must stay under CloudFormation's 51,200-byte inline limit.
 */
export class CliCredentialsOnlySynthesizer extends StackSynthesizer {
  constructor(private readonly props: CliCredentialsOnlySynthesizerProps = {}) {
    super();
  }

  override get cloudFormationExecutionRole(): string | undefined {
    return this.props.cloudFormationExecutionRoleArn;
  }

  override addFileAsset(asset: FileAssetSource): FileAssetLocation {
    throw new Error(
      `${this.boundStack.stackName} cannot hold file assets (${asset.sourceHash}); Slipway deploys it without a CDK bootstrap`,
    );
  }

  override addDockerImageAsset(asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new Error(
      `${this.boundStack.stackName} cannot hold Docker image assets (${asset.sourceHash}); Slipway deploys it without a CDK bootstrap`,
    );
  }

  override synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session, {
      ...(this.props.cloudFormationExecutionRoleArn
        ? { cloudFormationExecutionRoleArn: this.props.cloudFormationExecutionRoleArn }
        : {}),
    });
  }
}
