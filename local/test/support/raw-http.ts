import { connect } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  /** Header values by lower-case name (the last one wins). */
  readonly headers: Record<string, string>;
  /** The body as UTF-8 text. */
  readonly body: string;
  /** The body's bytes. */
  readonly bytes: Buffer;
}

/**
 * Sends exactly `head` (the request line and headers, without the blank line) and `body` on a new
 * connection and reads the answer until the server closes it. For requests no HTTP client would send: a
 * rebinding page's Host, no Host at all, malformed bodies. Adds `Connection: close`, so the server ends the
 * connection after its answer.
 */
export function rawExchange(
  port: number,
  head: string,
  body: string | Buffer = '',
  timeoutMs = 15_000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, end < 0 ? text.length : end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let rest = end < 0 ? '' : text.slice(end + 4);
      if (headers['transfer-encoding'] === 'chunked') rest = dechunk(rest);
      const bytes = Buffer.from(rest, 'latin1');
      resolve({ status: Number(statusLine.split(' ')[1] ?? 0), headers, body: bytes.toString('utf8'), bytes });
    });
    // No half-close: Node's server drops a request whose client ends its side before the answer.
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
    socket.write(body);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms`)));
  });
}

function dechunk(text: string): string {
  let out = '';
  let position = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', position);
    if (lineEnd < 0) return out;
    const size = Number.parseInt(text.slice(position, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    position = lineEnd + 2 + size + 2;
  }
}
