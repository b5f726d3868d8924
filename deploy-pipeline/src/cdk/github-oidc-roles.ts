import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** GitHub's OIDC issuer and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface GitHubOidcRolesProps {
  /** `OWNER/REPO`: the only repository whose workflows may assume the roles. */
  readonly githubRepository: string;
  /** Name of the role the build workflow (and the deploy workflow's resolve job) assumes. */
  readonly buildRoleName: string;
  /** Name of the role the deploy workflow's stage jobs assume. */
  readonly deployRoleName: string;
  /**
   * ARN of the account's existing GitHub OIDC provider. An account holds one provider per issuer URL.
   * @default - a new provider for token.actions.githubusercontent.com is created
   */
  readonly existingProviderArn?: string;
  /**
   * The branch whose workflows may assume the build role (repository_dispatch and workflow_dispatch runs
   * of the deploy workflow also carry it).
   * @default 'main'
   */
  readonly defaultBranch?: string;
  /**
   * GitHub environments whose jobs may assume the deploy role.
   * @default ['staging', 'production']
   */
  readonly deployEnvironments?: readonly string[];
}

/**
 * The GitHub OIDC provider (created, or an existing one reused) and the two roles GitHub Actions assume.
 * Each role trusts exact `sub` claims of this repository only: the build role its default branch, the deploy
 * role its deployment environments, so a workflow on another branch or a pull request gets neither.
 */
export class GitHubOidcRoles extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly buildRole: iam.Role;
  readonly deployRole: iam.Role;
  readonly buildSubjects: readonly string[];
  readonly deploySubjects: readonly string[];

  constructor(scope: Construct, id: string, props: GitHubOidcRolesProps) {
    super(scope, id);
    this.provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Resource', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Resource', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        });

    const repo = `repo:${props.githubRepository}`;
    this.buildSubjects = [`${repo}:ref:refs/heads/${props.defaultBranch ?? 'main'}`];
    this.deploySubjects = (props.deployEnvironments ?? ['staging', 'production']).map(
      (environment) => `${repo}:environment:${environment}`,
    );

    this.buildRole = new iam.Role(this, 'BuildRole', {
      roleName: props.buildRoleName,
      description: `GitHub Actions build role for ${props.githubRepository}: upload code, upsert and run the pipeline`,
      assumedBy: this.principal(this.buildSubjects),
      maxSessionDuration: Duration.hours(2),
    });
    this.deployRole = new iam.Role(this, 'DeployRole', {
      roleName: props.deployRoleName,
      description: `GitHub Actions deploy role for ${props.githubRepository}: deploy and test the endpoint stacks`,
      assumedBy: this.principal(this.deploySubjects),
      maxSessionDuration: Duration.hours(2),
    });
  }

  private principal(subjects: readonly string[]): iam.IPrincipal {
    return new iam.OpenIdConnectPrincipal(this.provider, {
      StringEquals: {
        [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
        [`${GITHUB_OIDC_ISSUER}:sub`]: [...subjects],
      },
    });
  }
}
