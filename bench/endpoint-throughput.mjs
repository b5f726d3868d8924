#!/usr/bin/env node
/* global fetch */
// InvokeEndpoint through the local server (issue 6: ≥ 500 requests/s with p99 ≤ 25 ms for single-review JSON
// on 2 cores, load from a second process). Trains and deploys the seed model behind an endpoint, then loads
// POST /endpoints/{name}/invocations with autocannon in a second process: as fast as it goes, then paced at
// 500 requests/s; and, for comparison, the bare model server behind it, as fast as it goes.
//
// node bench/endpoint-throughput.mjs [--connections 10] [--seconds 10]      (npm run bench -- endpoint-throughput builds first)
import { BODY, autocannon, errorsOf, machine, report, startEndpointWorld } from './endpoint-lib/world.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const connections = argument('connections', 10);
const seconds = argument('seconds', 10);
const TARGET_RATE = 500;

const world = await startEndpointWorld();
try {
  await world.createModelVersion('seed-v1', 'AllTraffic', 'seed-v1');
  const started = Date.now();
  await world.deploy('reviews', 'seed-v1');
  process.stdout.write(`seed model (validation accuracy ${world.accuracy}) InService in ${Date.now() - started} ms\n`);
  const invocation = world.signedInvocation('reviews');
  const probe = await fetch(invocation.url, { method: 'POST', body: BODY, headers: invocation.headers });
  process.stdout.write(
    `sample: ${probe.status} ${probe.headers.get('x-amzn-invoked-production-variant')} ${(await probe.text()).slice(0, 120)}\n`,
  );

  await autocannon({ ...invocation, connections, duration: 2 }); // warm-up
  const saturated = await autocannon({ ...invocation, connections, duration: seconds });
  const paced = await autocannon({ ...invocation, connections, duration: seconds, rate: TARGET_RATE });
  const bareUrl = `${world.server.endpoints.modelServers('reviews')[0].url}/invocations`;
  const bare = await autocannon({ url: bareUrl, connections, duration: seconds });
  const met =
    saturated.requests.average >= TARGET_RATE && paced.latency.p99 <= 25 && errorsOf(saturated) + errorsOf(paced) === 0;
  process.stdout.write(
    [
      `InvokeEndpoint, single-review JSON, ${connections} connections, ${seconds} s per run, ${machine()}, autocannon in a second process`,
      report('through the local server, as fast as it goes:', saturated),
      report(`through the local server, paced at ${TARGET_RATE} requests/s:`, paced),
      report('the bare model server behind it, as fast as it goes (for comparison):', bare),
      `target (≥ ${TARGET_RATE} requests/s; p99 ≤ 25 ms at that rate; no errors): ${met ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
} finally {
  await world.close();
}
