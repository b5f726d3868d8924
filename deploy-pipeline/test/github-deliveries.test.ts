import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ValidationError } from '@slipway/core';
import { eventRunTitle, githubDeliveries, githubRunContext, handledBy, type GitHubRunContext } from '../src/index.js';

const EVENT = '844e2571-85d4-695f-b930-0153b71dcb42';
const OTHER = '11111111-2222-3333-4444-555555555555';
const NOW = Date.parse('2026-05-20T12:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW - hours * 3600_000).toISOString();

interface Run {
  id: number;
  run_number: number;
  display_title: string;
  status: string;
  conclusion: string | null;
  created_at: string;
  html_url: string;
}

const run = (
  number: number,
  title: string,
  ageHours: number,
  status = 'completed',
  conclusion: string | null = 'success',
): Run => ({
  id: 9000 + number,
  run_number: number,
  display_title: title,
  status,
  conclusion,
  created_at: hoursAgo(ageHours),
  html_url: `https://github.com/o/r/actions/runs/${9000 + number}`,
});

/**
 * GitHub's "list workflow runs" for one workflow, newest first, 100 a page: 350 runs, one every 6 minutes,
 * numbered 1 (the oldest, 34.9 h ago) to 350 (now: the current run). Runs 340 (failed), 200 and 100 received
 * EVENT before, and so did run 20, on the fourth page; run 345 received another event.
 */
function history(): Run[] {
  const runs: Run[] = [];
  for (let number = 350; number >= 1; number -= 1) {
    const title = [350, 340, 200, 100, 20].includes(number)
      ? eventRunTitle('model-package-approved', '7', EVENT)
      : number === 345
        ? eventRunTitle('model-package-approved', '8', OTHER)
        : `Deploy arn:aws:sagemaker:us-east-1:123456789012:model-package/sentiment-models/${number} by hand`;
    runs.push(run(number, title, (350 - number) * 0.1, 'completed', number === 340 ? 'failure' : 'success'));
  }
  return runs;
}

describe('githubDeliveries (a fake GitHub API on 127.0.0.1)', () => {
  let server: Server;
  let requests: IncomingMessage[] = [];
  let answer: (url: URL) => { status: number; body: unknown } = () => ({ status: 500, body: {} });
  let context: GitHubRunContext;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request);
      const { status, body } = answer(new URL(request.url ?? '/', 'http://127.0.0.1'));
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    context = githubRunContext(
      {
        GITHUB_API_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        GITHUB_REPOSITORY: 'octo-org/sentiment-reviews',
        GITHUB_WORKFLOW_REF: 'octo-org/sentiment-reviews/.github/workflows/deploy.yml@refs/heads/main',
        GITHUB_RUN_ID: '9350',
        GITHUB_RUN_NUMBER: '350',
      },
      'ghs_token',
    );
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const pages = (runs: Run[]) => (url: URL) => {
    const page = Number(url.searchParams.get('page'));
    const size = Number(url.searchParams.get('per_page'));
    return {
      status: 200,
      body: { total_count: runs.length, workflow_runs: runs.slice((page - 1) * size, page * size) },
    };
  };

  it("finds the earlier runs named after the event, reading back about a day of this workflow's dispatched runs", async () => {
    requests = [];
    answer = pages(history());
    const found = await githubDeliveries(context, fetch, () => NOW).earlierDeliveries(EVENT);
    // The third page reaches past 25 hours (EventBridge retries for 24), so the fourth, with run 20, is not read.
    const approved = { eventType: 'model-package-approved' };
    expect(found).toEqual([
      { run: 'https://github.com/o/r/actions/runs/9340', status: 'completed', conclusion: 'failure', ...approved },
      { run: 'https://github.com/o/r/actions/runs/9200', status: 'completed', conclusion: 'success', ...approved },
      { run: 'https://github.com/o/r/actions/runs/9100', status: 'completed', conclusion: 'success', ...approved },
    ]);
    expect(handledBy(found)?.run).toBe('https://github.com/o/r/actions/runs/9200');
    expect(requests.map((request) => request.url)).toEqual([
      '/repos/octo-org/sentiment-reviews/actions/workflows/deploy.yml/runs?event=repository_dispatch&per_page=100&page=1',
      '/repos/octo-org/sentiment-reviews/actions/workflows/deploy.yml/runs?event=repository_dispatch&per_page=100&page=2',
      '/repos/octo-org/sentiment-reviews/actions/workflows/deploy.yml/runs?event=repository_dispatch&per_page=100&page=3',
    ]);
    expect(requests[0]?.headers).toMatchObject({
      authorization: 'Bearer ghs_token',
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    });
  });

  it("finds the earlier event runs of a version by their titles, newest first, whatever the event's id", async () => {
    answer = pages(history());
    const found = await githubDeliveries(context, fetch, () => NOW).earlierEventsOfVersion(8);
    expect(found).toEqual([
      {
        run: 'https://github.com/o/r/actions/runs/9345',
        status: 'completed',
        conclusion: 'success',
        eventType: 'model-package-approved',
      },
    ]);
    // Runs started by hand ("Deploy … by hand") name no event, so they are never taken for one.
    expect(await githubDeliveries(context, fetch, () => NOW).earlierEventsOfVersion(345)).toEqual([]);
    expect((await githubDeliveries(context, fetch, () => NOW).earlierEventsOfVersion(7)).map((r) => r.run)).toEqual([
      'https://github.com/o/r/actions/runs/9340',
      'https://github.com/o/r/actions/runs/9200',
      'https://github.com/o/r/actions/runs/9100',
    ]);
  });

  it('finds nothing for an event no earlier run received', async () => {
    answer = pages(history());
    expect(await githubDeliveries(context, fetch, () => NOW).earlierDeliveries('never-seen')).toEqual([]);
  });

  it('fails, naming the permission, when GitHub refuses the list', async () => {
    answer = () => ({ status: 403, body: { message: 'Resource not accessible by integration' } });
    await expect(githubDeliveries(context, fetch, () => NOW).earlierDeliveries(EVENT)).rejects.toThrow(
      /GitHub answered 403.*permissions: actions: read/,
    );
  });
});

