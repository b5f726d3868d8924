import { connect, type Socket } from 'node:net';

/** A model server's answer to one invocation, read whole. */
export interface ModelAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The request side of one invocation: its headers, and its body as it arrives. */
export interface ModelRequest {
  /** Header names and values to send (Host, Content-Length or Transfer-Encoding are added here). */
  readonly headers: readonly (readonly [string, string])[];
  /** The body's length when the caller knows it; otherwise it is sent chunked. */
  readonly contentLength?: number;
  /** Registers for the body's chunks, its end and its failure (an IncomingMessage's 'data'/'end'/'error'). */
  readonly body: BodySource;
}

export interface BodySource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

export type AnswerCallback = (error: Error | undefined, answer?: ModelAnswer) => void;

/** How many bytes of a request are batched into one write before the rest is streamed. */
const CORK_LIMIT = 64 * 1024;
/** Idle connections kept per model server; more are closed once they are free. */
const MAX_IDLE = 64;
/**
 * A connection is closed, rather than kept, once it is this old: a model server's workers share one port
 * (SO_REUSEPORT) and the kernel spreads connections over them as they are opened, so fresh connections reach
 * a worker that joined after the first ones were made, and rebalance an uneven spread.
 */
const RECYCLE_AFTER_MS = 5000;
const CRLF_CRLF = Buffer.from('\r\n\r\n');

/**
 * Keep-alive HTTP/1.1 connections to one model server (`slipway_serving` on 127.0.0.1), for InvokeEndpoint.
 * It speaks only what that exchange needs: `POST /invocations` out, one request per connection at a time, and
 * an answer framed by Content-Length or chunked, read whole. Node's general HTTP client costs several times
 * the CPU per request (a ClientRequest, an IncomingMessage, an agent and stream pipes), and on a 2-core machine
 * that CPU is what the model server's workers need.
 */
export class ModelServerClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private closed = false;

  constructor(
    readonly port: number,
    private readonly host = '127.0.0.1',
  ) {}

  /**
   * Sends one invocation; `done` is called exactly once, with the whole answer, or with an error when the
   * connection fails, the server closes it before answering, or no answer comes within `timeoutMs`.
   * Returns a function that abandons the exchange (the connection is closed; `done` is not called).
   */
  invoke(request: ModelRequest, timeoutMs: number, done: AnswerCallback): () => void {
    if (this.closed) {
      done(new Error('the model server is stopped'));
      return () => undefined;
    }
    const invalid = request.headers.find(([name, value]) => /[\r\n\0]/.test(name) || /[\r\n\0]/.test(value));
    if (invalid) {
      done(new Error(`the header ${invalid[0]} holds a line break or NUL`));
      return () => undefined;
    }
    const connection = this.idle.pop() ?? this.open();
    connection.send(request, timeoutMs, done);
    return () => connection.destroy(new Error('abandoned'), false);
  }

  /** Closes every connection; exchanges in progress fail. */
  close(): void {
    this.closed = true;
    for (const connection of this.all) connection.destroy(new Error('the model server is stopped'));
    this.idle.length = 0;
  }

  private open(): Connection {
    const connection = new Connection(connect(this.port, this.host), this.port, {
      free: (free) => {
        if (this.closed || this.idle.length >= MAX_IDLE || free.age > RECYCLE_AFTER_MS) free.destroy(undefined);
        else this.idle.push(free);
      },
      gone: (gone) => {
        this.all.delete(gone);
        const index = this.idle.indexOf(gone);
        if (index >= 0) this.idle.splice(index, 1);
      },
    });
    this.all.add(connection);
    return connection;
  }
}

interface Owner {
  free(connection: Connection): void;
  gone(connection: Connection): void;
}

/** One kept-alive connection: sends a request, parses its answer, then is free again. */
class Connection {
  private pending: AnswerCallback | undefined;
  private received: Buffer[] = [];
  private receivedBytes = 0;
  private head: { status: number; headers: Record<string, string>; bodyStart: number } | undefined;
  private closeAfter = false;
  private destroyed = false;
  /** The answer's total size in bytes, once its head says (Content-Length framing). */
  private expected: number | undefined;
  private timeoutText = '';
  private readonly openedAt = Date.now();

