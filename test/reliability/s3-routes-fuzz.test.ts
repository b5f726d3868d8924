import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { signRawRequest, type AwsCredentials } from '@slipway/core';
import { tempDir } from '../../local/test/support/harness.js';
import { rawExchange, type RawAnswer } from '../../local/test/support/raw-http.js';
import { spawnServerProcess, type ServerProcess } from '../../local/test/support/server-process.js';
import { recordFigures, runs } from './support/reliability.js';

/**
 * Property: no request to the S3 routes ends the server process, every answer is S3-shaped (an XML
 * `<Error>` with a code for anything but success; never an internal error), and nothing is half-written
 * (an object is whole and current after a successful PUT, and as it was after a failed one). Requests are
 * sent as exact bytes over a socket: methods, keys (valid and broken percent-encoding, `.`/`..`, unicode),
 * sub-resources, headers (ranges, lengths, encodings), and bodies plain, chunked, or aws-chunked (well formed
 * or mutated), mostly signed with the server's secret so that they reach the S3 handler.
 */

const BUCKET = 'fuzz';

type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'plain'; readonly data: Uint8Array }
  | { readonly kind: 'aws-chunked'; readonly data: Uint8Array; readonly sizes: number[]; readonly trailer: boolean }
  | {
      readonly kind: 'aws-chunked-mutated';
      readonly data: Uint8Array;
      readonly sizes: number[];
      readonly cut: number;
      readonly flip: { at: number; byte: number } | null;
    }
  | { readonly kind: 'aws-chunked-garbage'; readonly bytes: Uint8Array };

interface S3Input {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly query: string;
  readonly body: Body;
  readonly transfer: 'length' | 'chunked';
  readonly extra: Readonly<Record<string, string>>;
  readonly auth: 'signed' | 'unsigned' | 'wrong-secret';
}

const segment = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map(encodeURIComponent) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('.', '..', '', '%zz', '%', '%2F', '%2e%2e', '%5C', 'a%00b', '~', '%C3%28', '%EF%BF%BF'),
  },
  {
    weight: 2,
    arbitrary: fc.string({ unit: fc.constantFrom(...[..."abcXYZ019-_.~!$&'()*+,;=:@%"]), minLength: 1, maxLength: 8 }),
  },
);
const keyArbitrary = fc.oneof(
  { weight: 4, arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')) },
  { weight: 1, arbitrary: fc.constantFrom('k', 'a/b', 'dir/') },
);
const bucketArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.constant(BUCKET) },
  { weight: 1, arbitrary: fc.constant('no-such-bucket') },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ab.-_%A1'.split('')), maxLength: 70 }) },
);
const queryArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'list-type=2',
      'list-type=2&prefix=a&delimiter=%2F',
      'list-type=2&max-keys=-1',
      'list-type=2&max-keys=1&continuation-token=%%%',
      'list-type=2&continuation-token=Zm9v',
      'list-type=2&encoding-type=url&start-after=%E2%82%AC',
      'uploads',
      'uploadId=1&partNumber=2',
      'acl',
      'versionId=3',
      'delete',
      'x-id=PutObject',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ab=&%2+'.split('')), maxLength: 12 }) },
);
const dataArbitrary = fc.uint8Array({ maxLength: 3000 });
const sizesArbitrary = fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 5 });
const bodyArbitrary: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
  { weight: 3, arbitrary: dataArbitrary.map((data): Body => ({ kind: 'plain', data })) },
  {
    weight: 3,
    arbitrary: fc
      .record({ data: dataArbitrary, sizes: sizesArbitrary, trailer: fc.boolean() })
      .map((body): Body => ({ kind: 'aws-chunked', ...body })),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        data: dataArbitrary,
        sizes: sizesArbitrary,
        cut: fc.nat(),
        flip: fc.option(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })),
      })
      .map((body): Body => ({ kind: 'aws-chunked-mutated', ...body })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(
          ...[
            'zz;chunk-signature=\r\n',
            '-1\r\n',
            '5\r\nhello',
            '5\r\nhelloXX0\r\n\r\n',
            'fffffffffffff\r\n',
            '0x5\r\nhello\r\n0\r\n\r\n',
          ].map((text) => new Uint8Array(Buffer.from(text, 'latin1'))),
        ),
      )
      .map((bytes): Body => ({ kind: 'aws-chunked-garbage', bytes })),
  },
);
const extraArbitrary = fc.record(
  {
    range: fc.constantFrom(
      'bytes=0-0',
      'bytes=5-',
      'bytes=-3',
      'bytes=10-2',
      'bytes=0-99999999999',
      'bytes=a-b',
      'items=0-1',
    ),
    'content-type': fc.constantFrom('text/plain', 'application/octet-stream', '', 'a/b; x="y"'),
    'x-amz-decoded-content-length': fc.constantFrom('0', '1', '99999999999999', '-5', 'abc'),
    'x-amz-copy-source': fc.constant('/fuzz/k'),
    'x-amz-content-sha256': fc.constantFrom('UNSIGNED-PAYLOAD', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'nonsense'),
  },
  { requiredKeys: [] },
);
const inputArbitrary: fc.Arbitrary<S3Input> = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'PUT', 'PUT', 'HEAD', 'DELETE', 'POST', 'OPTIONS', 'PATCH'),
  bucket: bucketArbitrary,
  key: keyArbitrary,
  query: queryArbitrary,
  body: bodyArbitrary,
  transfer: fc.constantFrom('length' as const, 'chunked' as const),
  extra: extraArbitrary,
  auth: fc.oneof(
    { weight: 10, arbitrary: fc.constant('signed' as const) },
    { weight: 1, arbitrary: fc.constant('unsigned' as const) },
    { weight: 1, arbitrary: fc.constant('wrong-secret' as const) },
  ),
});

