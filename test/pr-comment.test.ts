import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MARKER, MAX_BODY, renderComment, upsertStickyComment } from '../scripts/pr-comment.mjs';

interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  html_url: string;
}

/**
 * GitHub's two issue-comment endpoints, as a fake on 127.0.0.1: list/create on
 * /repos/{owner}/{repo}/issues/{n}/comments (paginated with a Link header) and edit on
 * /repos/{owner}/{repo}/issues/comments/{id}. It checks the token and records every request.
 */
class FakeGitHub {
  comments: FakeComment[] = [];
  requests: string[] = [];
  pageSize = 2;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server?.close(() => done()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== 'Bearer test-token') return send(401, { message: 'Bad credentials' });
    const list = /^\/repos\/acme\/sentiment\/issues\/7\/comments$/.exec(url.pathname);
    const edit = /^\/repos\/acme\/sentiment\/issues\/comments\/(\d+)$/.exec(url.pathname);
    const body =
      chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body: string }) : undefined;
    if (list && request.method === 'GET') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const slice = this.comments.slice((page - 1) * this.pageSize, page * this.pageSize);
      const more = page * this.pageSize < this.comments.length;
      return send(
        200,
        slice,
        more ? { link: `<${this.url}${url.pathname}?per_page=100&page=${page + 1}>; rel="next"` } : {},
      );
    }
    if (list && request.method === 'POST') {
      const comment: FakeComment = {
        id: 1000 + this.comments.length,
        body: body!.body,
        user: { login: 'github-actions[bot]', type: 'Bot' },
        html_url: `https://github.com/acme/sentiment/pull/7#issuecomment-${1000 + this.comments.length}`,
      };
      this.comments.push(comment);
      return send(201, comment);
    }
    if (edit && request.method === 'PATCH') {
      const comment = this.comments.find((candidate) => candidate.id === Number(edit[1]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = body!.body;
      return send(200, comment);
    }
    send(404, { message: 'Not Found' });
  }
}

const github = new FakeGitHub();
beforeAll(() => github.start());
afterAll(() => github.stop());
beforeEach(() => {
  github.comments = [];
  github.requests = [];
});

const post = (body: string, token = 'test-token') =>
  upsertStickyComment({ token, repository: 'acme/sentiment', issueNumber: 7, body, apiUrl: github.url });

describe('upsertStickyComment', () => {
  it('creates the comment the first time and edits that same comment on every later push', async () => {
    const first = await post(`${MARKER}\nfirst`);
    expect(first.action).toBe('created');
    const second = await post(`${MARKER}\nsecond`);
    const third = await post(`${MARKER}\nthird`);
    expect([second.action, third.action]).toEqual(['updated', 'updated']);
    expect(second.id).toBe(first.id);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]!.body).toBe(`${MARKER}\nthird`);
  });

  it("finds its comment on a later page, and leaves people's comments that merely quote the marker alone", async () => {
    github.comments = [
      { id: 1, body: 'LGTM', user: { login: 'alice', type: 'User' }, html_url: 'u1' },
      { id: 2, body: `${MARKER} quoted by a person`, user: { login: 'bob', type: 'User' }, html_url: 'u2' },
      { id: 3, body: 'another', user: { login: 'carol', type: 'User' }, html_url: 'u3' },
      { id: 4, body: `${MARKER}\nold report`, user: { login: 'github-actions[bot]', type: 'Bot' }, html_url: 'u4' },
    ];
    const result = await post(`${MARKER}\nnew report`);
    expect(result).toMatchObject({ action: 'updated', id: 4 });
    expect(github.comments.map((comment) => comment.body)).toEqual([
      'LGTM',
      `${MARKER} quoted by a person`,
      'another',
      `${MARKER}\nnew report`,
    ]);
    expect(github.requests).toEqual([
      'GET /repos/acme/sentiment/issues/7/comments?per_page=100',
      'GET /repos/acme/sentiment/issues/7/comments?per_page=100&page=2',
      'PATCH /repos/acme/sentiment/issues/comments/4',
    ]);
  });

  it('fails with the status and message GitHub gave', async () => {
    await expect(post(`${MARKER}\nx`, 'wrong')).rejects.toThrow(/answered 401: {"message":"Bad credentials"}/);
  });

  it('refuses a body without the marker, which it could never find again', async () => {
    await expect(post('no marker')).rejects.toThrow(/must start with the marker/);
    expect(github.requests).toEqual([]);
  });
});

describe('renderComment', () => {
  it('starts with the marker, shows the definition diff folded and the local run summary', () => {
    const body = renderComment({
      diff: '--- a/base.json\n+++ b/head.json\n@@ -1 +1 @@\n-  "MaxFeatures": 20000\n+  "MaxFeatures": 30000\n',
      summary: '## Pipeline `sentiment-pipeline`: ✅ Succeeded\n',
      headSha: '0123456789abcdef',
    });
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain('For commit `0123456789ab`.');
    expect(body).toContain('<details><summary>2 lines changed</summary>\n\n```diff\n--- a/base.json');
    expect(body).toContain('### Local run\n\n## Pipeline `sentiment-pipeline`: ✅ Succeeded');
  });

  it("says so when nothing changed or the base could not be compiled, and stays under GitHub's limit", () => {
    expect(renderComment({ diff: '' })).toContain('No change to the compiled definition.');
    expect(renderComment({ baseProblem: 'no slipway.config.json' })).toContain(
      'could not be compiled, so there is no diff: no slipway.config.json',
    );
    const long = renderComment({ diff: `+${'x'.repeat(100_000)}`, summary: 'y'.repeat(60_000) });
    expect(long.length).toBeLessThanOrEqual(MAX_BODY);
    expect(long).toContain('(cut: the diff has 100001 characters)');
  });
});
