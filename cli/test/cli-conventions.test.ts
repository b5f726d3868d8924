import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { buildProgram, runProgram, VERSION } from '../src/main.js';
import { Output } from '../src/output.js';
import { runCli } from './support/run-cli.js';
import { buildCliBin, runBin } from './support/run-bin.js';
import { EXIT_CODES } from '../src/failure.js';
import { sentimentProjectDir } from './support/project-dir.js';

const REPO = join(import.meta.dirname, '..', '..');
const STACK_FRAME = /^\s+at /m;

/** A Slipway project with no server running for it. */
function project(): string {
  return sentimentProjectDir('slipway-cli-conventions-');
}

/** Every command of the CLI, with its path (`deploy promote`). */
function allCommands(): { path: string; command: Command }[] {
  const context = { output: new Output({ json: false }), cwd: REPO, env: {} };
  const found: { path: string; command: Command }[] = [];
  const visit = (command: Command, path: string) => {
    for (const sub of command.commands) {
      const subPath = path ? `${path} ${sub.name()}` : sub.name();
      found.push({ path: subPath, command: sub });
      visit(sub, subPath);
    }
  };
  visit(buildProgram(context), '');
  return found;
}

describe('slipway: exit codes and errors', () => {
  it('prints its version with --version (and -V), exit code 0', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, 'cli', 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(version);
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect([run.code, run.stdout, run.stderr]).toEqual([0, `${version}\n`, '']);
    }
  });

  it('exits 2 for a command line it cannot parse, and prints no JSON to parse but the error', async () => {
    for (const args of [
      ['registry', 'list', '--bogus'],
      ['registry', 'describe'],
      ['nonsense'],
      ['registry', 'list', '--aws', '--local'],
      ['registry', 'list', '--aws', '--endpoint-url', 'http://127.0.0.1:1'],
      ['completion', 'fish'],
    ]) {
      const run = await runCli(args);
      expect([args.join(' '), run.code]).toEqual([args.join(' '), 2]);
      expect(run.stderr).toMatch(/^error: /);
      expect(run.stdout).toBe('');
    }
  });

  it('exits 1 for bad input, printing the ValidationError plainly: where, problem and fix, no stack', async () => {
    const run = await runCli(['local', 'up', '--port', 'abc']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: --port must be a whole number from 0 to 65535, got "abc": pass 0 for any free port\n',
    );
  });

  it('reports an unexpected error in one line and says how to see its stack (SLIPWAY_DEBUG=1)', async () => {
    const explode = async (env: NodeJS.ProcessEnv) => {
      const stderr = new PassThrough();
      let text = '';
      stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      const output = new Output({ json: false, stdout: new PassThrough(), stderr, env });
      const context = { output, cwd: REPO, env };
      const program = buildProgram(context, { stderr });
      program.command('explode').action(() => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      });
      const code = await runProgram(program, ['explode'], context);
      return { code, stderr: text };
    };
    const quiet = await explode({});
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe(
      "error: TypeError: Cannot read properties of undefined (reading 'x')\n" +
        '  (an unexpected error: run again with SLIPWAY_DEBUG=1 to see where it happened)\n',
    );
    const debug = await explode({ SLIPWAY_DEBUG: '1' });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(STACK_FRAME);
  });

  it('documents the exit codes and NO_COLOR / SLIPWAY_DEBUG in the help of every command', async () => {
    for (const args of [['--help'], ['deploy', 'promote', '--help']]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Exit codes:\n {2}0 {2}success\n {2}1 {2}failure: .*\n {2}2 {2}usage: /);
      expect(run.stdout).toContain('NO_COLOR');
      expect(run.stdout).toContain('SLIPWAY_DEBUG=1');
    }
  });
});

describe('slipway --json', () => {
  it("is listed in every subcommand's help", () => {
    const commands = allCommands();
    expect(commands.length).toBeGreaterThan(25);
    const missing = commands.filter(({ command }) => !command.helpInformation().includes('--json'));
    expect(missing.map(({ path }) => path)).toEqual([]);
  });

  it('prints a failure as {"error": …} on stdout, with the ValidationError\'s where, field, problem and fix', async () => {
    const run = await runCli(['local', 'up', '--port', 'abc', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        kind: 'validation',
        message: '--port must be a whole number from 0 to 65535, got "abc": pass 0 for any free port',
        issues: [
          {
            where: '--port',
            field: '',
            problem: 'must be a whole number from 0 to 65535, got "abc"',
            fix: 'pass 0 for any free port',
          },
        ],
      },
    });
    expect(run.stderr).toMatch(/^error: --port must be/);
  });

  it('prints a usage error as {"error": …} too', async () => {
    const run = await runCli(['registry', 'list', '--bogus', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ error: { kind: 'usage', message: "unknown option '--bogus'" } });
  });
});