describe('handledBy', () => {
  it('counts a run that succeeded, was cancelled or is still going as having handled the event; a failed one not', () => {
    const of = (status: string, conclusion?: string) => ({ run: 'r', status, ...(conclusion ? { conclusion } : {}) });
    expect(handledBy([of('completed', 'failure'), of('completed', 'timed_out')])).toBeUndefined();
    expect(handledBy([of('completed', 'failure'), of('completed', 'success')])).toEqual(of('completed', 'success'));
    expect(handledBy([of('completed', 'cancelled')])).toBeDefined();
    expect(handledBy([of('waiting')])).toBeDefined();
    expect(handledBy([])).toBeUndefined();
  });
});

describe('githubRunContext', () => {
  const env = {
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/deploy.yml@refs/heads/main',
    GITHUB_RUN_ID: '12',
    GITHUB_RUN_NUMBER: '3',
  };

  it('reads the run from the variables GitHub sets in every job', () => {
    expect(githubRunContext(env, 't')).toEqual({
      apiUrl: 'https://api.github.com',
      repository: 'o/r',
      workflowFile: 'deploy.yml',
      runId: 12,
      runNumber: 3,
      token: 't',
    });
  });

  it.each([
    ['an empty token', env, '', /input github-token is empty.*actions: read/],
    ['no workflow ref', { ...env, GITHUB_WORKFLOW_REF: undefined }, 't', /GITHUB_WORKFLOW_REF is not set/],
    ['a workflow ref without a file', { ...env, GITHUB_WORKFLOW_REF: 'o/r@main' }, 't', /must name a workflow file/],
    ['a run number that is not one', { ...env, GITHUB_RUN_NUMBER: 'x' }, 't', /GITHUB_RUN_NUMBER must be a run number/],
  ])('fails clearly on %s', (_name, environment, token, message) => {
    expect(() => githubRunContext(environment, token)).toThrow(ValidationError);
    expect(() => githubRunContext(environment, token)).toThrow(message);
  });
});
