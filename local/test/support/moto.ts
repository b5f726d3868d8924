import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_BIN } from '../../../test/support/moto-server.js';

export { startMoto, type MotoServer } from '../../../test/support/moto-server.js';

/** Where the repo keeps moto[server] (installed by `npm run setup`). */
export const MOTO_SERVER = join(TOOLS_BIN, 'moto_server');
export const motoAvailable = existsSync(MOTO_SERVER);
/** The tools venv's Python: boto3 (moto's dependency) for tests with the real Python SDK. */
export const TOOLS_PYTHON = join(TOOLS_BIN, 'python');
