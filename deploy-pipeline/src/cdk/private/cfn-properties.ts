/**
 * CloudFormation's SageMaker properties carry the API's names; CDK's L1 props spell them with a lowercase
 * first letter. Converting the API-shaped request (built once, shared with the SageMaker-API backend) keeps
 * the two paths from drifting.
 */
export function toL1Props<T>(value: unknown): T {
  return convert(value) as T;
}

function convert(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key.charAt(0).toLowerCase() + key.slice(1),
        convert(item),
      ]),
    );
  }
  return value;
}
