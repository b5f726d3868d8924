#!/usr/bin/env node
// The CI workflow's sticky pull-request comment: one comment per pull request, found again by a hidden marker
// and edited in place on every push, never posted twice. Plain Node (fetch, no packages), so the commenting
// job needs no `npm ci`.
//
//   node scripts/pr-comment.mjs render --summary run-summary.md --diff definition.diff [--base-problem FILE] --out comment.md
//   node scripts/pr-comment.mjs post --body comment.md      (env: GITHUB_TOKEN, GITHUB_REPOSITORY, PR_NUMBER)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Hidden first line of the comment; how the next run finds it. */
export const MARKER = '<!-- slipway:pipeline-report -->';
/** GitHub refuses comment bodies over 65 536 characters. */
export const MAX_BODY = 65_536;
const MAX_DIFF = 40_000;

/**
 * The comment: the compiled definition's diff against the base branch, then the local run's summary (DAG,
 * steps, metrics). A diff too long for a comment is cut, saying so.
 * @param {{ diff?: string, summary?: string, baseProblem?: string, headSha?: string }} parts
 * @returns {string}
 */
export function renderComment(parts) {
  const lines = [MARKER, '## Slipway: pipeline definition and local run', ''];
  if (parts.headSha) lines.push(`For commit \`${parts.headSha.slice(0, 12)}\`.`, '');
  lines.push('### Definition diff against the base branch', '');
  if (parts.baseProblem) {
    lines.push(`The base branch's definition could not be compiled, so there is no diff: ${parts.baseProblem.trim()}`);
  } else if (!parts.diff || parts.diff.trim() === '') {
    lines.push('No change to the compiled definition.');
  } else {
    const diff =
      parts.diff.length > MAX_DIFF
        ? `${parts.diff.slice(0, MAX_DIFF)}\n… (cut: the diff has ${parts.diff.length} characters)`
        : parts.diff;
    const changed = parts.diff.split('\n').filter((line) => /^[+-](?![+-]{2} )/.test(line)).length;
    lines.push(
      `<details><summary>${changed} lines changed</summary>`,
      '',
      '```diff',
      diff.trimEnd(),
      '```',
      '',
      '</details>',
    );
  }
  lines.push('', '### Local run', '', (parts.summary ?? 'The local run wrote no summary.').trim(), '');
  const body = lines.join('\n');
  return body.length > MAX_BODY ? `${body.slice(0, MAX_BODY - 40)}\n\n… (cut to GitHub's limit)\n` : body;
}

/**
 * Finds this workflow's comment on the pull request (a bot's comment starting with the marker) and edits it,
 * or creates it when there is none.
 * @param {{ token: string, repository: string, issueNumber: number, body: string, apiUrl?: string, fetch?: typeof fetch }} options
 * @returns {Promise<{ action: 'created' | 'updated', id: number, url: string }>}
 */
export async function upsertStickyComment(options) {
  const api = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
  const call = options.fetch ?? globalThis.fetch;
  if (!options.body.startsWith(MARKER))
    throw new Error('the comment body must start with the marker, or it could never be found again');
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${options.token}`,
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
    'user-agent': 'slipway-pr-comment',
  };
  const request = async (method, url, body) => {
    const response = await call(url, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
    if (!response.ok) {
      throw new Error(`${method} ${url} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
    }
    return response;
  };
  const commentsUrl = `${api}/repos/${options.repository}/issues/${options.issueNumber}/comments`;
  let next = `${commentsUrl}?per_page=100`;
  let existing;
  while (next && !existing) {
    const response = await request('GET', next);
    const page = await response.json();
    existing = page.find(
      (comment) => comment.user?.type === 'Bot' && typeof comment.body === 'string' && comment.body.startsWith(MARKER),
    );
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  if (existing) {
    const response = await request('PATCH', `${api}/repos/${options.repository}/issues/comments/${existing.id}`, {
      body: options.body,
    });
    const comment = await response.json();
    return { action: 'updated', id: comment.id, url: comment.html_url };
  }
  const response = await request('POST', commentsUrl, { body: options.body });
  const comment = await response.json();
  return { action: 'created', id: comment.id, url: comment.html_url };
}

function flag(args, name) {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

function readIfPresent(path) {
  return path && existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

async function cli(args) {
  const [command] = args;
  if (command === 'render') {
    const body = renderComment({
      diff: readIfPresent(flag(args, 'diff')),
      summary: readIfPresent(flag(args, 'summary')),
      baseProblem: readIfPresent(flag(args, 'base-problem')),
      headSha: flag(args, 'sha'),
    });
    writeFileSync(flag(args, 'out') ?? 'comment.md', body);
    return;
  }
  if (command === 'post') {
    const {
      GITHUB_TOKEN: token,
      GITHUB_REPOSITORY: repository,
      PR_NUMBER: number,
      GITHUB_API_URL: apiUrl,
    } = process.env;
    if (!token || !repository || !/^\d+$/.test(number ?? '')) {
      throw new Error(
        'post needs GITHUB_TOKEN, GITHUB_REPOSITORY and PR_NUMBER (the pull request number) in the environment',
      );
    }
    const body = readFileSync(flag(args, 'body') ?? 'comment.md', 'utf8');
    const result = await upsertStickyComment({
      token,
      repository,
      issueNumber: Number(number),
      body,
      ...(apiUrl ? { apiUrl } : {}),
    });
    process.stdout.write(`${result.action} ${result.url}\n`);
    return;
  }
  throw new Error(
    'usage: pr-comment.mjs render --summary FILE --diff FILE [--base-problem FILE] [--sha SHA] --out FILE | post --body FILE',
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`pr-comment: ${error.message}\n`);
    process.exitCode = 1;
  });
}
