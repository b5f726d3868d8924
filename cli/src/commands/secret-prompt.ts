/**
 * Asks for a secret on a terminal without echoing it. Returns undefined when stdin is not a terminal, so
 * the caller can say which environment variable to set instead.
 */
export async function promptSecret(
  question: string,
  streams: { input?: NodeJS.ReadStream; output?: NodeJS.WritableStream } = {},
): Promise<string | undefined> {
  const input = streams.input ?? process.stdin;
  const output = streams.output ?? process.stderr;
  if (!input.isTTY || typeof input.setRawMode !== 'function') return undefined;
  output.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string): void => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n') {
            input.off('data', onData);
            resolve(value);
            return;
          }
          if (char === '\u0003') {
            input.off('data', onData);
            reject(new Error('cancelled'));
            return;
          }
          value = char === '\u007f' || char === '\b' ? value.slice(0, -1) : value + char;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
    output.write('\n');
  }
}
