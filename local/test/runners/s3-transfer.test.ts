import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { downloadS3Data } from '../../src/runners/s3-transfer.js';
import { ObjectStore } from '../../src/storage/object-store.js';
import { tempDir } from '../support/harness.js';

describe('staging job inputs from keys that are not file paths', () => {
  const root = tempDir('slipway-stage-');
  const store = new ObjectStore(join(root, 'data'));
  afterAll(() => {
    store.close();
    rmSync(root, { recursive: true, force: true });
  });
  const stage = (prefix: string, into: string) =>
    downloadS3Data(store, `s3://bkt/${prefix}`, 'S3Prefix', join(root, into), 'Job j', 'ProcessingInputs[0]');

  it('skips folder markers and collapses empty segments, as a path join does', async () => {
    await store.put('bkt', 'ok/', '');
    await store.put('bkt', 'ok/a.csv', 'a');
    await store.put('bkt', 'ok//deep//b.csv', 'b');
    expect(await stage('ok/', 'ok')).toBe(2);
    expect(readFileSync(join(root, 'ok', 'deep', 'b.csv'), 'utf8')).toBe('b');
    expect(readdirSync(join(root, 'ok')).sort()).toEqual(['a.csv', 'deep']);
  });

  it.each([
    ['a ".." segment', 'dots/', ['dots/a/../../escape']],
    ['an object that is also a folder', 'both/', ['both/x', 'both/x/y']],
    ['two keys that are one file', 'twice/', ['twice/a//b', 'twice/a/b']],
    ['a name over 255 bytes', 'long/', [`long/${'n'.repeat(256)}`]],
  ])('fails the job before copying anything for %s, naming the key', async (_name, prefix, keys) => {
    for (const key of keys) await store.put('bkt', key, key);
    const into = `bad-${prefix.replace('/', '')}`;
    await expect(stage(prefix, into)).rejects.toThrow(/Job j.*ProcessingInputs\[0\]\.S3Uri.*names the object/s);
    expect(readdirSync(join(root, into))).toEqual([]);
    expect(readdirSync(root).some((name) => name.includes('escape'))).toBe(false);
  });
});