function awsChunked(data: Uint8Array, sizes: readonly number[], trailer: boolean): Buffer {
  const parts: Buffer[] = [];
  const signature = ';chunk-signature=' + 'a'.repeat(64);
  let offset = 0;
  for (let i = 0; offset < data.length; i += 1) {
    const size = Math.min(sizes[i % sizes.length]!, data.length - offset);
    parts.push(
      Buffer.from(`${size.toString(16)}${signature}\r\n`),
      Buffer.from(data.subarray(offset, offset + size)),
      Buffer.from('\r\n'),
    );
    offset += size;
  }
  parts.push(Buffer.from(`0${signature}\r\n${trailer ? 'x-amz-checksum-crc32:AAAAAA==\r\n' : ''}\r\n`));
  return Buffer.concat(parts);
}

/** The body bytes as sent, the object bytes a successful PUT must store (undefined: unknown), and its headers. */
function encodeBody(body: Body): { wire: Buffer; stored: Buffer | undefined; headers: Record<string, string> } {
  switch (body.kind) {
    case 'none':
      return { wire: Buffer.alloc(0), stored: Buffer.alloc(0), headers: {} };
    case 'plain':
      return { wire: Buffer.from(body.data), stored: Buffer.from(body.data), headers: {} };
    case 'aws-chunked':
      return {
        wire: awsChunked(body.data, body.sizes, body.trailer),
        stored: Buffer.from(body.data),
        headers: awsChunkedHeaders(body.data.length),
      };
    case 'aws-chunked-mutated': {
      const wire = awsChunked(body.data, body.sizes, false);
      const cut = wire.subarray(0, body.cut % (wire.length + 1));
      const mutated = Buffer.from(cut);
      if (body.flip && mutated.length > 0) mutated[body.flip.at % mutated.length] = body.flip.byte;
      return { wire: mutated, stored: undefined, headers: awsChunkedHeaders(body.data.length) };
    }
    case 'aws-chunked-garbage':
      return { wire: Buffer.from(body.bytes), stored: undefined, headers: awsChunkedHeaders(body.bytes.length) };
  }
}

function awsChunkedHeaders(decodedLength: number): Record<string, string> {
  return {
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-decoded-content-length': String(decodedLength),
  };
}

function frame(wire: Buffer, transfer: 'length' | 'chunked'): { headers: Record<string, string>; bytes: Buffer } {
  if (transfer === 'length') return { headers: { 'content-length': String(wire.length) }, bytes: wire };
  const parts: Buffer[] = [];
  for (let offset = 0; offset < wire.length; offset += 700) {
    const piece = wire.subarray(offset, offset + 700);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return { headers: { 'transfer-encoding': 'chunked' }, bytes: Buffer.concat(parts) };
}

/** Sends one request as exact bytes, signed (or not) over exactly those bytes' path and query. */
function send(
  server: ServerProcess,
  request: { method: string; rawPath: string; rawQuery: string; headers: Record<string, string>; body: Buffer },
  auth: S3Input['auth'] = 'signed',
): Promise<RawAnswer> {
  const port = Number(new URL(server.url).port);
  const credentials: AwsCredentials =
    auth === 'wrong-secret' ? { accessKeyId: 'slipway-local', secretAccessKey: 'x'.repeat(40) } : server.credentials;
  const target = `${request.rawPath}${request.rawQuery ? `?${request.rawQuery}` : ''}`;
  const headers =
    auth === 'unsigned'
      ? { ...request.headers, host: `127.0.0.1:${port}` }
      : signRawRequest({
          method: request.method,
          host: `127.0.0.1:${port}`,
          rawPath: request.rawPath,
          rawQuery: request.rawQuery,
          headers: request.headers,
          payloadHash: createHash('sha256').update(request.body).digest('hex'),
          credentials,
          region: server.region,
          service: 's3',
        });
  const head = [`${request.method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`)];
  return rawExchange(port, head.join('\r\n'), request.body);
}

