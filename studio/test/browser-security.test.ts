import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestServer, type TestServer } from '../../local/test/support/harness.js';
import { localConsole } from '../src/index.js';
import { describeInBrowser, launchBrowser, pageProblems, screenshot } from './support/browser.js';
import { ensurePageBundle } from './support/studio-page.js';

/**
 * The console's protections, in the browser that has the console's cookie: no way in without the token,
 * and a page of another origin (here another port of 127.0.0.1, which the browser counts as the same site
 * and so sends the SameSite=Strict cookie to) can neither read the console's API nor change anything.
 */

let t: TestServer;
let link = '';
let packageArn = '';
let evil: Server;
let evilUrl = '';
const consoleRequests: { method: string; path: string; status: number; origin?: string }[] = [];

/** A page of another origin that tries what a malicious site would. */
function evilPage(target: string, arn: string): string {
  const body = JSON.stringify({ arn, status: 'Rejected', reason: 'forged' });
  return `<!doctype html><meta charset="utf-8"><title>evil</title>
<form id="form" method="POST" action="${target}/studio/api/model-version/approval" enctype="text/plain" target="sink">
  <input name='${body.slice(0, -1)},"x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
  window.results = {};
  const api = ${JSON.stringify(`${target}/studio/api/`)};
  const body = ${JSON.stringify(body)};
  Promise.all([
    fetch(api + 'info', { credentials: 'include' }).then((r) => r.text()).then((t) => 'read: ' + t, (e) => 'blocked: ' + e),
    fetch(api + 'model-version/approval', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body })
      .then(() => 'sent (opaque)', (e) => 'blocked: ' + e),
    fetch(api + 'model-version/approval', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-slipway-studio': '1' }, body })
      .then((r) => 'answered ' + r.status, (e) => 'blocked: ' + e),
  ]).then(([read, simple, preflighted]) => { window.results = { read, simple, preflighted }; document.getElementById('form').submit(); });
</script>`;
}

beforeAll(async () => {
  await ensurePageBundle();
  const studio = localConsole({ actor: 'alice' });
  t = await startTestServer({
    routes: [
      () => ({
        handle(request, response, url) {
          if (url.pathname.startsWith('/studio/api/')) {
            response.once('finish', () =>
              consoleRequests.push({
                method: request.method ?? '',
                path: url.pathname,
                status: response.statusCode,
                ...(request.headers.origin ? { origin: request.headers.origin } : {}),
              }),
            );
          }
          return false;
        },
      }),
      studio.mount,
    ],
  });
  link = studio.link(t.server.url);
  await t.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'guarded' }));
  packageArn = (
    await t.sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: 'guarded',
        ModelApprovalStatus: 'Approved',
        InferenceSpecification: {
          Containers: [{ Image: 'test/serve', ModelDataUrl: 's3://b/model.tar.gz' }],
          SupportedContentTypes: ['application/json'],
          SupportedResponseMIMETypes: ['application/json'],
        },
      }),
    )
  ).ModelPackageArn!;
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(evilPage(t.server.url, packageArn));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const address = evil.address();
  evilUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => evil?.close(resolve));
  await t?.close();
});

describeInBrowser('the console in the browser, against forgery', () => {
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows nothing without the token, and not with a wrong one', async () => {
    const page = await context.newPage();
    const answer = await page.goto(`${t.server.url}/studio/`);
    expect(answer?.status()).toBe(401);
    await page.getByText('Open the link `npx slipway local up` printed').waitFor();
    expect((await page.goto(`${t.server.url}/studio/?token=not-the-token`))?.status()).toBe(401);
    await screenshot(page, 'security-01-no-token');
    await page.close();
  });

  it('signs in with the link, runs under its content security policy without errors', async () => {
    const page = await context.newPage();
    const problems = pageProblems(page);
    await page.goto(link);
    expect(page.url()).toBe(`${t.server.url}/studio/`);
    await page.getByRole('link', { name: 'Model registry', exact: true }).click();
    await page.getByRole('link', { name: 'guarded', exact: true }).click();
    await page.locator('table[data-testid=model-versions] tbody tr').waitFor();
    const cookies = await context.cookies(`${t.server.url}/studio/`);
    expect(cookies).toEqual([
      expect.objectContaining({
        httpOnly: true,
        sameSite: 'Strict',
        path: '/studio/',
        name: expect.stringMatching(/^slipway-studio-\d+$/),
      }),
    ]);
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("refuses a signed-in browser's requests made by a page of another origin", async () => {
    const page = await context.newPage();
    consoleRequests.length = 0;
    await page.goto(evilUrl);
    await page.waitForFunction('window.results && window.results.read !== undefined');
    const results = (await page.evaluate('window.results')) as Record<string, string>;
    // Reading is blocked by the browser (no CORS grant) and refused by the console.
    expect(results['read']).toMatch(/^blocked: TypeError/);
    // A preflighted request never gets past the preflight, which the console does not grant.
    expect(results['preflighted']).toMatch(/^blocked: TypeError/);
    // The requests that did reach the console carried the other origin and were refused.
    await expect(waitFor(() => consoleRequests.filter((r) => r.method === 'POST').length >= 2)).resolves.toBe(true);
    const reached = consoleRequests.filter(
      (request) => request.path !== '/studio/api/info' || request.method !== 'OPTIONS',
    );
    expect(reached.length).toBeGreaterThan(0);
    for (const request of reached) {
      expect(request.origin).toBe(evilUrl.replace(/\/$/, ''));
      expect(request.status).toBe(403);
    }
    const described = await t.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
    expect(described.ModelApprovalStatus).toBe('Approved');
    await page.close();
  });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
