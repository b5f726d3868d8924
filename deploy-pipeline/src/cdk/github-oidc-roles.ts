import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_ISSUER,
  githubOidcSubject,
  type GitHubOidcSubject,
} from '../github/oidc-subject.js';

export { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_ISSUER };

/** One stage's deploy role: the GitHub environment whose jobs may assume it. */
export interface StageDeployRoleProps {
  readonly stage: string;
  readonly roleName: string;
  /** The GitHub environment that guards the stage's jobs in the deploy workflow. */
  readonly environment: string;
}

export interface GitHubOidcRolesProps {
  /** `OWNER/REPO`: the only repository whose workflows may assume the roles. */
  readonly githubRepository: string;
  /** Name of the role the build workflow assumes. */
  readonly buildRoleName: string;
  /** One deploy role per stage, in promotion order. */
  readonly deployRoles: readonly StageDeployRoleProps[];
  /** The build workflow, relative to the repository root, e.g. `.github/workflows/build.yml`. */
  readonly buildWorkflow: string;
  /** The deploy workflow, relative to the repository root. */
  readonly deployWorkflow: string;
  /**
   * ARN of the account's existing GitHub OIDC provider. An account holds one provider per issuer URL.
   * @default - a new provider for token.actions.githubusercontent.com is created
   */
  readonly existingProviderArn?: string;
  /**
   * The default branch: the only ref whose workflow files the roles trust (repository_dispatch and
   * workflow_dispatch runs of the deploy workflow run there too).
   * @default 'main'
   */
  readonly defaultBranch?: string;
  /**
   * Longest session of the build role: build.yml follows a pipeline for up to 170 minutes.
   * @default Duration.hours(3)
   */
  readonly buildSessionDuration?: Duration;
  /**
   * Longest session of each deploy role: a stage job waits for its endpoint (a prod canary can take more
   * than an hour) and tests it.
   * @default Duration.hours(2)
   */
  readonly deploySessionDuration?: Duration;
}

/**
 * The GitHub OIDC provider (created, or an existing one reused) and the roles GitHub Actions assume: the build
 * role, and one deploy role per stage. Each role trusts one exact `sub` claim: this repository, one context
 * (the default branch for the build role, the stage's environment for a deploy role) and one workflow file on
 * the default branch (`job_workflow_ref`). AWS offers no condition key for GitHub's `job_workflow_ref` claim
 * (it evaluates only standard claims such as `sub` and `aud`), so the repository's OIDC subject template
 * includes it in `sub` (`repo`, `context`, `job_workflow_ref`; `slipway bootstrap` prints how to set it).
 * A pull request, another branch, another workflow, or the staging environment's jobs get no prod role.
 */
export class GitHubOidcRoles extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly buildRole: iam.Role;
  /** The deploy role of each stage, by stage name. */
  readonly deployRoles: ReadonlyMap<string, iam.Role>;
  readonly buildSubject: string;
  /** The one `sub` each stage's deploy role trusts, by stage name. */
  readonly deploySubjects: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: GitHubOidcRolesProps) {
    super(scope, id);
    this.provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Resource', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Resource', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
        });

    const branch = props.defaultBranch ?? 'main';
    const subject = (context: GitHubOidcSubject['context'], workflowFile: string): string =>
      githubOidcSubject({ repository: props.githubRepository, context, workflowFile, branch });

    this.buildSubject = subject({ ref: `refs/heads/${branch}` }, props.buildWorkflow);
    this.buildRole = new iam.Role(this, 'BuildRole', {
      roleName: props.buildRoleName,
      description: `GitHub build jobs of ${props.githubRepository}`,
      assumedBy: this.principal(this.buildSubject),
      maxSessionDuration: props.buildSessionDuration ?? Duration.hours(3),
    });

    const roles = new Map<string, iam.Role>();
    const subjects = new Map<string, string>();
    for (const stage of props.deployRoles) {
      const trusted = subject({ environment: stage.environment }, props.deployWorkflow);
      subjects.set(stage.stage, trusted);
      roles.set(
        stage.stage,
        new iam.Role(this, `DeployRole-${stage.stage}`, {
          roleName: stage.roleName,
          description: `GitHub ${stage.environment} deploy jobs`,
          assumedBy: this.principal(trusted),
          maxSessionDuration: props.deploySessionDuration ?? Duration.hours(2),
        }),
      );
    }
    this.deployRoles = roles;
    this.deploySubjects = subjects;
  }

  private principal(subject: string): iam.IPrincipal {
    return githubOidcPrincipal(this.provider, subject);
  }
}

/** GitHub jobs whose token carries exactly `subject` (and Slipway's audience): how every Slipway role trusts. */
export function githubOidcPrincipal(provider: iam.IOidcProvider, subject: string): iam.IPrincipal {
  return new iam.OpenIdConnectPrincipal(provider, {
    StringEquals: {
      [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE,
      [`${GITHUB_OIDC_ISSUER}:sub`]: subject,
    },
  });
}
