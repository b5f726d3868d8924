import { ValidationError, describeValue, type Backend } from '@slipway/core';

export type BackendKind = Backend['kind'];

/**
 * The backend a caller asked for: `aws` (the real services, credentials from the environment) or `local`
 * (the SageMaker API at `endpointUrl`: the local server, or moto in tests). Shared by the actions and the
 * CLI so both reject the same mistakes with the same words; `where` names the caller's own input.
 */
export function chooseBackend(
  choice: { kind: string | undefined; endpointUrl: string | undefined; region: string },
  where: { kind: string; endpointUrl: string } = { kind: 'backend', endpointUrl: 'endpoint-url' },
): Backend {
  const kind = choice.kind || 'aws';
  if (kind === 'aws') return { kind: 'aws', region: choice.region };
  if (kind !== 'local') {
    throw new ValidationError({
      where: where.kind,
      field: '',
      problem: `must be "aws" or "local", got ${describeValue(kind)}`,
      fix: 'use aws on GitHub, local for the local server',
    });
  }
  let url: URL | undefined;
  try {
    url = choice.endpointUrl ? new URL(choice.endpointUrl) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ValidationError({
      where: where.endpointUrl,
      field: '',
      problem: `must be the http(s) URL of the SageMaker API when the backend is local, got ${describeValue(choice.endpointUrl)}`,
      fix: 'e.g. http://127.0.0.1:4566',
    });
  }
  return { kind: 'local', region: choice.region, endpoint: choice.endpointUrl as string };
}
