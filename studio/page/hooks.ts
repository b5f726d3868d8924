import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { LiveTopic } from '../src/views.js';
import { getJson } from './api.js';
import { concerns, live } from './live.js';

export interface Resource<T> {
  readonly data?: T;
  readonly error?: Error;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Reads an API view, and reads it again whenever the event stream says one of its topics changed. Reads
 * never overlap: a change heard during a read makes one more read after it, so a burst of step changes
 * costs two reads, not one per change.
 */
export function useResource<T>(
  path: string | undefined,
  query: Readonly<Record<string, string | undefined>>,
  matches: (topic: LiveTopic) => boolean,
): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const key = path === undefined ? '' : `${path}?${new URLSearchParams(query as Record<string, string>).toString()}`;
  const inFlight = useRef(false);
  const again = useRef(false);
  const current = useRef(key);
  current.current = key;
  const matchesRef = useRef(matches);
  matchesRef.current = matches;

  const read = useCallback(() => {
    if (path === undefined) return;
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    const asked = key;
    getJson<T>(path, query)
      .then(
        (data) => {
          if (current.current === asked) setState({ data, loading: false });
        },
        (error: Error) => {
          if (current.current === asked) setState((previous) => ({ ...previous, error, loading: false }));
        },
      )
      .finally(() => {
        inFlight.current = false;
        if (again.current) {
          again.current = false;
          read();
        }
      });
  }, [key]);

  useEffect(() => {
    setState({ loading: true });
    read();
    return live.subscribe((topics) => {
      if (concerns(topics, matchesRef.current)) read();
    });
  }, [read]);

  return { ...state, reload: read };
}
