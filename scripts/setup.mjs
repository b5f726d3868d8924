#!/usr/bin/env node
// Makes a clone ready to run: npm packages, the compiled TypeScript, the console's bundled page, the Python
// venvs for seed/ and the test tools, the local runtime the default project's pipeline uses (the scikit-learn
// 1.2-1 container's), so that the first demo and the tests do not pay for that build mid-run, and Chromium for
// the console's browser tests where it can be installed (they say they did not run where it cannot).
// Each part is skipped when a stamp says its inputs have not changed, so a second run takes about a second.
// SLIPWAY_SKIP_SETUP=1 skips everything (for when you manage the environment yourself).
//
//   node scripts/setup.mjs [--for all|demo|test|bench] [--dry-run] [--quiet]
//
// --for names what the setup is for, and only its parts are made: `npm run demo` needs neither the seed
// code's test venv nor the test tools' venv (moto, cfn-lint, checkov, zizmor, the benchmark peers), nor the
// console's page and Chromium; `npm test` and `npm run setup` make everything. --dry-run prints the plan and changes nothing.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CHROMIUM } from './chromium.mjs';

/** Where Debian's zsh is: the CLI's zsh completion is tested with it. */
const ZSH = '/usr/bin/zsh';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const dryRun = process.argv.includes('--dry-run');
const purposeArgument = process.argv.find((argument) => argument.startsWith('--for='))?.slice('--for='.length);
const purposeIndex = process.argv.indexOf('--for');
const purpose = purposeArgument ?? (purposeIndex >= 0 ? process.argv[purposeIndex + 1] : undefined) ?? 'all';

/** Every part of the setup, in order, with the purposes that need it. */
const PARTS = [
  { name: 'npm packages', for: ['demo', 'test', 'bench'] },
  { name: 'TypeScript build', for: ['demo', 'test', 'bench'] },
  { name: 'studio page', for: ['test', 'bench'] },
  { name: 'seed venv .venv', for: ['test'] },
  { name: 'tools venv .venv-tools', for: ['test', 'bench'] },
  { name: 'local runtimes', for: ['demo', 'test', 'bench'] },
  { name: 'Chromium', for: ['test', 'bench'] },
  { name: 'zsh', for: ['test'] },
];
const PURPOSES = ['all', 'demo', 'test', 'bench'];
if (!PURPOSES.includes(purpose)) {
  process.stderr.write(`setup: --for must be one of ${PURPOSES.join(', ')}, got ${JSON.stringify(purpose)}\n`);
  process.exit(2);
}
const wanted = (name) => purpose === 'all' || PARTS.find((part) => part.name === name).for.includes(purpose);
const log = (text) => {
  if (!quiet) process.stderr.write(`setup: ${text}\n`);
};

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file);
    hash.update(existsSync(join(root, file)) ? readFileSync(join(root, file)) : 'missing');
  }
  return hash.digest('hex');
}

function stampPath(name) {
  return join(root, '.cache', 'setup', `${name}.sha256`);
}

function isCurrent(name, digest) {
  return existsSync(stampPath(name)) && readFileSync(stampPath(name), 'utf8') === digest;
}

function markCurrent(name, digest) {
  mkdirSync(dirname(stampPath(name)), { recursive: true });
  writeFileSync(stampPath(name), digest);
}

