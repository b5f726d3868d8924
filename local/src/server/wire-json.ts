/**
 * JSON as the AWS JSON protocols put it on the wire: timestamps are epoch seconds (with milliseconds as a
 * fraction), and members that are undefined are left out.
 */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    // Date.toJSON has already turned a Date into a string; only then look at the original member.
    if (typeof converted !== 'string') return converted;
    const original = key === '' ? value : this[key];
    return original instanceof Date ? original.getTime() / 1000 : converted;
  });
}

/**
 * Reads a timestamp member of a request: the SDKs send epoch seconds; ISO-8601 strings are accepted too.
 * Returns undefined for a missing member and NaN-dated Date for garbage (callers validate).
 */
export function fromWireTimestamp(value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string') {
    const numeric = Number(value);
    return Number.isFinite(numeric) && value.trim() !== '' ? new Date(numeric * 1000) : new Date(value);
  }
  return new Date(Number.NaN);
}
