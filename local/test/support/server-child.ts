/**
 * A local server in its own process, for tests that must kill it (crash safety). Started by
 * `spawnServerProcess`; prints `{"url", "pid", "region", "credentials"}` on stdout once it listens. Processing jobs sleep in-process
 * (SleepRunner), so a SIGKILL leaves no job processes behind.
 */
import { startLocalServer, silentLogger } from '@slipway/local';
import { SleepRunner } from './subprocess-runner.js';

const [dataDir = '', port = '0'] = process.argv.slice(2);
const server = await startLocalServer({
  dataDir,
  port: Number(port),
  runners: { Processing: new SleepRunner('Processing') },
  logger: silentLogger,
  events: { retryBaseMs: 50, retryMaxMs: 200 },
});
process.stdout.write(
  `${JSON.stringify({ url: server.url, pid: process.pid, region: server.region, credentials: server.credentials })}\n`,
);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