function run(command, args, what) {
  log(`${what}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`setup: ${what} failed (exit ${result.status ?? result.signal}); see the output above.\n`);
    process.exit(1);
  }
}

function workspaceManifests() {
  const manifests = ['package.json', 'package-lock.json'];
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const pattern of workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      for (const entry of readdirSync(join(root, parent)).sort()) manifests.push(`${parent}/${entry}/package.json`);
    } else {
      manifests.push(`${pattern}/package.json`);
    }
  }
  return manifests;
}

function ensureNpmPackages() {
  const digest = hashFiles(workspaceManifests()) + process.version;
  if (existsSync(join(root, 'node_modules')) && isCurrent('npm', digest)) return log('npm packages up to date');
  // `npm ci` installs exactly the committed lockfile; it is what CI and a fresh clone need.
  run('npm', ['ci', '--no-audit', '--no-fund'], 'installing npm packages');
  markCurrent('npm', digest);
}

function ensureBuilt() {
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], 'compiling TypeScript');
}

function findPython() {
  for (const candidate of [process.env.SLIPWAY_PYTHON, 'python3.11', 'python3']) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return { command: candidate, version: probe.stdout.trim() };
  }
  process.stderr.write('setup: no python3 found; install Python 3.11 (or set SLIPWAY_PYTHON) and run again.\n');
  process.exit(1);
}

function ensureVenv(name, dir, requirements) {
  const python = findPython();
  const digest = hashFiles(requirements) + python.version;
  const venvPython = join(root, dir, 'bin', 'python');
  if (existsSync(venvPython) && isCurrent(name, digest)) return log(`Python venv ${dir} up to date`);
  if (!existsSync(venvPython)) run(python.command, ['-m', 'venv', join(root, dir)], `creating ${dir}`);
  run(
    venvPython,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...requirements.flatMap((file) => ['-r', file])],
    `installing Python packages into ${dir}`,
  );
  markCurrent(name, digest);
}

// The seed code's venv mirrors the SageMaker scikit-learn container; test tooling (moto, linters) lives in
// a venv of its own so its dependencies can never shift the ML pins.
function seedRequirements() {
  return readdirSync(join(root, 'seed'))
    .filter((name) => /^requirements.*\.txt$/.test(name))
    .sort()
    .map((name) => `seed/${name}`);
}

// Built with the local package's own RuntimeManager (from the compiled dist), so the venvs are exactly the
// ones the local server looks for, in the same per-user cache (shared by every clone on the machine). Only the
// runtimes the default project's pipeline uses (PREBUILT_RUNTIMES): PyTorch's is several GB and is built when a
// pipeline, endpoint or test first needs it. The stamp records the interpreters, so a removed cache is noticed.
async function ensureLocalRuntimes() {
  const python = findPython();
  const runtimes = await import(pathToFileURL(join(root, 'local', 'dist', 'runtimes', 'index.js')).href);
  const runtimeDir = runtimes.defaultRuntimeCacheDir();
  const digest = hashFiles(['local/src/runtimes/builtin-runtimes.ts']) + python.version + runtimeDir;
  const stamp = existsSync(stampPath('runtimes')) ? readFileSync(stampPath('runtimes'), 'utf8').split('\n') : [];
  if (stamp[0] === digest && stamp.slice(1).every((interpreter) => existsSync(interpreter))) {
    return log('local runtimes up to date');
  }
  const manager = new runtimes.RuntimeManager();
  const interpreters = [];
  let built = false;
  try {
    for (const name of runtimes.PREBUILT_RUNTIMES) {
      const onBuild = (message) => {
        built = true;
        log(message);
      };
      interpreters.push(await manager.build(name, onBuild));
    }
  } catch (error) {
    process.stderr.write(
      `setup: building the local runtimes failed: ${error instanceof Error ? error.message : error}\n`,
    );
    process.exit(1);
  }
  if (!built) log(`local runtimes ready (${interpreters.join(', ')})`);
  mkdirSync(dirname(stampPath('runtimes')), { recursive: true });
  writeFileSync(stampPath('runtimes'), [digest, ...interpreters].join('\n'));
}

function listFiles(dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(root.length + 1))
    .sort();
}

// The console's page (studio/page, with Preact and dagre) bundled into studio/dist/page, which the local
// server serves at /studio/.
function ensureStudioPage() {
  const inputs = [
    ...listFiles('studio/page'),
    'studio/src/views.ts',
    'studio/scripts/bundle-page.mjs',
    'package-lock.json',
  ];
  const digest = hashFiles(inputs);
  if (existsSync(join(root, 'studio', 'dist', 'page', 'index.html')) && isCurrent('studio-page', digest)) {
    return log('studio page up to date');
  }
  run(process.execPath, [join(root, 'studio', 'scripts', 'bundle-page.mjs')], 'bundling the studio page');
  markCurrent('studio-page', digest);
}

// Installed with apt-get where setup runs as root (a CI runner, a container); elsewhere it says how, once per
// machine, and the tests that need the program report that they did not run.
function ensureAptPackage({ name, binary, without }) {
  if (existsSync(binary)) return log(`${name} found (${binary})`);
  const hint = `${without}; install it with \`sudo apt-get install -y ${name}\``;
  if (isCurrent(name, 'attempted')) return log(`${name} is not installed: ${hint}`);
  markCurrent(name, 'attempted');
  const apt = spawnSync('apt-get', ['--version'], { stdio: 'ignore' });
  if (process.getuid?.() !== 0 || apt.status !== 0) return log(`${name} is not installed: ${hint}`);
  log(`installing ${name}: apt-get install -y ${name}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', name], { stdio: 'inherit', env });
  if (result.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', name], { stdio: 'inherit', env });
  }
  if (result.status !== 0 || !existsSync(binary)) log(`installing ${name} failed: ${hint}`);
}

if (process.env.SLIPWAY_SKIP_SETUP === '1') {
  log('skipped (SLIPWAY_SKIP_SETUP=1)');
} else if (dryRun) {
  const made = PARTS.filter((part) => wanted(part.name)).map((part) => part.name);
  const skipped = PARTS.filter((part) => !wanted(part.name)).map((part) => part.name);
  process.stdout.write(
    `setup for ${purpose}: ${made.join(', ')}${skipped.length ? ` (not needed: ${skipped.join(', ')})` : ''}\n`,
  );
} else {
  if (wanted('npm packages')) ensureNpmPackages();
  if (wanted('TypeScript build')) ensureBuilt();
  if (wanted('studio page')) ensureStudioPage();
  if (wanted('seed venv .venv')) ensureVenv('venv', '.venv', seedRequirements());
  if (wanted('tools venv .venv-tools')) ensureVenv('tools-venv', '.venv-tools', ['requirements-tools.txt']);
  if (wanted('local runtimes')) await ensureLocalRuntimes();
  if (wanted('Chromium')) {
    ensureAptPackage({ name: 'chromium', binary: CHROMIUM, without: "the console's browser tests will not run" });
  }
  if (wanted('zsh')) ensureAptPackage({ name: 'zsh', binary: ZSH, without: 'the zsh completion test will not run' });
}
