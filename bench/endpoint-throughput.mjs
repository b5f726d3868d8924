#!/usr/bin/env node
/* global fetch */
// InvokeEndpoint through the local server, against the model server behind it and against a peer: the same
// seed model under gunicorn + Flask (gevent workers, as many as the endpoint's), from the tools venv. The three
// are loaded alternately with autocannon in a second process (single-review JSON, as fast as it goes), then the
// endpoint paced at 500 requests/s. Targets: the seed endpoint on 2 cores ≥ 3,000 requests/s with p99 ≤ 10 ms
// and no errors; through the server ≥ 85 % of the model server's own throughput; p99 ≤ 25 ms at 500/s.
// Workers: the endpoint's default, one per CPU.
//
// node bench/endpoint-throughput.mjs [--connections 10] [--seconds 8] [--rounds 2]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { BODY, autocannon, errorsOf, report, root, startEndpointWorld } from './endpoint-lib/world.mjs';
import { figure, load } from './lib/figures.mjs';
import { median } from './local-lib/harness.mjs';

const argument = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const connections = argument('connections', 10);
const seconds = argument('seconds', 8);
const rounds = argument('rounds', 2);
const TARGET_RATE = 500;
const workers = availableParallelism();
const toolsSitePackages = join(root, '.venv-tools', 'lib', 'python3.11', 'site-packages');

/** A process's fields after its command's closing parenthesis (state, ppid, …, utime, stime at 11 and 12). */
function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Whether `pid` descends from this process (the model servers are the local server's children). */
function descendsFromUs(pid) {
  for (let current = pid, depth = 0; depth < 6 && current > 1; depth += 1) {
    current = Number(procStat(current)[1]);
    if (current === process.pid) return true;
  }
  return false;
}

/** CPU time (user + system, ms) this benchmark's model server workers have used so far, from /proc. */
function modelServerCpuMs() {
  if (!existsSync('/proc/self/stat')) return 0;
  const msPerTick = 10; // USER_HZ is 100 on Linux
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('slipway_serving')) continue;
      if (!descendsFromUs(Number(pid))) continue;
      const fields = procStat(pid);
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks * msPerTick;
}

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * gunicorn + Flask on the same model, run by the runtime's Python (the model needs its scikit-learn) with the
 * tools venv's packages (gunicorn, Flask, gevent) after the runtime's own on sys.path (peers/run_gunicorn.py).
 */
