import type { Readable, Transform } from 'node:stream';

/**
 * Pipes a request body through `stages` and returns the last one, for the consumer to read. Every stream in
 * the chain, the last one included, gets an `'error'` listener: the first error (a malformed aws-chunked frame, a body over the
 * limit, a client that went away) destroys the last stage with that error, so the consumer's pipeline
 * rejects with it and the caller answers in S3's shape. A stream whose `'error'` nobody listens to would
 * end the whole process instead. The source itself is only unpiped, not destroyed: the response still has
 * to go out on its connection.
 */
export function chainRequestBody(source: Readable, stages: readonly Transform[]): Readable {
  const last = stages[stages.length - 1];
  if (!last) return source;
  let previous: Readable = source;
  const fail = (error: Error) => {
    source.unpipe();
    for (const stage of stages) if (stage !== last) stage.destroy();
    if (!last.destroyed) last.destroy(error);
  };
  source.on('error', fail);
  for (const stage of stages) {
    if (stage !== last) stage.on('error', fail);
    previous = previous.pipe(stage);
  }
  // The consumer may attach only after an await (or never, when it fails first): until then an error on the
  // last stage must not be fatal either. The consumer still sees it: a pipeline over an errored stream
  // rejects with that error.
  last.on('error', () => undefined);
  return last;
}
