import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import {
  ConsoleAuth,
  consoleLink,
  crossSiteProblem,
  forgeryProblem,
  hostProblem,
  newConsoleToken,
} from '../src/server/console-auth.js';

/** A request as the route sees it: headers, and the port the connection came in on. */
function request(headers: Record<string, string>, port = 7700): IncomingMessage {
  return { headers, socket: { localPort: port } } as unknown as IncomingMessage;
}

describe('the console token and session', () => {
  it('makes long random tokens and links that carry them', () => {
    const token = newConsoleToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newConsoleToken()).not.toBe(token);
    expect(consoleLink('http://127.0.0.1:7700/', 'a+b')).toBe('http://127.0.0.1:7700/studio/?token=a%2Bb');
  });

  it('accepts its own token only', () => {
    const auth = new ConsoleAuth('right');
    expect(auth.tokenMatches('right')).toBe(true);
    expect(auth.tokenMatches('wrong')).toBe(false);
    expect(auth.tokenMatches('')).toBe(false);
  });

  it('gives an HttpOnly, SameSite=Strict cookie named after the port, and knows it again', () => {
    const auth = new ConsoleAuth('secret');
    const cookie = auth.sessionCookie(request({}));
    expect(cookie).toMatch(/^slipway-studio-7700=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/studio\/$/);
    const value = cookie.split(';')[0]!;
    expect(value).not.toContain('secret');
    expect(auth.hasSession(request({ cookie: `other=1; ${value}` }))).toBe(true);
    // The same cookie on another port is another server's.
    expect(auth.hasSession(request({ cookie: value }, 7701))).toBe(false);
    expect(new ConsoleAuth('another').hasSession(request({ cookie: value }))).toBe(false);
    expect(auth.hasSession(request({}))).toBe(false);
  });
});

describe('hostProblem', () => {
  it("accepts the server's own names on its own port only", () => {
    for (const host of ['127.0.0.1:7700', 'localhost:7700', '[::1]:7700', 'LOCALHOST:7700']) {
      expect(hostProblem(request({ host }))).toBeUndefined();
    }
    for (const host of ['evil.example:7700', '127.0.0.1:7701', '127.0.0.1', 'localhost', '0.0.0.0:7700']) {
      expect(hostProblem(request({ host }))).toMatch(/the Host header must be one of 127\.0\.0\.1:7700/);
    }
    expect(hostProblem(request({}))).toMatch(/got null/);
  });
});

describe('crossSiteProblem and forgeryProblem', () => {
  const own = { host: '127.0.0.1:7700', origin: 'http://127.0.0.1:7700' };

  it('refuses any other Origin, including another port of the same host', () => {
    expect(crossSiteProblem(request(own))).toBeUndefined();
    expect(crossSiteProblem(request({ ...own, origin: 'http://127.0.0.1:8080' }))).toMatch(/are not accepted/);
    expect(crossSiteProblem(request({ ...own, origin: 'null' }))).toMatch(/are not accepted/);
    expect(crossSiteProblem(request({ host: own.host, 'sec-fetch-site': 'cross-site' }))).toMatch(/cross-site request/);
    expect(crossSiteProblem(request({ host: own.host, 'sec-fetch-site': 'same-site' }))).toMatch(/same-site request/);
    expect(crossSiteProblem(request({ host: own.host, 'sec-fetch-site': 'none' }))).toBeUndefined();
  });

  it('wants a state-changing request to say where it comes from and to carry the console header', () => {
    expect(forgeryProblem(request({ ...own, 'x-slipway-studio': '1' }))).toBeUndefined();
    expect(
      forgeryProblem(request({ host: own.host, 'sec-fetch-site': 'same-origin', 'x-slipway-studio': '1' })),
    ).toBeUndefined();
    expect(forgeryProblem(request({ host: own.host, 'x-slipway-studio': '1' }))).toMatch(/must come from the console/);
    expect(forgeryProblem(request(own))).toMatch(/must carry x-slipway-studio: 1/);
    expect(forgeryProblem(request({ ...own, origin: 'http://localhost:7700', 'x-slipway-studio': '1' }))).toMatch(
      /are not accepted/,
    );
  });
});