async function startPeer(world) {
  const port = await freePort();
  const child = spawn(
    world.python,
    [
      join(root, 'bench', 'peers', 'run_gunicorn.py'),
      toolsSitePackages,
      '-k',
      'gevent',
      '-w',
      String(workers),
      '-b',
      `127.0.0.1:${port}`,
      '--log-level',
      'warning',
      'flask_app:app',
    ],
    {
      cwd: join(root, 'bench', 'peers'),
      env: {
        ...process.env,
        SLIPWAY_PEER_MODEL_DIR: world.modelDir,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  // Its output is shown only if it fails to start (gevent prints noise when its workers stop).
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    if (child.exitCode !== null) throw new Error(`gunicorn exited with ${child.exitCode}:\n${stderr}`);
    const ready = await fetch(`${url}/ping`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) break;
    if (tries > 300) throw new Error(`gunicorn did not answer /ping within 30 s:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `${url}/invocations`,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

if (!existsSync(toolsSitePackages)) {
  process.stdout.write('the tools venv is missing: run `npm run setup` (it installs gunicorn + Flask, the peer)\n');
  process.exit(1);
}
const world = await startEndpointWorld();
let peer;
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
  peer = await startPeer(world);
  const bareUrl = `${world.server.endpoints.modelServers('reviews')[0].url}/invocations`;
  // InvokeEndpoint signed as the SDK signs it; the model server and the peer take the bare request.
  const sides = { endpoint: invocation, bare: { url: bareUrl }, peer: { url: peer.url } };
  for (const side of Object.values(sides)) await autocannon({ ...side, connections, duration: 2 }); // warm-up
  const results = { endpoint: [], bare: [], peer: [] };
  // CPU time per request of the local server (this process) and of the model server's workers: where the
  // proxy's cost goes, in a figure that the machine's load does not inflate the way it does wall time.
  const cpu = { endpoint: [], bare: [] };
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, side] of Object.entries(sides)) {
      const server = process.cpuUsage();
      const workers = modelServerCpuMs();
      const result = await autocannon({ ...side, connections, duration: seconds });
      const used = process.cpuUsage(server);
      cpu[name]?.push({
        serverUs: (used.user + used.system) / result.requests.total,
        workersUs: ((modelServerCpuMs() - workers) * 1000) / result.requests.total,
      });
      results[name].push({ ...result, load: load().load });
    }
  }
  const paced = await autocannon({ ...invocation, connections, duration: seconds, rate: TARGET_RATE });
  const titles = {
    endpoint: 'InvokeEndpoint through the local server',
    bare: 'the model server behind it, alone',
    peer: `gunicorn + Flask (gevent, ${workers} workers), the same model`,
  };
  process.stdout.write(
    `single-review JSON, ${connections} connections, ${seconds} s per run, ${rounds} rounds alternated, ` +
      `${workers} model server workers, autocannon in a second process\n`,
  );
  for (const [name, runs] of Object.entries(results)) {
    runs.forEach((run, index) =>
      process.stdout.write(`${report(`${titles[name]} (round ${index + 1}, load ${run.load}):`, run)}\n`),
    );
  }
  process.stdout.write(`${report(`through the local server, paced at ${TARGET_RATE} requests/s:`, paced)}\n`);
  for (const [name, runs] of Object.entries(cpu)) {
    const serverUs = median(runs.map((run) => run.serverUs));
    const workersUs = median(runs.map((run) => run.workersUs));
    process.stdout.write(
      `CPU per request, ${titles[name]}: local server ${serverUs.toFixed(0)} µs, model server workers ${workersUs.toFixed(0)} µs (median of ${rounds})\n`,
    );
  }

  const rate = (name) => median(results[name].map((run) => run.requests.average));
  const p99 = (name) => Math.max(...results[name].map((run) => run.latency.p99));
  const errors = (name) => results[name].reduce((sum, run) => sum + errorsOf(run), 0);
  figure({
    name: `seed endpoint, InvokeEndpoint as fast as it goes (${workers} workers, median of ${rounds})`,
    value: rate('endpoint'),
    unit: 'req/s',
    target: '≥ 3000 req/s, p99 ≤ 10 ms, 0 errors',
    met: rate('endpoint') >= 3000 && p99('endpoint') <= 10 && errors('endpoint') === 0,
    peer: { name: 'gunicorn + Flask', value: rate('peer') },
    better: 'higher',
    detail: `p99 ${p99('endpoint')} ms (gunicorn + Flask ${p99('peer')} ms), ${errors('endpoint')} errors`,
  });
  const share = (rate('endpoint') / rate('bare')) * 100;
  figure({
    name: "InvokeEndpoint's share of the model server's own throughput",
    value: share,
    unit: '%',
    target: '≥ 85 % at equal p99',
    met: share >= 85 && p99('endpoint') <= p99('bare') + 2,
    detail: `${rate('endpoint').toFixed(0)} of ${rate('bare').toFixed(0)} req/s; p99 ${p99('endpoint')} ms through the server, ${p99('bare')} ms alone`,
  });
  figure({
    name: `InvokeEndpoint paced at ${TARGET_RATE} requests/s, p99`,
    value: paced.latency.p99,
    unit: 'ms',
    target: '≤ 25 ms, 0 errors',
    met: paced.latency.p99 <= 25 && errorsOf(paced) === 0,
  });
} finally {
  await peer?.stop();
  await world.close();
}
