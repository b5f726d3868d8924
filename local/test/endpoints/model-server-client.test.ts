// The InvokeEndpoint proxy's HTTP/1.1 client for model servers, against a scripted peer on 127.0.0.1 that
// answers exactly the bytes each case needs (Node's own server would normalise them).
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { ModelServerClient, type ModelAnswer } from '../../src/endpoints/model-server-client.js';

interface Peer {
  readonly port: number;
  /** Every request received (head and body as text), in order. */
  readonly requests: string[];
  connections: number;
}

let server: Server | undefined;
let client: ModelServerClient | undefined;

afterEach(async () => {
  client?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A peer that calls `answer` once a whole request (by Content-Length, or up to a chunked body's end) is in. */
async function peer(answer: (socket: Socket, request: string, index: number) => void): Promise<Peer> {
  const state: Peer = { port: 0, requests: [], connections: 0 };
  server = createServer((socket) => {
    state.connections += 1;
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.slice(0, end);
        const length = /content-length: (\d+)/i.exec(head);
        let total: number;
        if (length) total = end + 4 + Number(length[1]);
        else {
          const last = buffer.indexOf('0\r\n\r\n', end + 4);
          if (last < 0) return;
          total = last + 5;
        }
        if (buffer.length < total) return;
        const request = buffer.slice(0, total);
        buffer = buffer.slice(total);
        state.requests.push(request);
        answer(socket, request, state.requests.length - 1);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { port: (server!.address() as AddressInfo).port });
}

function body(text: string): PassThrough {
  const stream = new PassThrough();
  setImmediate(() => stream.end(text));
  return stream;
}

function invoke(
  target: ModelServerClient,
  text: string,
  options: { known?: boolean; headers?: [string, string][]; timeoutMs?: number } = {},
): Promise<ModelAnswer> {
  return new Promise((resolve, reject) =>
    target.invoke(
      {
        headers: options.headers ?? [['content-type', 'application/json']],
        ...(options.known === false ? {} : { contentLength: Buffer.byteLength(text) }),
        body: body(text),
      },
      options.timeoutMs ?? 5000,
      (error, answer) => (error ? reject(error) : resolve(answer!)),
    ),
  );
}

const ok = (text: string, extra = '') =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${extra}\r\n${text}`;

describe('ModelServerClient', () => {
  it('sends POST /invocations with the headers and body, and reuses the connection', async () => {
    const model = await peer((socket, _request, index) => socket.write(ok(`{"n": ${index}}`)));
    client = new ModelServerClient(model.port);
    const first = await invoke(client, '{"instances": ["a"]}');
    const second = await invoke(client, '{"instances": ["b"]}');
    expect([first.status, first.body.toString(), first.headers['content-type']]).toEqual([
      200,
      '{"n": 0}',
      'application/json',
    ]);
    expect(second.body.toString()).toBe('{"n": 1}');
    expect(model.connections).toBe(1);
    expect(model.requests[0]).toMatch(/^POST \/invocations HTTP\/1\.1\r\n/);
    expect(model.requests[0]).toMatch(/\r\ncontent-type: application\/json\r\n/);
    expect(model.requests[0]).toMatch(/\r\nContent-Length: 20\r\n\r\n\{"instances": \["a"\]\}$/);
  });

  it('streams a body of unknown length chunked, and reads a chunked answer', async () => {
    const model = await peer((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
    );
    client = new ModelServerClient(model.port);
    const answer = await invoke(client, 'x,y\n1,2\n', { known: false });
    expect(answer.body.toString()).toBe('hello world');
    expect(model.requests[0]).toMatch(/Transfer-Encoding: chunked\r\n\r\n8\r\nx,y\n1,2\n\r\n0\r\n\r\n$/);
  });

  it('opens a new connection after an answer with Connection: close', async () => {
    const model = await peer((socket) => socket.end(ok('{}', 'Connection: close\r\n')));
    client = new ModelServerClient(model.port);
    await invoke(client, '{}');
    await invoke(client, '{}');
    expect(model.connections).toBe(2);
  });

  it('passes an error status on with its body', async () => {
    const model = await peer((socket) =>
      socket.write('HTTP/1.1 400 Bad Request\r\nContent-Length: 18\r\n\r\n{"error": "no way"'),
    );
    client = new ModelServerClient(model.port);
    const answer = await invoke(client, '{}');
    expect([answer.status, answer.body.toString()]).toEqual([400, '{"error": "no way"']);
  });

  it('reads a large answer that arrives in many pieces', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const model = await peer((socket) => socket.write(ok(big)));
    client = new ModelServerClient(model.port);
    expect((await invoke(client, big)).body.length).toBe(big.length);
  });

  it('fails, naming why, when no answer comes in time or the connection drops', async () => {
    const silent = await peer(() => undefined);
    client = new ModelServerClient(silent.port);
    await expect(invoke(client, '{}', { timeoutMs: 100 })).rejects.toThrow('the model did not answer within');
    client.close();
    await new Promise((resolve) => server!.close(resolve));
    const dropping = await peer((socket) => socket.destroy());
    client = new ModelServerClient(dropping.port);
    await expect(invoke(client, '{}')).rejects.toThrow('closed the connection before answering');
    client.close();
    await new Promise((resolve) => server!.close(resolve));
    const garbled = await peer((socket) => socket.write('SMTP ready\r\n\r\n'));
    client = new ModelServerClient(garbled.port);
    await expect(invoke(client, '{}')).rejects.toThrow('malformed status line');
  });

  it('refuses header values that would split the request', async () => {
    const model = await peer((socket) => socket.write(ok('{}')));
    client = new ModelServerClient(model.port);
    await expect(invoke(client, '{}', { headers: [['accept', 'text/csv\r\nX-Injected: 1']] })).rejects.toThrow(
      'line break',
    );
    expect(model.requests).toEqual([]);
  });
});