describe('colour, decided per stream', () => {
  /** A stream that says whether it is a terminal, and keeps what was written. */
  const stream = (isTTY: boolean) => {
    const sink = Object.assign(new PassThrough(), { isTTY, text: '' });
    sink.on('data', (chunk: Buffer) => (sink.text += chunk.toString()));
    return sink;
  };
  const ESCAPE = '\x1b[';

  it('colours only the stream that is a terminal', async () => {
    const stdout = stream(true);
    const stderr = stream(false);
    const output = new Output({ json: false, stdout, stderr, env: { TERM: 'xterm' } });
    output.line('fine', 'good');
    output.error('broken');
    output.warn('careful');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stdout.text).toBe(`${ESCAPE}32mfine${ESCAPE}39m\n`);
    expect(stderr.text).toBe('error: broken\nwarning: careful\n');

    const toTerminal = stream(true);
    const toFile = stream(false);
    const flipped = new Output({ json: false, stdout: toFile, stderr: toTerminal, env: { TERM: 'xterm' } });
    flipped.line('fine', 'good');
    flipped.error('broken');
    await new Promise((resolve) => setImmediate(resolve));
    expect(toFile.text).toBe('fine\n');
    expect(toTerminal.text).toBe(`${ESCAPE}31merror: broken${ESCAPE}39m\n`);
  });

  it('is plain on both streams with NO_COLOR, even on terminals', async () => {
    const stdout = stream(true);
    const stderr = stream(true);
    const output = new Output({ json: false, stdout, stderr, env: { TERM: 'xterm', NO_COLOR: '1' } });
    output.line('fine', 'good');
    output.error('broken');
    await new Promise((resolve) => setImmediate(resolve));
    expect(stdout.text + stderr.text).not.toContain(ESCAPE);
  });

  it('colours both streams with FORCE_COLOR, even redirected; not with FORCE_COLOR=0 or NO_COLOR', async () => {
    for (const [env, coloured] of [
      [{ FORCE_COLOR: '1' }, true],
      [{ FORCE_COLOR: '0' }, false],
      [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    ] as const) {
      const stdout = stream(false);
      const stderr = stream(env.FORCE_COLOR === '0');
      const output = new Output({ json: false, stdout, stderr, env: { TERM: 'xterm', ...env } });
      output.line('fine', 'good');
      output.error('broken');
      await new Promise((resolve) => setImmediate(resolve));
      expect([stdout.text.includes(ESCAPE), stderr.text.includes(ESCAPE)]).toEqual([coloured, coloured]);
    }
  });
});

