import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runCli } from './support/run-cli.js';
import { EXIT_CODES } from '../src/failure.js';

/** `slipway studio`'s refusals; opening the console of a running server is in studio/test/browser-loop.test.ts. */
describe('slipway studio', () => {
  it('says how to start a server when none runs for the data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-studio-cli-'));
    const result = await runCli(['studio', '--data-dir', dataDir, '--no-open']);
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/has no local server running: start one with `npx slipway local up`/);
  });

  it('says so when the running server has no console token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'slipway-studio-cli-'));
    // This process stands in for the server: alive, and without studio.json.
    writeFileSync(join(dataDir, 'server.json'), JSON.stringify({ url: 'http://127.0.0.1:1', pid: process.pid }));
    const result = await runCli(['studio', '--data-dir', dataDir, '--no-open']);
    expect(result.code).toBe(EXIT_CODES.failure);
    expect(result.stderr).toMatch(/studio.json has no console token of the running server/);
  });

  it('refuses --allow-approve without --aws, and an --aws port that is not one', async () => {
    const allow = await runCli(['studio', '--allow-approve']);
    expect(allow.code).toBe(EXIT_CODES.failure);
    expect(allow.stderr).toMatch(/--allow-approve applies to --aws only/);
    const port = await runCli(['studio', '--aws', '--port', 'http']);
    expect(port.code).toBe(EXIT_CODES.failure);
    expect(port.stderr).toMatch(/--port must be a whole number from 0 to 65535, got "http"/);
  });
});
