/**
 * The `sub` claim of the OIDC tokens GitHub Actions issues to this project's workflows, and the subject
 * template that makes it carry the workflow file.
 *
 * GitHub puts `job_workflow_ref` (`OWNER/REPO/.github/workflows/FILE@REF`) in every token, but AWS evaluates
 * only the standard claims (`sub`, `aud`, ...), not GitHub's custom ones. GitHub's documented way to make a
 * cloud check the workflow is to customize the repository's subject template: with the claim keys below,
 * `sub` reads `repo:OWNER/REPO:<context>:job_workflow_ref:OWNER/REPO/.github/workflows/FILE@refs/heads/BRANCH`,
 * where `<context>` is `environment:NAME` for a job with an environment and `ref:refs/heads/BRANCH` otherwise.
 */

/** GitHub's OIDC issuer and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** The claim keys of the repository's OIDC subject template (PUT /repos/{owner}/{repo}/actions/oidc/customization/sub). */
export const GITHUB_OIDC_SUBJECT_CLAIM_KEYS = Object.freeze(['repo', 'context', 'job_workflow_ref'] as const);

export interface GitHubOidcSubject {
  /** `OWNER/REPO`. */
  readonly repository: string;
  /** A job with an environment carries the environment; any other job the ref it runs on. */
  readonly context: { readonly environment: string } | { readonly ref: string };
  /** The workflow file, relative to the repository root, e.g. `.github/workflows/deploy.yml`. */
  readonly workflowFile: string;
  /** The branch the workflow file is read from (the default branch). */
  readonly branch: string;
}

/** The exact `sub` of a job under GITHUB_OIDC_SUBJECT_CLAIM_KEYS. */
export function githubOidcSubject({ repository, context, workflowFile, branch }: GitHubOidcSubject): string {
  const contextPart = 'environment' in context ? `environment:${context.environment}` : `ref:${context.ref}`;
  return `repo:${repository}:${contextPart}:job_workflow_ref:${repository}/${workflowFile}@refs/heads/${branch}`;
}
