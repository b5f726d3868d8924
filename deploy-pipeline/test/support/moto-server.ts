import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { startMoto, toolsMissing, type MotoServer } from '../../../test/support/moto-server.js';

export {
  REPO_ROOT,
  TOOLS_BIN,
  motoClientConfig,
  startMoto,
  toolsMissing,
  type MotoServer,
} from '../../../test/support/moto-server.js';

/**
 * A describe block with a moto server started before its tests and stopped after them; skipped, saying why,
 * when the tool venv is absent. `body` receives a getter for the running server.
 */
export function describeWithMoto(title: string, body: (moto: () => MotoServer) => void, extraMissing?: string): void {
  const missing = extraMissing ?? toolsMissing('moto_server');
  if (missing) {
    console.warn(`SKIPPED ${title}: ${missing}`);
    // The body is not run: building its test table may itself need what is missing.
    describe(title, () => it.skip(`skipped: ${missing}`, () => {}));
    return;
  }
  describe(title, () => {
    let server: MotoServer | undefined;
    beforeAll(async () => {
      server = await startMoto();
    }, 30_000);
    afterAll(async () => server?.stop());
    body(() => {
      if (!server) throw new Error('moto is not running');
      return server;
    });
  });
}
