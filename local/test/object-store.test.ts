import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { signRequest } from '@slipway/core';
import { ObjectStore } from '../src/storage/object-store.js';
import { signedFetch, tempDir } from './support/harness.js';
import { spawnServerProcess, type ServerProcess } from './support/server-process.js';

/** Keys as S3 takes them: any UTF-8, with the pieces that used to collide on disk made likely. */
const keyArbitrary = fc
  .array(
    fc.oneof(
      fc.constantFrom('', '.', '..', 'a', 'a.json', 'k', 'é', '✓', ' ', 'x'.repeat(300)),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((segments) => segments.join('/'))
  .filter((key) => key !== '' && Buffer.byteLength(key) <= 1024);

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Files under the data dir that are not the store's own (its database, s3-data/, s3-tmp/). */
function strayFiles(dataDir: string): string[] {
  return readdirSync(dataDir).filter((name) => !/^(slipway\.db.*|s3-data|s3-tmp)$/.test(name));
}

describe('the object store: key → storage mapping (properties)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps any set of keys apart: each reads back its own bytes and the listing is exactly the keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(keyArbitrary, { minLength: 1, maxLength: 12 }), async (keys) => {
        const dir = tempDir('slipway-keys-');
        dirs.push(dir);
        const store = new ObjectStore(dir);
        try {
          for (const [index, key] of keys.entries()) await store.put('bkt', key, `body ${index}`);
          for (const [index, key] of keys.entries()) {
            expect((await store.get('bkt', key))?.toString()).toBe(`body ${index}`);
          }
          expect((await store.list('bkt')).map((info) => info.key)).toEqual([...keys].sort(byBytes));
          expect(strayFiles(dir)).toEqual([]);
          // Removing one key leaves every other one as it was.
          await store.delete('bkt', keys[0]!);
          expect(await store.head('bkt', keys[0]!)).toBeUndefined();
          for (const [index, key] of keys.entries()) {
            if (index > 0) expect((await store.get('bkt', key))?.toString()).toBe(`body ${index}`);
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  it('pages a listing as S3 does: prefix, delimiter, max-keys, and the next page after the marker', async () => {
    const dir = tempDir('slipway-list-');
    dirs.push(dir);
    const store = new ObjectStore(dir);
    const keys = fc.sample(fc.uniqueArray(keyArbitrary, { minLength: 30, maxLength: 60 }), { numRuns: 1, seed: 7 })[0]!;
    for (const key of keys) await store.put('bkt', key, key);
    try {
      fc.assert(
        fc.property(
          fc.constantFrom('', 'a', 'a/', '.', '..', 'k/', 'é'),
          fc.constantFrom('', '/', '.', 'a'),
          fc.integer({ min: 1, max: 7 }),
          (prefix, delimiter, maxKeys) => {
            const expected: string[] = [];
            for (const key of [...keys].sort(byBytes)) {
              if (!key.startsWith(prefix)) continue;
              const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
              const entry = cut >= 0 ? key.slice(0, cut + delimiter.length) : key;
              if (expected[expected.length - 1] !== entry) expected.push(entry);
            }
            const seen: string[] = [];
            let startAfter: string | undefined;
            for (let page = 0; page < 200; page += 1) {
              const result = store.listPage('bkt', {
                prefix,
                delimiter,
                maxKeys,
                ...(startAfter ? { startAfter } : {}),
              });
              const entries = [...result.contents.map((info) => info.key), ...result.commonPrefixes].sort(byBytes);
              expect(entries.length).toBeLessThanOrEqual(maxKeys);
              seen.push(...entries);
              if (!result.truncated) break;
              startAfter = result.nextMarker;
            }
            expect(seen).toEqual(expected);
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      store.close();
    }
  });

  it('moves objects of the old one-file-per-key layout into the index, keeping ETag and type', async () => {
    const dir = tempDir('slipway-legacy-');
    dirs.push(dir);
    mkdirSync(join(dir, 's3', 'old', 'runs'), { recursive: true });
    mkdirSync(join(dir, 's3-meta', 'old', 'runs'), { recursive: true });
    writeFileSync(join(dir, 's3', 'old', 'runs', 'a.json'), '{"a":1}');
    writeFileSync(
      join(dir, 's3-meta', 'old', 'runs', 'a.json.json'),
      JSON.stringify({ etag: '"kept"', contentType: 'application/json' }),
    );
    writeFileSync(join(dir, 's3', 'old', 'plain.txt'), 'plain');
    const store = new ObjectStore(dir);
    try {
      expect(await store.recover()).toEqual({ removedFiles: 0, migratedObjects: 2 });
      expect(await store.head('old', 'runs/a.json')).toMatchObject({ etag: '"kept"', contentType: 'application/json' });
      expect((await store.get('old', 'plain.txt'))?.toString()).toBe('plain');
      expect((await store.head('old', 'plain.txt'))?.etag).toBe(`"${createHash('md5').update('plain').digest('hex')}"`);
      expect(existsSync(join(dir, 's3'))).toBe(false);
      expect(existsSync(join(dir, 's3-meta'))).toBe(false);
    } finally {
      store.close();
    }
  });
});

describe('a crash mid-upload leaves no half object visible (issue 10)', () => {
  const dataDir = tempDir('slipway-s3-crash-');
  let server: ServerProcess | undefined;
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts a PUT of `total` declared bytes, sends `sent` of them, and resolves once the server has them. */
  function halfPut(target: ServerProcess, path: string, total: number, sent: number): Promise<void> {
    const url = `${target.url}${path}`;
    const headers = signRequest({
      method: 'PUT',
      url,
      headers: { 'content-length': String(total) },
      payloadHash: 'UNSIGNED-PAYLOAD',
      credentials: target.credentials,
      region: target.region,
      service: 's3',
    });
    const request = httpRequest(url, { method: 'PUT', headers });
    request.on('error', () => undefined);
    request.write(Buffer.alloc(sent, 1));
    return new Promise((resolve) => setTimeout(resolve, 500));
  }

  it('forgets a PUT and a part cut short by SIGKILL, keeps the finished part, and removes the leftovers at start', async () => {
    server = await spawnServerProcess(dataDir);
    expect((await signedFetch(server, '/crash', { method: 'PUT', service: 's3' })).status).toBe(200);
    expect((await signedFetch(server, '/crash/whole', { method: 'PUT', body: 'old', service: 's3' })).status).toBe(200);
    const created = await signedFetch(server, '/crash/multi?uploads', { method: 'POST', service: 's3' });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1]!;
    const part = Buffer.alloc(5 * 1024 * 1024, 2);
    const first = await signedFetch(server, `/crash/multi?partNumber=1&uploadId=${uploadId}`, {
      method: 'PUT',
      body: part,
      service: 's3',
    });
    expect(first.status).toBe(200);
    await halfPut(server, '/crash/whole', 4 * 1024 * 1024, 1024 * 1024);
    await halfPut(server, `/crash/multi?partNumber=2&uploadId=${uploadId}`, 4 * 1024 * 1024, 1024 * 1024);
    expect(readdirSync(join(dataDir, 's3-tmp')).length).toBeGreaterThanOrEqual(2);
    // A file no row names, as a crash between publishing a file and committing its row leaves one.
    mkdirSync(join(dataDir, 's3-data', 'ab'), { recursive: true });
    writeFileSync(join(dataDir, 's3-data', 'ab', `ab${'0'.repeat(30)}`), 'orphan');
    server.child.kill('SIGKILL');
    await server.exited;

    server = await spawnServerProcess(dataDir);
    const whole = await signedFetch(server, '/crash/whole', { service: 's3' });
    expect(await whole.text()).toBe('old');
    expect((await signedFetch(server, '/crash/multi', { method: 'HEAD', service: 's3' })).status).toBe(404);
    const parts = await (await signedFetch(server, `/crash/multi?uploadId=${uploadId}`, { service: 's3' })).text();
    expect([...parts.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => match[1])).toEqual(['1']);
    // Emptied (the folder itself is made again by the next write).
    expect(existsSync(join(dataDir, 's3-tmp')) ? readdirSync(join(dataDir, 's3-tmp')) : []).toEqual([]);
    expect(existsSync(join(dataDir, 's3-data', 'ab', `ab${'0'.repeat(30)}`))).toBe(false);
    const etag = first.headers.get('etag')!;
    const completed = await signedFetch(server, `/crash/multi?uploadId=${uploadId}`, {
      method: 'POST',
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
      service: 's3',
    });
    expect(completed.status).toBe(200);
    const object = Buffer.from(await (await signedFetch(server, '/crash/multi', { service: 's3' })).arrayBuffer());
    expect(object.equals(part)).toBe(true);
  });
});

describe('what a client claims about a body is checked before the object is visible', () => {
  let server: ServerProcess | undefined;
  const dataDir = tempDir('slipway-s3-claims-');
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a body whose signed SHA-256, Content-MD5 or x-amz-checksum does not match', async () => {
    server = await spawnServerProcess(dataDir);
    await signedFetch(server, '/claims', { method: 'PUT', service: 's3' });
    const put = (extra: Record<string, string>, payloadHash?: string) => {
      const url = `${server!.url}/claims/k`;
      const headers = signRequest({
        method: 'PUT',
        url,
        headers: extra,
        body: 'actual',
        ...(payloadHash ? { payloadHash } : {}),
        credentials: server!.credentials,
        region: server!.region,
        service: 's3',
      });
      return fetch(url, { method: 'PUT', headers, body: 'actual' });
    };
    const sha = await put({}, createHash('sha256').update('other').digest('hex'));
    expect(sha.status).toBe(400);
    expect(await sha.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    const md5 = await put({ 'content-md5': createHash('md5').update('other').digest('base64') });
    expect(await md5.text()).toContain('<Code>BadDigest</Code>');
    const crc = await put({ 'x-amz-checksum-sha1': createHash('sha1').update('other').digest('base64') });
    expect(await crc.text()).toContain('<Code>BadDigest</Code>');
    expect((await signedFetch(server, '/claims/k', { method: 'HEAD', service: 's3' })).status).toBe(404);
    const good = await put({
      'content-md5': createHash('md5').update('actual').digest('base64'),
      'x-amz-checksum-sha256': createHash('sha256').update('actual').digest('base64'),
    });
    expect(good.status).toBe(200);
    expect(good.headers.get('x-amz-checksum-sha256')).toBe(createHash('sha256').update('actual').digest('base64'));
    expect(readdirSync(join(dataDir, 's3-tmp'))).toEqual([]);
  });

  it('answers malformed XML bodies with MalformedXML, and a DOCTYPE is never expanded', async () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Delete><Object><Key>&a;</Key></Object></Delete>';
    for (const body of ['<Delete>', 'not xml', bomb, '<Delete></Delete>', '<Other/>']) {
      const answer = await signedFetch(server!, '/claims?delete', { method: 'POST', body, service: 's3' });
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain('<Code>MalformedXML</Code>');
    }
  });
});
