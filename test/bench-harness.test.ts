// The benchmarks' local-server harness leaves nothing behind: its temporary data dirs go when it closes,
// in-process and as a child process stopped with SIGTERM.
import { expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const LIB = join(process.cwd(), 'bench', 'local-lib');

interface BenchServer {
  readonly dataDir: string;
  readonly server: { readonly url: string };
  close(): Promise<void>;
}

it('startBenchServer removes its data dir on close', async () => {
  const harness = (await import(pathToFileURL(join(LIB, 'harness.mjs')).href)) as {
    startBenchServer(runners: object): Promise<BenchServer>;
  };
  const bench = await harness.startBenchServer({});
  expect(existsSync(bench.dataDir)).toBe(true);
  await bench.close();
  expect(existsSync(bench.dataDir)).toBe(false);
});

it('the server process removes its data dir when stopped', async () => {
  // A plain node child reads the built package (npm test's setup builds it), as `npm run bench` does.
  const child = spawn(process.execPath, [join(LIB, 'server.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const { dataDir } = JSON.parse(line) as { dataDir: string };
  expect(existsSync(dataDir)).toBe(true);
  child.kill('SIGTERM');
  await exited;
  expect(existsSync(dataDir)).toBe(false);
});