  constructor(
    private readonly socket: Socket,
    private readonly port: number,
    private readonly owner: Owner,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // Always listened to: an unheard 'error' would end the server's process.
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy(new Error('the model server closed the connection before answering')));
    socket.on('timeout', () => this.destroy(new Error(`the model did not answer within ${this.timeoutText}`)));
  }

  /** How long ago the connection was opened, in milliseconds. */
  get age(): number {
    return Date.now() - this.openedAt;
  }

  send(request: ModelRequest, timeoutMs: number, done: AnswerCallback): void {
    this.pending = done;
    this.timeoutText = `${Math.round(timeoutMs / 1000)} s`;
    this.socket.setTimeout(timeoutMs);
    const chunked = request.contentLength === undefined;
    let head = `POST /invocations HTTP/1.1\r\nHost: 127.0.0.1:${this.port}\r\n`;
    for (const [name, value] of request.headers) head += `${name}: ${value}\r\n`;
    head += chunked ? 'Transfer-Encoding: chunked\r\n\r\n' : `Content-Length: ${request.contentLength}\r\n\r\n`;
    const socket = this.socket;
    // The head and a small body leave in one write.
    socket.cork();
    let corked = true;
    const uncork = () => {
      if (corked) {
        corked = false;
        socket.uncork();
      }
    };
    socket.write(head, 'latin1');
    const body = request.body;
    body.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      if (chunked) socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      const flowing = socket.write(chunk);
      if (chunked) socket.write('\r\n', 'latin1');
      if (socket.writableLength > CORK_LIMIT) uncork();
      if (!flowing && !corked) {
        body.pause();
        socket.once('drain', () => body.resume());
      }
    });
    body.once('end', () => {
      if (this.destroyed) return;
      if (chunked) socket.write('0\r\n\r\n', 'latin1');
      uncork();
    });
    body.once('error', (error) => this.destroy(error));
  }

  destroy(error: Error | undefined, report = true): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.socket.destroy();
    this.owner.gone(this);
    const pending = this.pending;
    this.pending = undefined;
    if (pending && report) pending(error ?? new Error('the connection was closed'));
  }

  private onData(chunk: Buffer): void {
    if (!this.pending) {
      // Bytes nobody asked for: the connection is out of step; never reuse it.
      this.destroy(undefined);
      return;
    }
    this.received.push(chunk);
    this.receivedBytes += chunk.length;
    if (this.expected !== undefined && this.receivedBytes < this.expected) return; // a large body still arriving
    const data = this.received.length === 1 ? chunk : Buffer.concat(this.received, this.receivedBytes);
    if (this.received.length > 1) this.received = [data];
    try {
      const answer = this.parse(data);
      if (answer) this.finish(answer);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  /** The whole answer once it is all here; undefined while more bytes are due. */
  private parse(data: Buffer): ModelAnswer | undefined {
    if (!this.head) {
      const end = data.indexOf(CRLF_CRLF);
      if (end < 0) {
        if (data.length > 64 * 1024) throw new Error('the model server sent a header block over 64 KiB');
        return undefined;
      }
      const lines = data.toString('latin1', 0, end).split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!status) throw new Error(`the model server sent a malformed status line: ${JSON.stringify(lines[0])}`);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.head = { status: Number(status[1]), headers, bodyStart: end + 4 };
      this.closeAfter = /\bclose\b/i.test(headers['connection'] ?? '');
    }
    const { status, headers, bodyStart } = this.head;
    if (status < 200) {
      // An interim answer (100 Continue): the real one follows.
      this.head = undefined;
      this.received = data.length > bodyStart ? [data.subarray(bodyStart)] : [];
      this.receivedBytes = data.length - bodyStart;
      return this.received.length > 0 ? this.parse(this.received[0]!) : undefined;
    }
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const body = dechunk(data, bodyStart);
      return body ? { status, headers, body } : undefined;
    }
    const declared = headers['content-length'];
    if (declared === undefined) {
      throw new Error('the model server answered without Content-Length or chunked framing');
    }
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length < 0)
      throw new Error(`the model server sent Content-Length ${declared}`);
    this.expected = bodyStart + length;
    if (data.length < bodyStart + length) return undefined;
    if (data.length > bodyStart + length) throw new Error('the model server sent more than its Content-Length');
    return { status, headers, body: data.subarray(bodyStart) };
  }

  private finish(answer: ModelAnswer): void {
    const done = this.pending!;
    this.pending = undefined;
    this.head = undefined;
    this.expected = undefined;
    this.received = [];
    this.receivedBytes = 0;
    this.socket.setTimeout(0);
    if (this.closeAfter) this.destroy(undefined);
    else this.owner.free(this);
    done(undefined, answer);
  }
}

/** The body of a chunked message starting at `start`, once its last chunk is here; undefined before. */
function dechunk(data: Buffer, start: number): Buffer | undefined {
  const parts: Buffer[] = [];
  let position = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', position, 'latin1');
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.toString('latin1', position, lineEnd).split(';')[0]!, 16);
    if (!Number.isFinite(size) || size < 0) throw new Error('the model server sent a malformed chunk size');
    if (size === 0) {
      // The last chunk; trailers, if any, end with an empty line.
      return data.indexOf(CRLF_CRLF, lineEnd) < 0 ? undefined : Buffer.concat(parts);
    }
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    position = lineEnd + 2 + size + 2;
  }
}
