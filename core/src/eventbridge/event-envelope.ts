/** An event in EventBridge's envelope. */
export interface EventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

/** EventBridge's time format: ISO-8601 in UTC to the second. */
export function eventTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
