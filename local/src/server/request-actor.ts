/**
 * Who made a request, for CreatedBy/LastModifiedBy and the approval history: the `X-Slipway-Actor` header
 * when given (a person's name from the CLI), else the access key id in the SigV4 `Authorization` header,
 * else "anonymous". Any access key id is accepted with the server's secret, so this is attribution, not
 * authentication (that is the signature check, request-signature.ts).
 */
export function requestActor(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const explicit = headerValue(headers['x-slipway-actor']);
  if (explicit && explicit.trim()) return explicit.trim().slice(0, 256);
  const authorization = headerValue(headers['authorization']);
  const match = authorization ? /Credential=([^/,\s]+)\//.exec(authorization) : null;
  return match?.[1] ?? 'anonymous';
}

/**
 * The access key id a request is signed with (Authorization header, or a presigned URL's X-Amz-Credential):
 * on the local server it names the caller's account (`accountOfLocalAccessKeyId`).
 */
export function requestAccessKeyId(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  query?: URLSearchParams,
): string | undefined {
  const authorization = headerValue(headers['authorization']);
  const fromHeader = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
  return fromHeader ?? query?.get('X-Amz-Credential')?.split('/')[0];
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