describe('the backend options', () => {
  const BACKEND_OPTIONS = ['--local', '--aws', '--data-dir', '--endpoint-url', '--region'];

  it('are defined once: every command that talks to SageMaker has all five, with the same help', () => {
    const commands = allCommands().filter(({ command }) => command.options.some((option) => option.long === '--aws'));
    const paths = commands.map(({ path }) => path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'pipeline run',
        'pipeline status',
        'pipeline logs',
        'deploy version',
        'deploy promote',
        'deploy test',
        'deploy status',
        'registry list',
        'registry approve',
        'endpoints invoke',
      ]),
    );
    const helpOf = new Map<string, Set<string>>();
    for (const { path, command } of commands.filter(({ path }) => path !== 'studio')) {
      const flags = command.options.map((option) => option.long);
      expect([path, BACKEND_OPTIONS.filter((flag) => !flags.includes(flag))]).toEqual([path, []]);
    }
    for (const { command } of allCommands()) {
      for (const option of command.options.filter((candidate) => BACKEND_OPTIONS.includes(candidate.long ?? ''))) {
        // `local up --region` sets the server's own region and `init --region` the project's: not backend options.
        if (option.long === '--region' && !command.options.some((candidate) => candidate.long === '--aws')) continue;
        // `doctor` checks AWS unless told `--local` (the local loop's checks): a choice of checks, not a backend.
        if (option.long === '--local' && command.name() === 'doctor') continue;
        const key = `${option.flags}`;
        helpOf.set(
          key,
          (helpOf.get(key) ?? new Set()).add(`${option.description} (default ${String(option.defaultValue)})`),
        );
      }
    }
    const differing = [...helpOf]
      .filter(([, texts]) => texts.size > 1)
      .map(([flag, texts]) => `${flag}: ${[...texts].join(' | ')}`);
    expect(differing).toEqual([]);
  });

  it('start a local server for the command when none runs, for registry and endpoints as for pipeline and deploy', async () => {
    const dir = project();
    const dataDir = join(dir, 'data');
    const registry = await runCli(['registry', 'list', '--data-dir', dataDir, '--json'], { cwd: dir, env: {} });
    expect(registry.stderr).toContain(`No local server runs for ${dataDir}: started one for this command`);
    expect([registry.code, JSON.parse(registry.stdout)]).toEqual([0, { group: 'sentiment-models', versions: [] }]);
    const endpoints = await runCli(['endpoints', 'list', '--data-dir', dataDir, '--json'], { cwd: dir, env: {} });
    expect([endpoints.code, JSON.parse(endpoints.stdout)]).toEqual([0, { endpoints: [] }]);
  }, 60_000);

  it('say in one line which SageMaker API they could not reach, and what to check (exit 1, no stack)', async () => {
    expect(buildCliBin()).toBe('');
    const run = await runBin(['endpoints', 'list', '--endpoint-url', 'http://127.0.0.1:1', '--json'], {
      cwd: project(),
      env: { NO_COLOR: '1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
    });
    expect(run.code).toBe(EXIT_CODES.failure);
    expect(run.stderr).toBe(
      'error: could not reach the SageMaker API at http://127.0.0.1:1 (ECONNREFUSED)\n' +
        '  is the local server still running? (npx slipway local status)\n',
    );
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { kind: 'failure', message: expect.stringMatching(/ECONNREFUSED/) },
    });
  }, 120_000);

  describe('--aws outside a project: the region the AWS SDK resolves', () => {
    let listener: Server;
    let endpoint = '';
    const regions: string[] = [];

    beforeAll(async () => {
      // The bin runs the compiled CLI: build it (incremental, quick when current).
      expect(buildCliBin()).toBe('');
      listener = createServer((request: IncomingMessage, response) => {
        // SigV4's credential scope names the region the client signs for: KEY/DATE/REGION/SERVICE/aws4_request.
        regions.push(/Credential=[^/]+\/\d+\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '');
        response
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end('{"ModelPackageSummaryList": []}');
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
    }, 120_000);

    afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

    const slipway = (env: NodeJS.ProcessEnv) =>
      runBin(['registry', 'list', '--aws', '--group', 'g', '--json'], {
        cwd: mkdtempSync(join(tmpdir(), 'slipway-no-project-')),
        env: { HOME: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_ENDPOINT_URL: endpoint, ...env },
      });

    it("takes the profile's region from the AWS config file, then AWS_REGION over it", async () => {
      const config = join(mkdtempSync(join(tmpdir(), 'slipway-aws-config-')), 'config');
      writeFileSync(
        config,
        '[profile team]\nregion = eu-west-3\naws_access_key_id = test\naws_secret_access_key = test\n',
      );
      regions.length = 0;
      const fromProfile = await slipway({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'team' });
      expect([fromProfile.code, fromProfile.stderr]).toEqual([0, '']);
      const fromEnv = await slipway({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'team', AWS_REGION: 'ap-south-1' });
      expect(fromEnv.code).toBe(0);
      expect(regions).toEqual(['eu-west-3', 'ap-south-1']);
    }, 60_000);

    it('says to pass --region when neither the project nor the SDK names one', async () => {
      regions.length = 0;
      const run = await slipway({
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: --region is not set, .*: pass --region REGION/);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { kind: 'validation', issues: [{ where: '--region' }] } });
      expect(regions).toEqual([]);
    }, 60_000);
  });
});