function objectKey(rawKey: string): string | undefined {
  try {
    return decodeURIComponent(rawKey);
  } catch {
    return undefined;
  }
}

describe('reliability: fuzzing the S3 routes of a server in its own process', () => {
  const dataDir = tempDir('slipway-s3-fuzz-');
  let server: ServerProcess;
  let exited = false;
  beforeAll(async () => {
    server = await spawnServerProcess(dataDir);
    void server.exited.then(() => (exited = true));
    const created = await send(server, {
      method: 'PUT',
      rawPath: `/${BUCKET}`,
      rawQuery: '',
      headers: {},
      body: Buffer.alloc(0),
    });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
  });

  const numRuns = runs(150, 3000);
  it(
    `answers ${numRuns} generated requests in S3's shape, never ends, never half-writes`,
    async () => {
      /** What each object must hold: the model the server is checked against. */
      const model = new Map<string, Buffer>();
      let refused = 0;
      let tried = 0;
      let lost = 0;
      await fc.assert(
        fc.asyncProperty(inputArbitrary, async (input) => {
          tried += 1;
          const { wire, stored, headers: bodyHeaders } = encodeBody(input.body);
          const framed = frame(wire, input.transfer);
          const rawPath = `/${input.bucket}${input.key === '' ? '' : `/${input.key}`}`;
          const headers = { ...input.extra, ...bodyHeaders, ...framed.headers };
          const answer = await send(
            server,
            { method: input.method, rawPath, rawQuery: input.query, headers, body: framed.bytes },
            input.auth,
          );
          expect(exited).toBe(false);
          // S3's shape: a request id always; an XML <Error> with a code for every failure (HEAD has no body).
          expect(answer.headers['x-amz-request-id']).toMatch(/^[0-9a-f-]{36}$/);
          expect(answer.status).not.toBe(500);
          if (answer.status >= 300) {
            refused += 1;
            if (input.method !== 'HEAD') {
              expect(answer.headers['content-type']).toBe('application/xml');
              expect(answer.body).toMatch(
                /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>[A-Za-z0-9]+<\/Code><Message>[^<]+<\/Message>/,
              );
            }
          }
          // Nothing half-written: the object is what the model says, read back with a plain signed GET.
          const key = input.bucket === BUCKET ? objectKey(input.key) : undefined;
          if (key === undefined) return;
          const readBack = () =>
            send(server, { method: 'GET', rawPath, rawQuery: '', headers: {}, body: Buffer.alloc(0) });
          // A 200 to a PUT on an object key is a PutObject (S3 ignores query parameters it does not know there).
          if (input.method === 'PUT' && answer.status === 200) {
            const back = await readBack();
            expect(back.status).toBe(200);
            const content = back.bytes;
            if (stored !== undefined && !stored.equals(content)) lost += 1;
            expect(content.equals(stored ?? content)).toBe(true);
            model.set(key, content);
          } else if (input.method === 'DELETE' && answer.status === 204 && input.auth === 'signed') {
            model.delete(key);
          } else if (model.has(key)) {
            const back = await readBack();
            const intact = back.status === 200 && back.bytes.equals(model.get(key)!);
            if (!intact) lost += 1;
            expect(intact).toBe(true);
          }
        }),
        { numRuns, endOnFailure: true },
      );
      // No upload in progress is left behind (the staging folder is made by the first write, so a run that
      // stored nothing has none); the process still serves.
      const staging = join(dataDir, 's3-tmp');
      expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
      const health = await rawExchange(
        Number(new URL(server.url).port),
        `GET /_slipway/health HTTP/1.1\r\nHost: 127.0.0.1:${new URL(server.url).port}`,
      );
      expect(health.status).toBe(200);
      recordFigures('s3-routes-fuzz', {
        inputs: tried,
        crashes: exited ? 1 : 0,
        dataLost: lost,
        faultsSurvived: refused,
        notes: `${model.size} objects checked against the model at the end`,
      });
    },
    numRuns * 200 + 30_000,
  );
});
