import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ValidationError, type ProjectConfig } from '@slipway/core';
import { GITHUB_TOKEN_SECRET_FIELD } from '../github-token-secret.js';
import { githubTokenSecretName, projectTags } from '../names.js';

/** GitHub tokens (classic `ghp_…`, fine-grained `github_pat_…`, app `ghs_…`) use these characters only. */
const TOKEN_PATTERN = /^[A-Za-z0-9_]{20,255}$/;

/** Checks the token's form without ever putting the token into the message. */
export function checkGitHubToken(token: string | undefined): string {
  const value = token?.trim() ?? '';
  if (!TOKEN_PATTERN.test(value)) {
    throw new ValidationError({
      where: 'GitHub token',
      field: '',
      problem: `must be 20–255 letters, digits or underscores (got ${value.length} characters; the value is not shown)`,
      fix: 'create a fine-grained token with Contents read/write on this repository and pass it in SLIPWAY_GITHUB_TOKEN',
    });
  }
  return value;
}

/**
 * Stores `Authorization: Bearer <token>` in the project's Secrets Manager secret (created on first use) and
 * returns the new version id. The template only references the secret; the token never enters a template,
 * a command line or a log.
 */
export async function storeGitHubToken(
  secrets: SecretsManagerClient,
  project: Pick<ProjectConfig, 'projectName' | 'projectId'>,
  token: string,
): Promise<{ secretName: string; versionId: string }> {
  const secretName = githubTokenSecretName(project);
  const SecretString = JSON.stringify({ [GITHUB_TOKEN_SECRET_FIELD]: `Bearer ${checkGitHubToken(token)}` });
  try {
    const put = await secrets.send(new PutSecretValueCommand({ SecretId: secretName, SecretString }));
    return { secretName, versionId: put.VersionId ?? '' };
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException) && (error as Error).name !== 'ResourceNotFoundException')
      throw error;
  }
  const created = await secrets.send(
    new CreateSecretCommand({
      Name: secretName,
      Description: `GitHub token EventBridge uses to send repository_dispatch for ${project.projectName}`,
      SecretString,
      Tags: Object.entries(projectTags(project)).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  return { secretName, versionId: created.VersionId ?? '' };
}
