#!/usr/bin/env node
// S3 through the local server as boto3 uses it (issue 10: upload_file of 1 GiB through multipart at
// ≥ 200 MB/s, server memory flat). Starts the local server in its own process, then times boto3's
// upload_file and download_file (default TransferConfig: 8 MiB parts, 10 threads) from .venv-tools, while
// sampling the server's resident memory. Figures: MB/s each way, the server's RSS before and at peak, and the
// CPU seconds the server and boto3 spent per GiB each way (wall-clock MB/s depends on what else the machine
// runs; CPU per GiB does not, and says what one free core per side would reach).
//
// node bench/s3-transfer.mjs [--mib 1024]      (npm run bench -- s3-transfer builds first)
/* global setInterval, clearInterval */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const python = join(root, '.venv-tools', 'bin', 'python');
if (!existsSync(join(root, 'local', 'dist', 'index.js')) || !existsSync(python)) {
  process.stderr.write('bench/s3-transfer: needs local/dist and .venv-tools; run `npm run setup` first.\n');
  process.exit(1);
}
const index = process.argv.indexOf('--mib');
const mib = index >= 0 ? Number(process.argv[index + 1]) : 1024;
const bytes = mib * 1024 * 1024;
const work = mkdtempSync(join(tmpdir(), 'slipway-bench-s3-'));

const serverScript = `
import { silentLogger, startLocalServer } from '@slipway/local';
const server = await startLocalServer({ dataDir: process.argv[1], runners: {}, logger: silentLogger });
process.stdout.write(JSON.stringify({ url: server.url, credentials: server.credentials }) + '\\n');
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
`;
// boto3 prints "uploaded" and waits for a line on stdin, so the server's CPU time is read between the two.
const transfer = `
import json, resource, sys, time, boto3
url, key_id, secret, source, target = sys.argv[1:6]
cpu = lambda: sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
s3 = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret, region_name="us-east-1").client("s3", endpoint_url=url)
s3.create_bucket(Bucket="bench")
c0 = cpu(); t0 = time.monotonic(); s3.upload_file(source, "bench", "big.bin"); upload = time.monotonic() - t0; c1 = cpu()
head = s3.head_object(Bucket="bench", Key="big.bin")
print("uploaded", flush=True); sys.stdin.readline()
c1 = cpu(); t0 = time.monotonic(); s3.download_file("bench", "big.bin", target); download = time.monotonic() - t0; c2 = cpu()
print(json.dumps({"upload_seconds": upload, "download_seconds": download, "etag": head["ETag"], "size": head["ContentLength"], "client_cpu_up": c1 - c0, "client_cpu_down": c2 - c1}), flush=True)
`;

const server = spawn(
  process.execPath,
  [
    ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    '--input-type=module',
    '-e',
    serverScript,
    join(work, 'data'),
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
try {
  const [line] = await once(createInterface({ input: server.stdout }), 'line');
  const { url, credentials } = JSON.parse(line);
  const memory = () => {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  };
  const serverCpu = () => {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 1/100 s
  };
  const before = memory();

  // The file to upload: 1 MiB blocks that differ from each other (written once, not timed).
  const source = join(work, 'source.bin');
  const out = createWriteStream(source);
  const block = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let written = 0; written < bytes; written += block.length) {
    block.writeUInt32LE(written / block.length, 0);
    if (!out.write(block.subarray(0, Math.min(block.length, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');

  let peakRss = before.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, memory().rss)), 100);
  const cpu0 = serverCpu();
  let cpu1 = cpu0;
  const client = spawn(
    python,
    ['-c', transfer, url, credentials.accessKeyId, credentials.secretAccessKey, source, join(work, 'back.bin')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let result;
  createInterface({ input: client.stdout }).on('line', (text) => {
    if (text === 'uploaded') {
      cpu1 = serverCpu();
      client.stdin.write('\n');
    } else result = JSON.parse(text);
  });
  const [code] = await once(client, 'exit');
  const cpu2 = serverCpu();
  clearInterval(sampler);
  if (code !== 0 || !result) throw new Error(`boto3 failed (exit ${code})`);
  const same = spawnSync('cmp', ['-s', source, join(work, 'back.bin')]).status === 0;
  const gib = bytes / 1024 ** 3;
  const mbps = (seconds) => (bytes / 1e6 / seconds).toFixed(0);
  const perGiB = (seconds) =>
    `${(seconds / gib).toFixed(2)} CPU s/GiB (${(1024 ** 3 / 1e6 / (seconds / gib)).toFixed(0)} MB/s on one free core)`;
  process.stdout.write(
    [
      `object: ${mib} MiB, ETag ${result.etag} (${result.size === bytes && same ? 'downloaded bytes identical' : 'DOWNLOAD DIFFERS'})`,
      `upload_file:   ${result.upload_seconds.toFixed(2)} s, ${mbps(result.upload_seconds)} MB/s wall (target ≥ 200 MB/s); server ${perGiB(cpu1 - cpu0)}; boto3 ${perGiB(result.client_cpu_up)}`,
      `download_file: ${result.download_seconds.toFixed(2)} s, ${mbps(result.download_seconds)} MB/s wall; server ${perGiB(cpu2 - cpu1)}; boto3 ${perGiB(result.client_cpu_down)}`,
      `server RSS: ${before.rss.toFixed(0)} MiB before, ${peakRss.toFixed(0)} MiB sampled peak (VmHWM ${memory().peak.toFixed(0)} MiB)`,
      `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
      '',
    ].join('\n'),
  );
} finally {
  server.kill('SIGTERM');
  await once(server, 'exit').catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
