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

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
