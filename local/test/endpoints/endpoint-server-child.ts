/**
 * A local server in its own process, for the endpoint restart tests that kill it with SIGKILL. Bundled by
 * `spawnEndpointServer` three folders below the repository root, so the runtime manager finds the repo's
 * runtimes and `local/python` as it does from the sources. Prints `{"url", "pid", "region", "credentials"}` once
 * listening.
 */
import { silentLogger, startLocalServer } from '@slipway/local';

const [dataDir = ''] = process.argv.slice(2);
const server = await startLocalServer({ dataDir, runners: {}, logger: silentLogger, endpoints: { stopGraceMs: 1000 } });
process.stdout.write(
  `${JSON.stringify({ url: server.url, pid: process.pid, region: server.region, credentials: server.credentials })}\n`,
);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
