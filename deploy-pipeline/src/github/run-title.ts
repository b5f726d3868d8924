/**
 * deploy.yml names each run after its event (`run-name`), so that the runs list shows which approval a run
 * handled and a later run can tell a repeated delivery from a new one: `<event_type> v<version> [event <id>]`.
 * The workflow writes the title with GitHub's `format()`; this module reads it back.
 */

/** The run-name of deploy.yml for a repository_dispatch, as GitHub's `format()` fills it. */
export const EVENT_RUN_TITLE_FORMAT = '{0} v{1} [event {2}]';

/** The title a run for `eventId` gets (what `format(EVENT_RUN_TITLE_FORMAT, …)` renders). */
export function eventRunTitle(eventType: string, version: string, eventId: string): string {
  return EVENT_RUN_TITLE_FORMAT.replace('{0}', eventType).replace('{1}', version).replace('{2}', eventId);
}

/** The event id a run's title names, if it names one. */
export function eventIdOfRunTitle(title: string | null | undefined): string | undefined {
  return /\[event ([A-Za-z0-9][A-Za-z0-9._:-]{0,63})\]$/.exec(title ?? '')?.[1];
}

/** The event type and version a run's title names, if it is an event's title. */
export function eventOfRunTitle(
  title: string | null | undefined,
): { readonly eventType: string; readonly version: number; readonly eventId: string } | undefined {
  const match = /^([a-z-]{1,100}) v(\d{1,10}) \[event ([A-Za-z0-9][A-Za-z0-9._:-]{0,63})\]$/.exec(title ?? '');
  return match ? { eventType: match[1]!, version: Number(match[2]), eventId: match[3]! } : undefined;
}
