/** True for a JSON object (not an array, not null): what a definition's members are checked with. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