describe('slipway completion', () => {
  /** Sources the bash script and completes the words (the last one being typed), as bash's readline would. */
  const completeInBash = (script: string, words: string[]): string[] => {
    const file = join(mkdtempSync(join(tmpdir(), 'slipway-completion-')), 'slipway.bash');
    writeFileSync(file, script);
    const program = [
      `source ${JSON.stringify(file)}`,
      `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      '_slipway',
      'printf "%s\\n" "${COMPREPLY[@]}"',
      // The registration bash-completion would use.
      'complete -p slipway >&2',
    ].join('\n');
    const run = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' });
    expect(run.stderr).toBe('complete -o default -F _slipway slipway\n');
    expect(run.status).toBe(0);
    return run.stdout.split('\n').filter((line) => line !== '');
  };

  it('completes commands, subcommands and options in bash, after options that take values', async () => {
    const run = await runCli(['completion', 'bash']);
    expect(run.code).toBe(0);
    const script = run.stdout;
    expect(completeInBash(script, ['slipway', ''])).toEqual(
      expect.arrayContaining([
        'init',
        'pipeline',
        'local',
        'deploy',
        'registry',
        'endpoints',
        'demo',
        'studio',
        'completion',
        '--version',
        '--json',
      ]),
    );
    expect(completeInBash(script, ['slipway', 'dep'])).toEqual(['deploy']);
    expect(completeInBash(script, ['slipway', 'deploy', 'pro'])).toEqual(['promote']);
    expect(completeInBash(script, ['slipway', 'registry', 'list', '--d'])).toEqual(['--data-dir']);
    // `--data-dir DIR` takes a value: the next word is not a command, and after it the options still complete.
    expect(completeInBash(script, ['slipway', '--json', 'registry', 'list', '--data-dir', 'approve', '--gr'])).toEqual([
      '--group',
    ]);
    expect(completeInBash(script, ['slipway', 'local', 'runtimes', ''])).toEqual(
      expect.arrayContaining(['list', 'build', 'remove']),
    );
    // After an option that takes a value, nothing is offered: bash completes file names (-o default).
    expect(completeInBash(script, ['slipway', 'pipeline', 'run', '--data-dir', ''])).toEqual([]);
  });

  it('prints a zsh script that registers with compdef', async () => {
    const run = await runCli(['completion', 'zsh']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^#compdef slipway\n/);
    expect(run.stdout).toContain("'deploy:deploy model package versions to stages");
  });

  const zsh = spawnSync('zsh', ['--version'], { encoding: 'utf8' }).status === 0;
  (zsh ? it : it.skip)(
    zsh
      ? 'completes in zsh: compinit registers it, and it offers what follows the words typed'
      : 'completes in zsh — SKIPPED: zsh is not installed (npm test installs it with apt-get where it runs as root)',
    async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'slipway-completion-')), 'slipway.zsh');
      writeFileSync(file, (await runCli(['completion', 'zsh'])).stdout);
      // _describe and _files work only inside a completion widget: stand-ins print what they were given.
      const program = [
        'autoload -U compinit && compinit -u -D',
        `source ${JSON.stringify(file)}`,
        'print "registered: ${_comps[slipway]}"',
        '_describe() { local name=${@[-1]}; print -l -- ${(P)name} | cut -d: -f1 | tr "\\n" " "; print }',
        '_files() { print "(files)" }',
        'words=(slipway dep); CURRENT=2; _slipway',
        'words=(slipway deploy pro); CURRENT=3; _slipway',
        'words=(slipway registry list --data-dir approve --gr); CURRENT=6; _slipway',
        'words=(slipway pipeline run --data-dir ""); CURRENT=5; _slipway',
      ].join('\n');
      const shell = spawnSync('zsh', ['-f', '-c', program], { encoding: 'utf8' });
      expect(shell.stderr).toBe('');
      const [registered, top, deploy, list, value] = shell.stdout.split('\n');
      expect(registered).toBe('registered: _slipway');
      expect(top?.split(' ')).toEqual(expect.arrayContaining(['deploy', 'registry', '--json', '--version']));
      expect(deploy?.split(' ')).toEqual(expect.arrayContaining(['promote', 'test', 'status', '--stage']));
      expect(list?.split(' ')).toEqual(expect.arrayContaining(['--group', '--status', '--data-dir', '--json']));
      expect(list?.split(' ')).not.toContain('approve');
      expect(value).toBe('(files)');
    },
  );
});
