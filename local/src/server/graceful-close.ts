import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Closes an HTTP server without cutting a response: it stops accepting connections, lets requests in flight
 * finish (their responses carry `Connection: close`, so clients do not send another request on them), closes
 * each keep-alive connection as soon as it is idle, and after `graceMs` destroys whatever is left. Node's own
 * `close()` leaves busy keep-alive connections open until their keep-alive timeout, and `closeAllConnections()`
 * cuts responses still being written. Create it with the server, before it listens, so it sees every request.
 */
export class GracefulClose {
  private readonly inFlight = new Set<ServerResponse>();
  private closing?: Promise<void>;

  constructor(private readonly server: Server) {
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
      this.inFlight.add(response);
      if (this.closing) response.setHeader('connection', 'close');
      response.once('close', () => {
        this.inFlight.delete(response);
        // Its connection may now be an idle keep-alive one (the response began before close()).
        if (this.closing) setImmediate(() => server.closeIdleConnections());
      });
    });
  }

  /** Resolves once every connection is gone; safe to call again (the same promise). */
  close(graceMs: number): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const response of this.inFlight) {
        if (!response.headersSent) response.setHeader('connection', 'close');
      }
      const stragglers = setTimeout(() => this.server.closeAllConnections(), graceMs);
      // Stops accepting and closes the connections that are idle now; calls back when the last one is gone.
      this.server.close(() => {
        clearTimeout(stragglers);
        resolve();
      });
    });
    return this.closing;
  }
}
