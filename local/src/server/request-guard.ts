import type { IncomingMessage } from 'node:http';

/**
 * The checks that keep web pages away from the local server, which runs jobs (code) on request.
 *
 * DNS rebinding: a page on `rebind.attacker.example` whose name later resolves to 127.0.0.1 is same-origin
 * with the server as far as the browser is concerned, but its requests still say `Host:
 * rebind.attacker.example:PORT`. Only the loopback names with the port the server bound are accepted.
 *
 * Cross-origin requests: browsers add `Origin` to every request a page makes other than plain navigation,
 * and no AWS SDK or CLI sends it. The AWS API surfaces refuse any request that carries one, which also
 * covers the "simple" requests (text/plain POSTs) that need no CORS preflight.
 */

/** Why the Host header is refused, or undefined when it names this server. */
export function hostProblem(request: IncomingMessage): string | undefined {
  const hosts: string[] = [];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'host') hosts.push(raw[i + 1]!);
  const port = request.socket.localPort;
  const expected = `127.0.0.1:${port}`;
  if (hosts.length === 0) return `The request has no Host header; send Host: ${expected}.`;
  if (hosts.length > 1) return 'The request has more than one Host header.';
  if (port === undefined || !acceptedHosts(port).has(hosts[0]!.trim().toLowerCase())) {
    return (
      `The local server answers only requests addressed to it on loopback (Host: ${expected}, ` +
      `localhost:${port} or [::1]:${port}), not Host: ${JSON.stringify(hosts[0]).slice(0, 200)}.`
    );
  }
  return undefined;
}

function acceptedHosts(port: number): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  return new Set([...names.map((name) => `${name}:${port}`), ...(port === 80 ? names : [])]);
}

/** Why a request from a web page is refused, or undefined when it carries no Origin. */
export function originProblem(request: IncomingMessage): string | undefined {
  const origin = request.headers['origin'];
  if (origin === undefined) return undefined;
  return (
    `The local server refuses requests from web pages (this one came from Origin ${JSON.stringify(origin).slice(0, 200)}): ` +
    'it runs code on request. Use an AWS SDK, the AWS CLI or `npx slipway`.'
  );
}
