// The local server in its own process (for load tests from another process). Prints {"url", "credentials"}
// when ready.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startLocalServer } from '@slipway/local';
import { SleepRunner } from './harness.mjs';

const server = await startLocalServer({
  dataDir: mkdtempSync(join(tmpdir(), 'slipway-bench-server-')),
  runners: { Processing: new SleepRunner('Processing') },
  logger: silentLogger,
});
process.stdout.write(`${JSON.stringify({ url: server.url, credentials: server.credentials })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
