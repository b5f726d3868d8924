// The local server in its own process (for load tests from another process). Prints {"url", "credentials",
// "dataDir"} when ready; on SIGTERM it closes and removes its temporary data dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startLocalServer } from '@slipway/local';
import { SleepRunner } from './harness.mjs';

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-server-'));
const server = await startLocalServer({
  dataDir,
  runners: { Processing: new SleepRunner('Processing') },
  logger: silentLogger,
});
process.on(
  'SIGTERM',
  () =>
    void server
      .close()
      .finally(() => rmSync(dataDir, { recursive: true, force: true }))
      .then(() => process.exit(0)),
);
// Only now say it is ready: a parent that stops it on reading the line must find the handler in place.
process.stdout.write(`${JSON.stringify({ url: server.url, credentials: server.credentials, dataDir })}\n`);
